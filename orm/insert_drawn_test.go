package orm_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// Voucher has a uuid key the server draws from its default, and another
// server default read back with it.
type Voucher struct {
	ID        [16]byte `orm:"pk,server_default:gen_random_uuid()"`
	Seq       int64    `orm:"unique"`
	Name      string
	CreatedAt time.Time `orm:"server_default:clock_timestamp()"`
}

// TestInsertDrawnKeys proves the key-to-object mapping of a batch whose
// keys the server draws: each object gets the key of the row holding its
// own values, in one statement, however the server orders the rows it
// returns.
func TestInsertDrawnKeys(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Voucher{}, &Event{}))
	cases := []struct {
		name string
		n    int
		// reverse makes the server return rows in descending order of
		// their ordinal (through the join), so that a mapping that took
		// the returned order for the insert order would be wrong.
		reverse bool
	}{
		{name: "two rows", n: 2},
		{name: "many rows", n: 1000},
		{name: "rows returned out of order", n: 300, reverse: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(`TRUNCATE vouchers`)
			if tc.reverse {
				// A hash join hashing i and probing k in k's order is the usual
				// plan; force a merge join on the keys, which returns rows in
				// key order — random with respect to the ordinals.
				e.exec(`ALTER DATABASE ` + dbName(t, e) + ` SET enable_hashjoin = off`)
				t.Cleanup(func() { e.exec(`ALTER DATABASE ` + dbName(t, e) + ` RESET enable_hashjoin`) })
				e.db.Pool().Reset()
			}
			s := e.db.Session()
			defer s.Close()
			objs := make([]*Voucher, tc.n)
			for i := range objs {
				objs[i] = &Voucher{Seq: int64(i), Name: fmt.Sprint("t", i)}
				s.Add(objs[i])
			}
			e.cap.reset()
			require.NoError(t, s.Commit(e.ctx))
			sqls := e.cap.sqls()
			require.Len(t, sqls, 1, "one statement for the batch")
			require.True(t, strings.HasPrefix(sqls[0], `WITH k AS MATERIALIZED (SELECT (gen_random_uuid())::uuid AS _k`), sqls[0])

			byKey := map[[16]byte]int64{}
			for _, r := range e.rows(`SELECT id, seq FROM vouchers`) {
				byKey[r[0].([16]byte)] = r[1].(int64)
			}
			require.Len(t, byKey, tc.n)
			for i, o := range objs {
				seq, ok := byKey[o.ID]
				require.True(t, ok, "object %d has a key no row has", i)
				require.Equal(t, int64(i), seq, "object %d got the key of row %d", i, seq)
				require.False(t, o.CreatedAt.IsZero(), "other server defaults come back too")
				require.Equal(t, orm.Persistent, s.Status(o))
			}
		})
	}
}

func dbName(t *testing.T, e *env) string {
	t.Helper()
	return `"` + e.rows(`SELECT current_database()`)[0][0].(string) + `"`
}

// TestInsertDrawnKeysFailure: a failed batch writes nothing and leaves the
// objects pending with their keys cleared, ready to retry; a row whose key
// a trigger changes cannot be matched and fails the flush rather than
// giving an object some other row's key.
func TestInsertDrawnKeysFailure(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Voucher{}))
	cases := []struct {
		name    string
		prepare string // SQL run first
		undo    string
		objs    []*Voucher
		wantErr error
	}{
		{
			name:    "unique violation inside the batch",
			objs:    []*Voucher{{Seq: 1, Name: "a"}, {Seq: 2, Name: "b"}, {Seq: 1, Name: "dup"}},
			wantErr: orm.ErrUniqueViolation,
		},
		{
			name: "a trigger replaces the drawn key",
			prepare: `CREATE FUNCTION rekey() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.id := gen_random_uuid(); RETURN NEW; END $$;
				CREATE TRIGGER rekey BEFORE INSERT ON vouchers FOR EACH ROW EXECUTE FUNCTION rekey()`,
			undo: `DROP TRIGGER rekey ON vouchers; DROP FUNCTION rekey()`,
			objs: []*Voucher{{Seq: 1, Name: "a"}, {Seq: 2, Name: "b"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != "" {
				e.exec(tc.prepare)
				t.Cleanup(func() { e.exec(tc.undo) })
			}
			s := e.db.Session()
			defer s.Close()
			for _, o := range tc.objs {
				s.Add(o)
			}
			err := s.Commit(e.ctx)
			require.Error(t, err)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
			require.Equal(t, int64(0), e.count("vouchers"), "nothing written")
			for _, o := range tc.objs {
				require.Equal(t, [16]byte{}, o.ID, "key cleared")
				require.True(t, o.CreatedAt.IsZero(), "server default cleared")
				require.Equal(t, orm.Pending, s.Status(o))
			}
		})
	}
}
