package orm_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// capture records the statements sent through a pool, in order, with their
// arguments: plain queries and each statement of a batch (pipeline).
type capture struct {
	mu    sync.Mutex
	stmts []captured
	off   bool
}

type captured struct {
	SQL  string
	Args []any
}

func (c *capture) add(sql string, args []any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.off {
		c.stmts = append(c.stmts, captured{sql, args})
	}
}

func (c *capture) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(d.SQL, d.Args)
	return ctx
}
func (c *capture) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *capture) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (c *capture) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.add(d.SQL, d.Args)
}
func (c *capture) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// reset forgets what was captured so far.
func (c *capture) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stmts = nil
}

// sqls returns the captured statements' text.
func (c *capture) sqls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.stmts))
	for i, s := range c.stmts {
		out[i] = s.SQL
	}
	return out
}

// env is a test's database: a DB over a fresh database with the models'
// tables created, and the statement capture.
type env struct {
	t   *testing.T
	db  *orm.DB
	cap *capture
	url string
	ctx context.Context
}

func setup(t *testing.T, reg *orm.Registry, opts ...orm.Option) *env {
	t.Helper()
	url := pgtest.New(t)
	c := &capture{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	db, err := orm.Open(ctx, url, reg, append([]orm.Option{orm.WithTracer(c), orm.WithMaxConns(4)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.CreateAll(ctx); err != nil {
		t.Fatal(err)
	}
	c.reset()
	return &env{t: t, db: db, cap: c, url: url, ctx: ctx}
}

// rows runs a query on the database directly (not through a session) and
// returns its rows as values.
func (e *env) rows(sql string, args ...any) [][]any {
	e.t.Helper()
	e.cap.off = true
	defer func() { e.cap.off = false }()
	rows, err := e.db.Pool().Query(e.ctx, sql, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// count returns SELECT count(*) FROM table.
func (e *env) count(table string) int64 {
	e.t.Helper()
	return e.rows("SELECT count(*) FROM " + pgx.Identifier{table}.Sanitize())[0][0].(int64)
}

// exec runs a statement directly.
func (e *env) exec(sql string, args ...any) pgconn.CommandTag {
	e.t.Helper()
	e.cap.off = true
	defer func() { e.cap.off = false }()
	tag, err := e.db.Pool().Exec(e.ctx, sql, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return tag
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
