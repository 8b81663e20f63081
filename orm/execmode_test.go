package orm_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// withURLParam returns the connection string conn with the parameter key
// set to value, or removed when value is "" (a URL's query, or one more
// keyword of a key=value DSN).
func withURLParam(t *testing.T, conn, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
		if value == "" {
			if strings.Contains(conn, key) {
				t.Skip("cannot remove " + key + " from a key=value DSN")
			}
			return conn
		}
		return conn + " " + key + "=" + value
	}
	u, err := url.Parse(conn)
	require.NoError(t, err)
	q := u.Query()
	q.Del(key)
	if value != "" {
		q.Set(key, value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// preparedStatements counts the named prepared statements of the pool's
// one connection: pgx's statement cache leaves them, the other modes none.
func preparedStatements(t *testing.T, db *orm.DB) int64 {
	t.Helper()
	var n int64
	err := db.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM pg_prepared_statements", pgx.QueryExecModeExec).Scan(&n)
	require.NoError(t, err)
	return n
}

// TestExecModeOption: Open honours the URL's default_query_exec_mode, the
// option wins over it, and the mode reaches the connections (statements
// are prepared only in the caching modes).
func TestExecModeOption(t *testing.T) {
	ctx := context.Background()
	base := pgtest.New(t)
	if behindPooler(ctx, t, base) {
		t.Skip("counts the prepared statements of one server connection")
	}
	create, err := orm.Open(ctx, base, registry())
	require.NoError(t, err)
	require.NoError(t, create.CreateAll(ctx))
	create.Close()
	cases := []struct {
		name  string
		param string // default_query_exec_mode in the URL, if any
		opts  []orm.Option
		want  pgx.QueryExecMode
		print string // how ExecMode prints (docs/deploy.md)
	}{
		{name: "pgx default", want: pgx.QueryExecModeCacheStatement, print: "cache statement"},
		{name: "URL parameter", param: "exec", want: pgx.QueryExecModeExec, print: "exec"},
		{name: "URL simple protocol", param: "simple_protocol", want: pgx.QueryExecModeSimpleProtocol, print: "simple protocol"},
		{name: "option", opts: []orm.Option{orm.WithExecMode(pgx.QueryExecModeDescribeExec)}, want: pgx.QueryExecModeDescribeExec, print: "describe exec"},
		{name: "option wins over URL", param: "exec",
			opts: []orm.Option{orm.WithExecMode(pgx.QueryExecModeCacheDescribe)}, want: pgx.QueryExecModeCacheDescribe, print: "cache describe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn := withURLParam(t, base, "default_query_exec_mode", tc.param)
			db, err := orm.Open(ctx, conn, registry(), append(tc.opts, orm.WithMaxConns(1))...)
			require.NoError(t, err)
			defer db.Close()
			require.Equal(t, tc.want, db.ExecMode())
			require.Equal(t, tc.print, fmt.Sprint(db.ExecMode()))

			s := db.Session()
			defer s.Close()
			_, err = orm.Query[Author](s).Where("name = ?", "nobody").All(ctx)
			require.NoError(t, err)
			n := preparedStatements(t, db)
			if tc.want == pgx.QueryExecModeCacheStatement {
				require.Positive(t, n, "the statement cache prepares statements")
			} else {
				require.Zero(t, n, "no named statement is left on the connection")
			}
		})
	}
}

// The exec-mode workload's models: a column of each kind whose encoding
// differs between pgx's modes (pointers, json, arrays, enums and enum
// arrays, uuid keys the server draws, numeric, date, timestamp), a
// version, a one-to-many with delete-orphan, a many-to-many, soft delete.

type XMood string

func (XMood) EnumValues() []string { return []string{"calm", "busy"} }

type XDoc struct {
	Kind string `json:"kind"`
	N    int    `json:"n"`
}

type XOwner struct {
	ID      int64  `orm:"pk"`
	Name    string `orm:"unique"`
	Score   *int64
	Ratio   *float64
	Active  *bool
	Born    time.Time `orm:"type:date"`
	Local   time.Time `orm:"type:timestamp"`
	Seen    *time.Time
	Meta    map[string]any `orm:"type:jsonb"`
	Tags    []string       `orm:"type:text[]"`
	Moods   []XMood
	Mood    XMood
	Token   [16]byte       `orm:"type:uuid"`
	Amount  pgtype.Numeric `orm:"type:numeric"`
	Version int64          `orm:"version"`
	Items   []*XItem       `rel:"one_to_many,back_populates:Owner,cascade:all|delete-orphan"`
	Groups  []*XGroup      `rel:"many_to_many,secondary:x_owner_groups,back_populates:Owners"`
}

type XItem struct {
	ID      [16]byte `orm:"pk,server_default:gen_random_uuid()"`
	OwnerID int64    `orm:"fk:x_owners.id"`
	Owner   *XOwner  `rel:"many_to_one,back_populates:Items"`
	Label   string
	Doc     *XDoc `orm:"type:jsonb"`
	Mood    *XMood
}

type XGroup struct {
	ID     int64     `orm:"pk"`
	Name   string    `orm:"unique"`
	Owners []*XOwner `rel:"many_to_many,secondary:x_owner_groups,back_populates:Groups"`
}

type XNote struct {
	ID        int64 `orm:"pk"`
	Text      string
	DeletedAt *time.Time `orm:"soft_delete"`
}

func execModeRegistry() *orm.Registry {
	return orm.MustRegistry(&XOwner{}, &XItem{}, &XGroup{}, &XNote{})
}

// execMode is one of pgx's exec modes with its URL name.
type execMode struct {
	name string
	mode pgx.QueryExecMode
}

// execModes are pgx's exec modes.
var execModes = []execMode{
	{"cache_statement", pgx.QueryExecModeCacheStatement},
	{"cache_describe", pgx.QueryExecModeCacheDescribe},
	{"describe_exec", pgx.QueryExecModeDescribeExec},
	{"exec", pgx.QueryExecModeExec},
	{"simple_protocol", pgx.QueryExecModeSimpleProtocol},
}

// behindPooler reports whether conn reaches PostgreSQL through a pooler
// such as PgBouncer: the server listens on another port than the URL's.
func behindPooler(ctx context.Context, t *testing.T, conn string) bool {
	t.Helper()
	c, err := pgx.Connect(ctx, withURLParam(t, conn, "default_query_exec_mode", "exec"))
	require.NoError(t, err)
	defer c.Close(ctx)
	var port string
	require.NoError(t, c.QueryRow(ctx, "SELECT current_setting('port')").Scan(&port))
	return port != strconv.Itoa(int(c.Config().Port))
}

// skipBehindPooler skips a test of an exec mode that cannot work behind
// PgBouncer in transaction pooling: prepared statements (and an unnamed
// statement described in one round trip and run in the next) live on one
// server connection, which the pooler hands to another client between
// transactions (docs/deploy.md). cache_describe works: its description
// needs nothing kept on the server, and each statement is one round trip.
func skipBehindPooler(ctx context.Context, t *testing.T, conn string, mode pgx.QueryExecMode) {
	t.Helper()
	switch mode {
	case pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheDescribe:
		return
	}
	if behindPooler(ctx, t, conn) {
		t.Skipf("%v does not work behind a transaction pooler", mode)
	}
}

// eachExecMode runs fn as a subtest per exec mode, each with a fresh
// database (base, its URL), skipping the modes a pooler in front of the
// server cannot serve.
func eachExecMode(t *testing.T, fn func(ctx context.Context, t *testing.T, base string, m execMode)) {
	for _, m := range execModes {
		t.Run(m.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			base := pgtest.New(t)
			skipBehindPooler(ctx, t, base, m.mode)
			fn(ctx, t, base, m)
		})
	}
}

// TestExecModes runs one workload of every kind of Session statement in
// each of pgx's exec modes and checks the rows with plain SQL.
func TestExecModes(t *testing.T) {
	eachExecMode(t, func(ctx context.Context, t *testing.T, base string, m execMode) {
		db, err := orm.Open(ctx, withURLParam(t, base, "default_query_exec_mode", m.name), execModeRegistry())
		require.NoError(t, err)
		defer db.Close()
		require.Equal(t, m.mode, db.ExecMode())
		require.NoError(t, db.CreateAll(ctx))
		check, err := pgx.Connect(ctx, withURLParam(t, base, "default_query_exec_mode", "exec"))
		require.NoError(t, err)
		defer check.Close(context.Background())
		execWorkload(ctx, t, db, check)
	})
}

// sqlRow runs one plain query and returns its row's values.
func sqlRow(ctx context.Context, t *testing.T, c *pgx.Conn, sql string, args ...any) []any {
	t.Helper()
	rows, err := c.Query(ctx, sql, args...)
	require.NoError(t, err)
	vals, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	require.NoError(t, err, sql)
	return vals
}

// pgUUID is a uuid argument the check connection encodes in any mode.
func pgUUID(b [16]byte) pgtype.UUID { return pgtype.UUID{Bytes: b, Valid: true} }

func execWorkload(ctx context.Context, t *testing.T, db *orm.DB, check *pgx.Conn) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	local := time.Date(2024, 3, 9, 23, 30, 15, 123456000, zone)
	var amount pgtype.Numeric
	require.NoError(t, amount.Scan("12.50"))
	score, ratio, on := int64(1)<<40, 0.25, true
	token := [16]byte{0xa0, 0xee, 0xbc, 0x99, 15: 0x11}
	busy := XMood("busy")
	s := db.Session()
	defer s.Close()

	// Inserts: two owners (one unnest statement), three items with keys
	// the server draws, two groups and their association rows.
	ann := &XOwner{Name: "ann", Score: &score, Ratio: &ratio, Active: &on, Born: local, Local: local, Seen: &local,
		Meta: map[string]any{"k": "v", "n": 1.5}, Tags: []string{"a", "b,c", `d"e`}, Moods: []XMood{"calm", "busy"},
		Mood: "busy", Token: token, Amount: amount}
	bob := &XOwner{Name: "bob", Mood: "calm", Born: local, Local: local, Amount: amount}
	g1, g2 := &XGroup{Name: "g1"}, &XGroup{Name: "g2"}
	ann.Items = []*XItem{{Label: "i1", Doc: &XDoc{Kind: "x", N: 1}, Mood: &busy}, {Label: "i2"}}
	bob.Items = []*XItem{{Label: "i3"}}
	ann.Groups = []*XGroup{g1, g2}
	s.Add(ann, bob)
	require.NoError(t, s.Commit(ctx))
	require.NotZero(t, ann.Items[0].ID)
	require.Equal(t, []any{"ann", int64(1) << 40, 0.25, true, "2024-03-09", "2024-03-09 23:30:15.123456",
		"2024-03-09T18:00:15.123456Z", "v", []any{"a", "b,c", `d"e`}, "{calm,busy}", "busy",
		"a0eebc99-0000-0000-0000-000000000011", "12.50", int64(1)},
		sqlRow(ctx, t, check, `SELECT name, score, ratio, active, born::text, local::text,
			to_char(seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), meta->>'k', tags, moods::text, mood::text,
			token::text, amount::text, version FROM x_owners WHERE id = $1`, ann.ID))
	require.Equal(t, []any{nil, nil, nil, nil, "{}", "{}"},
		sqlRow(ctx, t, check, "SELECT score, ratio, active, seen, meta::text, tags::text FROM x_owners WHERE name = 'bob'"))
	require.Equal(t, []any{"x", "busy", int64(3), int64(2)},
		sqlRow(ctx, t, check, `SELECT (SELECT doc->>'kind' FROM x_items WHERE id = $1), (SELECT mood::text FROM x_items WHERE id = $1),
			(SELECT count(*) FROM x_items), (SELECT count(*) FROM x_owner_groups)`, pgUUID(ann.Items[0].ID)))

	// A single-row insert with NULLs, and a lookup by uuid key.
	cid := &XOwner{Name: "cid", Mood: "calm", Amount: amount}
	s.Add(cid)
	require.NoError(t, s.Commit(ctx))
	fresh := db.Session()
	defer fresh.Close()
	item, err := orm.Get[XItem](ctx, fresh, ann.Items[0].ID)
	require.NoError(t, err)
	require.Equal(t, "i1", item.Label)
	require.Equal(t, &XDoc{Kind: "x", N: 1}, item.Doc)

	// Updates: two owners changed alike (one batched statement) and one
	// item; then a stale version refuses the update and writes nothing.
	score2 := int64(-5)
	ann.Score, ann.Meta, ann.Moods, ann.Seen = &score2, map[string]any{"k": "w"}, []XMood{"busy"}, nil
	bob.Score, bob.Meta, bob.Moods, bob.Seen = &score2, map[string]any{"k": "b"}, nil, &local
	ann.Items[1].Label = "i2b"
	require.NoError(t, s.Commit(ctx))
	require.Equal(t, []any{int64(-5), "w", "{busy}", nil, int64(2), "i2b"},
		sqlRow(ctx, t, check, `SELECT score, meta->>'k', moods::text, seen, version,
			(SELECT label FROM x_items WHERE id = $2) FROM x_owners WHERE id = $1`, ann.ID, pgUUID(ann.Items[1].ID)))
	_, err = check.Exec(ctx, "UPDATE x_owners SET version = version + 1 WHERE id = $1", bob.ID)
	require.NoError(t, err)
	bob.Name = "bobby"
	require.ErrorIs(t, s.Commit(ctx), orm.ErrStaleData)
	require.Equal(t, []any{"bob"}, sqlRow(ctx, t, check, "SELECT name FROM x_owners WHERE id = $1", bob.ID))
	require.NoError(t, s.Refresh(ctx, bob))
	require.Equal(t, "bob", bob.Name)

	// Upsert: two groups, one of them existing.
	res, err := orm.Insert(s, &XGroup{Name: "g2"}, &XGroup{Name: "g3"}).OnConflict("Name").DoNothing().Exec(ctx)
	require.NoError(t, err)
	require.Len(t, res.Rows, 1)
	require.NoError(t, s.Commit(ctx))
	require.Equal(t, []any{int64(3)}, sqlRow(ctx, t, check, "SELECT count(*) FROM x_groups"))

	// Queries: a filter on an enum, eager loads of both collections, Raw
	// and keyset pages.
	q := db.Session()
	defer q.Close()
	owners, err := orm.Query[XOwner](q).Where("mood = ?", busy).Load("Items").Load("Groups").All(ctx)
	require.NoError(t, err)
	require.Len(t, owners, 1)
	require.Len(t, owners[0].Items, 2)
	require.Len(t, owners[0].Groups, 2)
	require.Equal(t, []XMood{"busy"}, owners[0].Moods)
	require.Equal(t, map[string]any{"k": "w"}, owners[0].Meta)
	raw, err := orm.Raw[XOwner](q, "SELECT id, name, score, token, amount, meta FROM x_owners WHERE score < ? AND token = ? ORDER BY id", 0, token).All(ctx)
	require.NoError(t, err)
	require.Len(t, raw, 1)
	page, err := orm.Query[XOwner](q).OrderBy("Name").Limit(2).Page(ctx, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	page, err = orm.Query[XOwner](q).OrderBy("Name").Limit(2).Page(ctx, page.Next)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, "cid", page.Items[0].Name)

	// Many-to-many removal, orphan deletes by uuid key, a cascade delete.
	ann.Groups = ann.Groups[:1]
	ann.Items = nil
	s.Delete(bob)
	require.NoError(t, s.Commit(ctx))
	require.Equal(t, []any{int64(1), int64(0), int64(2)}, sqlRow(ctx, t, check,
		"SELECT (SELECT count(*) FROM x_owner_groups), (SELECT count(*) FROM x_items), (SELECT count(*) FROM x_owners)"))

	// Soft delete.
	note := &XNote{Text: "n"}
	s.Add(note)
	require.NoError(t, s.Commit(ctx))
	s.Delete(note)
	require.NoError(t, s.Commit(ctx))
	require.Equal(t, []any{true}, sqlRow(ctx, t, check, "SELECT deleted_at IS NOT NULL FROM x_notes"))
	n, err := orm.Query[XNote](q).Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestExecModesBehindPgBouncer runs the workload through a PgBouncer
// (pgtest.NewBouncer; skipped without the binary): in transaction pooling
// the modes that keep nothing on a server connection between round trips
// (cache_describe, exec, simple protocol), in session pooling all five. A context that
// ends mid-statement (the default cancel request, then close on cancel)
// leaves the pooler up.
func TestExecModesBehindPgBouncer(t *testing.T) {
	pools := []struct {
		mode  pgtest.PoolMode
		modes []execMode
	}{
		{pgtest.TransactionPooling, []execMode{execModes[1], execModes[3], execModes[4]}},
		{pgtest.SessionPooling, execModes},
	}
	for _, p := range pools {
		t.Run(string(p.mode), func(t *testing.T) {
			base := pgtest.NewBouncer(t, p.mode)
			create, err := orm.Open(context.Background(), withURLParam(t, base, "default_query_exec_mode", "exec"), execModeRegistry())
			require.NoError(t, err)
			defer create.Close()
			for _, m := range p.modes {
				t.Run(m.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					defer cancel()
					require.NoError(t, create.DropAll(ctx))
					require.NoError(t, create.CreateAll(ctx))
					for _, opts := range [][]orm.Option{nil, {orm.WithCloseOnCancel()}} {
						db, err := orm.Open(ctx, withURLParam(t, base, "default_query_exec_mode", m.name), execModeRegistry(), opts...)
						require.NoError(t, err)
						s := db.Session()
						short, stop := context.WithTimeout(ctx, 100*time.Millisecond)
						_, err = orm.Raw[slept](s, "SELECT pg_sleep(30)::text AS slept").All(short)
						stop()
						require.ErrorIs(t, err, context.DeadlineExceeded)
						s.Close()
						db.Close()
					}
					db, err := orm.Open(ctx, withURLParam(t, base, "default_query_exec_mode", m.name), execModeRegistry())
					require.NoError(t, err)
					defer db.Close()
					check, err := pgx.Connect(ctx, withURLParam(t, base, "default_query_exec_mode", "exec"))
					require.NoError(t, err)
					defer check.Close(context.Background())
					execWorkload(ctx, t, db, check)
				})
			}
		})
	}
}
