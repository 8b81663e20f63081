package migrate_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
)

// tracer records the SQL a pool sends and whether it ran in a transaction.
type tracer struct {
	mu  sync.Mutex
	sql []string
}

func (tr *tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.sql = append(tr.sql, d.SQL)
	return ctx
}

func (tr *tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (tr *tracer) statements() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.sql)
}

// tracedPool opens a pool on url whose statements tr records.
func tracedPool(t *testing.T, url string, tr *tracer) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tr
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// simpleSet is a linear history: a table, a column, an index built
// concurrently.
func simpleSet() *migrate.Set {
	return migrate.NewSet(
		migrate.Revision{ID: "a1", Message: "things",
			Upgrade:   []migrate.Op{migrate.Execute{SQL: "CREATE TABLE things (id int PRIMARY KEY, name text)", Undo: "DROP TABLE things"}},
			Downgrade: []migrate.Op{migrate.Execute{SQL: "DROP TABLE things"}}},
		migrate.Revision{ID: "b2", Down: "a1", Message: "things.size",
			Upgrade:   []migrate.Op{migrate.AddColumn{Table: "things", Column: nullCol("size", "integer")}},
			Downgrade: []migrate.Op{migrate.DropColumn{Table: "things", Column: nullCol("size", "integer")}}},
		migrate.Revision{ID: "c3", Down: "b2", Message: "index by name",
			Upgrade: []migrate.Op{
				migrate.Execute{SQL: "INSERT INTO things VALUES (1, 'one')"},
				migrate.CreateIndex{Table: "things", Index: idx("ix_things_name", "name"), Concurrently: true},
				migrate.Execute{SQL: "INSERT INTO things VALUES (2, 'two')"},
			},
			Downgrade: []migrate.Op{
				migrate.DropIndex{Table: "things", Index: idx("ix_things_name", "name"), Concurrently: true},
				migrate.Execute{SQL: "DELETE FROM things"},
			}},
	)
}

func TestRunnerUpgradeDowngradeTargets(t *testing.T) {
	pool := pgtest.NewPool(t)
	r := migrate.NewRunner(pool, simpleSet())
	ctx := context.Background()
	steps := []struct {
		name    string
		dir     migrate.Direction
		target  string
		applied []string
		current []string
	}{
		{"one step up", migrate.Up, "+1", []string{"a1"}, []string{"a1"}},
		{"back to base", migrate.Down, "base", []string{"a1"}, nil},
		{"to head", migrate.Up, "head", []string{"a1", "b2", "c3"}, []string{"c3"}},
		{"already at head", migrate.Up, "head", nil, []string{"c3"}},
		{"two steps down", migrate.Down, "-2", []string{"c3", "b2"}, []string{"a1"}},
		{"up to a revision", migrate.Up, "b2", []string{"b2"}, []string{"b2"}},
		{"down to a revision", migrate.Down, "a1", []string{"b2"}, []string{"a1"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			run := r.Downgrade
			if s.dir == migrate.Up {
				run = r.Upgrade
			}
			done, err := run(ctx, s.target)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(done); !slices.Equal(got, s.applied) {
				t.Errorf("ran %v, want %v", got, s.applied)
			}
			cur, err := r.Current(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cur, s.current) {
				t.Errorf("current %v, want %v", cur, s.current)
			}
		})
	}
}

func ids(revs []*migrate.Revision) []string {
	var out []string
	for _, r := range revs {
		out = append(out, r.ID)
	}
	return out
}

func TestRunnerBadTargets(t *testing.T) {
	pool := pgtest.NewPool(t)
	r := migrate.NewRunner(pool, simpleSet())
	ctx := context.Background()
	if _, err := r.Upgrade(ctx, "b2"); err != nil {
		t.Fatal(err)
	}
	var unknown *migrate.UnknownRevisionError
	tests := []struct {
		name  string
		run   func() error
		check func(error) bool
	}{
		{"unknown revision", func() error { _, err := r.Upgrade(ctx, "zzzz"); return err }, func(err error) bool { return errors.As(err, &unknown) }},
		{"too many steps up", func() error { _, err := r.Upgrade(ctx, "+5"); return err }, func(err error) bool { return err != nil }},
		{"too many steps down", func() error { _, err := r.Downgrade(ctx, "-3"); return err }, func(err error) bool { return err != nil }},
		{"downgrade to an unapplied revision", func() error { _, err := r.Downgrade(ctx, "c3"); return err }, func(err error) bool { return err != nil }},
		{"bad relative", func() error { _, err := r.Upgrade(ctx, "+0"); return err }, func(err error) bool { return err != nil }},
		{"upgrade to base", func() error { _, err := r.Upgrade(ctx, migrate.Base); return err }, wrongWay(&unknown, "downgrade takes base and -N")},
		{"upgrade by -1", func() error { _, err := r.Upgrade(ctx, "-1"); return err }, wrongWay(&unknown, "downgrade takes base and -N")},
		{"downgrade by +1", func() error { _, err := r.Downgrade(ctx, "+1"); return err }, wrongWay(&unknown, "upgrade takes head, heads and +N")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !tc.check(err) {
				t.Errorf("err = %v", err)
			}
			if cur, _ := r.Current(ctx); !slices.Equal(cur, []string{"b2"}) {
				t.Errorf("current moved to %v", cur)
			}
		})
	}
}

// wrongWay matches an UnknownRevisionError for a target of the other
// direction, whose message says which command takes it.
func wrongWay(target **migrate.UnknownRevisionError, hint string) func(error) bool {
	return func(err error) bool { return errors.As(err, target) && strings.Contains(err.Error(), hint) }
}

// TestRunnerNonTransactional checks that CREATE INDEX CONCURRENTLY runs on
// its own, between two transactions of the same revision.
func TestRunnerNonTransactional(t *testing.T) {
	tr := &tracer{}
	pool := tracedPool(t, pgtest.New(t), tr)
	r := migrate.NewRunner(pool, simpleSet())
	if _, err := r.Upgrade(context.Background(), "head"); err != nil {
		t.Fatal(err)
	}
	sql := slices.DeleteFunc(tr.statements(), func(s string) bool { return strings.Contains(s, "pg_locks") })
	i := slices.IndexFunc(sql, func(s string) bool { return strings.HasPrefix(s, "CREATE INDEX CONCURRENTLY") })
	if i < 2 || sql[i-1] != "commit" || sql[i+1] != "begin" {
		t.Errorf("CREATE INDEX CONCURRENTLY not between transactions:\n%s", strings.Join(sql, "\n"))
	}
	if _, err := r.Downgrade(context.Background(), migrate.Base); err != nil {
		t.Fatal(err)
	}
}

// TestRunnerFailureRollsBack checks that a failing op rolls its revision
// back, names the revision and the op, and keeps the earlier revisions.
func TestRunnerFailureRollsBack(t *testing.T) {
	pool := pgtest.NewPool(t)
	set := migrate.NewSet(
		migrate.Revision{ID: "a1", Upgrade: []migrate.Op{migrate.Execute{SQL: "CREATE TABLE ok (id int)"}}},
		migrate.Revision{ID: "b2", Down: "a1", Upgrade: []migrate.Op{
			migrate.Execute{SQL: "CREATE TABLE half (id int)"},
			migrate.AddColumn{Table: "missing", Column: col("x", "text")},
		}},
	)
	r := migrate.NewRunner(pool, set)
	ctx := context.Background()
	done, err := r.Upgrade(ctx, "head")
	var oe *migrate.OpError
	if !errors.As(err, &oe) || oe.Revision != "b2" || oe.Index != 2 || oe.Op != "add column missing.x" || oe.Direction != "upgrade" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "upgrade b2: op 2 (add column missing.x)") {
		t.Errorf("message %q", err)
	}
	if !slices.Equal(ids(done), []string{"a1"}) {
		t.Errorf("applied %v", ids(done))
	}
	if cur, _ := r.Current(ctx); !slices.Equal(cur, []string{"a1"}) {
		t.Errorf("current %v", cur)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'half'").Scan(&n); err != nil || n != 0 {
		t.Errorf("table half left behind (%d, %v)", n, err)
	}
}

func TestRunnerRefusesIrreversible(t *testing.T) {
	pool := pgtest.NewPool(t)
	set := migrate.NewSet(
		migrate.Revision{ID: "a1", Upgrade: []migrate.Op{migrate.Execute{SQL: "CREATE TABLE t (id int)"}},
			Downgrade: []migrate.Op{migrate.Execute{SQL: "DROP TABLE t"}}},
		migrate.Revision{ID: "b2", Down: "a1", Upgrade: []migrate.Op{migrate.Execute{SQL: "DELETE FROM t"}},
			Downgrade: []migrate.Op{migrate.Irreversible{Reason: "deleted rows cannot come back"}}},
	)
	r := migrate.NewRunner(pool, set)
	ctx := context.Background()
	if _, err := r.Upgrade(ctx, "head"); err != nil {
		t.Fatal(err)
	}
	_, err := r.Downgrade(ctx, migrate.Base)
	var ie *migrate.IrreversibleError
	if !errors.As(err, &ie) || ie.Revision != "b2" || !strings.Contains(err.Error(), "deleted rows cannot come back") {
		t.Fatalf("err = %v", err)
	}
	if cur, _ := r.Current(ctx); !slices.Equal(cur, []string{"b2"}) {
		t.Errorf("current %v: the refused downgrade changed something", cur)
	}
}

// TestRunnerConcurrent starts several runners at once: each revision is
// applied once, the others wait on the lock and find nothing to do.
func TestRunnerConcurrent(t *testing.T) {
	url := pgtest.New(t)
	set := migrate.NewSet(
		migrate.Revision{ID: "a1", Upgrade: []migrate.Op{
			migrate.Execute{SQL: "CREATE TABLE applied (rev text)"},
			migrate.Execute{SQL: "INSERT INTO applied VALUES ('a1')"},
			migrate.Execute{SQL: "SELECT pg_sleep(0.2)"},
		}},
		migrate.Revision{ID: "b2", Down: "a1", Upgrade: []migrate.Op{
			migrate.Execute{SQL: "INSERT INTO applied VALUES ('b2')"},
			migrate.Execute{SQL: "SELECT pg_sleep(0.2)"},
		}},
	)
	total := concurrently(t, url, set, 3, func(r *migrate.Runner) ([]*migrate.Revision, error) {
		return r.Upgrade(context.Background(), "head")
	})
	pool := tracedPool(t, url, &tracer{})
	var rows []string
	r, err := pool.Query(context.Background(), "SELECT rev FROM applied ORDER BY rev")
	if err == nil {
		rows, err = pgx.CollectRows(r, pgx.RowTo[string])
	}
	if err != nil || !slices.Equal(rows, []string{"a1", "b2"}) || total != 2 {
		t.Errorf("rows %v (%v), %d applications in all", rows, err, total)
	}
}

// TestRunnerLockTimeout holds the migration lock elsewhere: the runner
// gives up after its timeout with ErrLocked, whether the lock is another
// runner's (transaction-level) or an older runner's (session-level).
func TestRunnerLockTimeout(t *testing.T) {
	key := postgres.LockKey("crucible migrate " + migrate.DefaultVersionTable)
	for _, tc := range []struct {
		name string
		hold func(t *testing.T, ctx context.Context, pool *pgxpool.Pool)
	}{
		{"transaction lock", func(t *testing.T, ctx context.Context, pool *pgxpool.Pool) {
			tx, err := postgres.AdvisoryXactLock(ctx, pool, key, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = tx.Rollback(ctx) })
		}},
		{"session lock", func(t *testing.T, ctx context.Context, pool *pgxpool.Pool) {
			pgtest.NeedSession(t, "a session advisory lock")
			conn, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(conn.Release)
			release, err := postgres.AdvisoryLock(ctx, conn, key, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = release(ctx) })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := pgtest.NewPool(t)
			ctx := context.Background()
			tc.hold(t, ctx, pool)
			r := migrate.NewRunner(pool, simpleSet(), migrate.WithLockTimeout(100*time.Millisecond))
			if _, err := r.Upgrade(ctx, "head"); !errors.Is(err, migrate.ErrLocked) || !errors.Is(err, postgres.ErrLockTimeout) {
				t.Fatalf("err = %v, want ErrLocked", err)
			}
			if cur, err := r.Current(ctx); err != nil || len(cur) != 0 {
				t.Errorf("current %v (%v): the locked runner changed something", cur, err)
			}
		})
	}
}

// TestRunnerOneConnection refuses a pool of one connection before
// anything runs: the lock's holder and the revisions need one each.
func TestRunnerOneConnection(t *testing.T) {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	one, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	r := migrate.NewRunner(one, simpleSet())
	if _, err := r.Upgrade(ctx, migrate.Head); err == nil || !strings.Contains(err.Error(), "the pool allows 1 connection, the runner needs 2") {
		t.Fatalf("err = %v", err)
	}
	if cur, err := r.Current(ctx); err != nil || len(cur) != 0 {
		t.Errorf("current %v (%v): the refused upgrade changed something", cur, err)
	}
}

func TestRunnerStamp(t *testing.T) {
	pool := pgtest.NewPool(t)
	r := migrate.NewRunner(pool, simpleSet())
	ctx := context.Background()
	for _, tc := range []struct {
		name, target string
		want         []string
	}{
		{"head", migrate.Head, []string{"c3"}},
		{"revision", "b2", []string{"b2"}},
		{"base", migrate.Base, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.Stamp(ctx, tc.target); err != nil {
				t.Fatal(err)
			}
			if cur, _ := r.Current(ctx); !slices.Equal(cur, tc.want) {
				t.Errorf("current %v, want %v", cur, tc.want)
			}
		})
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'things'").Scan(&n); err != nil || n != 0 {
		t.Errorf("stamp ran ops (%d, %v)", n, err)
	}
}

// TestRunnerUpgradeBelowHeads: an upgrade to a revision the database has
// passed is refused (that is a downgrade), nothing run, the version kept;
// an upgrade to where the database stands does nothing.
func TestRunnerUpgradeBelowHeads(t *testing.T) {
	pool := pgtest.NewPool(t)
	r := migrate.NewRunner(pool, simpleSet())
	ctx := context.Background()
	if _, err := r.Upgrade(ctx, "head"); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"a1", "b2"} {
		done, err := r.Upgrade(ctx, target)
		want := "upgrade " + target + ": revision " + target + " is below the heads (c3): that is a downgrade"
		if err == nil || err.Error() != want || len(done) != 0 {
			t.Errorf("upgrade %s: applied %v, err %v; want %q", target, ids(done), err, want)
		}
	}
	if cur, _ := r.Current(ctx); !slices.Equal(cur, []string{"c3"}) {
		t.Errorf("current %v", cur)
	}
	if done, err := r.Upgrade(ctx, "c3"); err != nil || len(done) != 0 {
		t.Errorf("upgrade to the head it stands at: applied %v, err %v", ids(done), err)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname = 'things'").Scan(&n); err != nil || n != 1 {
		t.Errorf("table things: %d, %v", n, err)
	}
}
