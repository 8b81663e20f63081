package orm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// UByte's server default does not fit its field: the INSERT succeeds on
// the server and its RETURNING value (1000) fails to scan into an int8.
type UByte struct {
	ID    int64  `orm:"pk"`
	Name  string `orm:"unique"`
	Small *int8  `orm:"server_default:1000"`
}

// UByteNote is inserted after UByte (it references it).
type UByteNote struct {
	ID     int64  `orm:"pk"`
	Name   string `orm:"unique"`
	ByteID *int64 `orm:"fk:u_bytes.id"`
}

// TestCommitAfterUnreadResult: when the session fails to handle a row the
// server returned (a value that does not fit its field) in a round trip
// that commits, it reads on to learn the outcome. The server committed:
// a *CommittedError, the rows written once, the objects detached (a
// second Commit writes nothing). A later statement failed or the COMMIT
// rolled back: a plain error with both causes, nothing written, the
// session restored. The connection broke before COMMIT's reply: an
// *UnknownOutcomeError.
func TestCommitAfterUnreadResult(t *testing.T) {
	type outcome int
	const (
		committed outcome = iota
		failed
		unknown
	)
	cases := []struct {
		name  string
		opts  []orm.Option
		flush bool        // a note is flushed first, the UByte is in the commit's round trip
		note  string      // a note added with the UByte ("taken" violates the unique name)
		fault faultAction // on COMMIT's reply
		want  outcome
	}{
		{name: "implicit transaction, one statement", want: committed},
		{name: "implicit transaction, two statements", note: "n", want: committed},
		{name: "BEGIN and COMMIT in one round trip", note: "n", want: committed,
			opts: []orm.Option{orm.WithIsolation(pgx.RepeatableRead)}},
		{name: "flush then commit", flush: true, want: committed},
		{name: "a later statement fails", note: "taken", want: failed},
		{name: "a later statement fails, BEGIN and COMMIT", note: "taken", want: failed,
			opts: []orm.Option{orm.WithIsolation(pgx.RepeatableRead)}},
		{name: "flush then commit, COMMIT's reply lost", flush: true, fault: dropReply, want: unknown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			base := pgtest.New(t)
			proxy := newFaultProxy(t, base)
			db, err := orm.Open(ctx, proxy.url(t, base), orm.MustRegistry(&UByte{}, &UByteNote{}), append(tc.opts, orm.WithMaxConns(2))...)
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.CreateAll(ctx))
			_, err = db.Pool().Exec(ctx, "INSERT INTO u_byte_notes (name) VALUES ('taken')")
			require.NoError(t, err)
			count := func(table string) int64 {
				var n int64
				require.NoError(t, db.Pool().QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n))
				return n
			}

			s := db.Session()
			defer s.Close()
			if tc.flush {
				s.Add(&UByteNote{Name: "first"})
				require.NoError(t, s.Flush(ctx))
			}
			b := &UByte{Name: "b"}
			s.Add(b)
			var note *UByteNote
			if tc.note != "" {
				note = &UByteNote{Name: tc.note}
				s.Add(note)
			}
			if tc.fault != 0 {
				proxy.arm("COMMIT", tc.fault)
			}
			err = s.Commit(ctx)
			require.Error(t, err)
			var done *orm.CommittedError
			var open *orm.UnknownOutcomeError
			switch tc.want {
			case committed:
				require.ErrorAs(t, err, &done)
				require.ErrorContains(t, err, "(col: small)") // the scan error, worded by pgx per exec mode
				require.False(t, errors.As(err, &open))
				require.Equal(t, int64(1), count("u_bytes"))
				require.Equal(t, orm.Transient, s.Status(b), "the object written is detached")
				require.NoError(t, s.Commit(ctx), "nothing left to write")
				require.Equal(t, int64(1), count("u_bytes"), "written once")
			case failed:
				require.False(t, errors.As(err, &done), "%v", err)
				require.False(t, errors.As(err, &open), "%v", err)
				require.ErrorIs(t, err, orm.ErrUniqueViolation)
				require.ErrorContains(t, err, "(col: small)") // the scan error, worded by pgx per exec mode
				require.Zero(t, count("u_bytes"))
				require.Equal(t, int64(1), count("u_byte_notes"))
				require.Equal(t, orm.Pending, s.Status(b), "the session is restored")
				require.Equal(t, orm.Pending, s.Status(note))
			case unknown:
				require.ErrorAs(t, err, &open)
				require.Equal(t, int64(1), count("u_bytes"), "the server committed")
			}
		})
	}
}
