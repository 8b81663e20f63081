package migrate_test

import (
	"context"
	"errors"
	"fmt"
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

// The exec modes that work behind PgBouncer's transaction pooling: both
// send each statement in one round trip with no named prepared statement.
var pooledModes = []string{"exec", "simple_protocol"}

// loggedSet is simpleSet with each step recorded in migration_log, a table
// the revisions do not own, so that a step applied twice shows.
func loggedSet() *migrate.Set {
	logged := func(step string) migrate.Op {
		return migrate.Execute{SQL: "INSERT INTO migration_log VALUES ('" + step + "'); SELECT pg_sleep(0.05)"}
	}
	return migrate.NewSet(
		migrate.Revision{ID: "a1", Message: "things",
			Upgrade:   []migrate.Op{migrate.Execute{SQL: "CREATE TABLE things (id int PRIMARY KEY, name text)"}, logged("up a1")},
			Downgrade: []migrate.Op{migrate.Execute{SQL: "DROP TABLE things"}, logged("down a1")}},
		migrate.Revision{ID: "b2", Down: "a1", Message: "index by name",
			Upgrade: []migrate.Op{
				logged("up b2"),
				migrate.CreateIndex{Table: "things", Index: idx("ix_things_name", "name"), Concurrently: true},
			},
			Downgrade: []migrate.Op{
				migrate.DropIndex{Table: "things", Index: idx("ix_things_name", "name"), Concurrently: true},
				logged("down b2"),
			}},
		migrate.Revision{ID: "c3", Down: "b2", Message: "things.size",
			Upgrade:   []migrate.Op{migrate.AddColumn{Table: "things", Column: nullCol("size", "integer")}, logged("up c3")},
			Downgrade: []migrate.Op{migrate.DropColumn{Table: "things", Column: nullCol("size", "integer")}, logged("down c3")}},
	)
}

// bouncedDB returns the URL of a fresh database behind PgBouncer's
// transaction pooling in exec mode, with migration_log created, and a pool
// on it for checks by plain SQL.
func bouncedDB(t *testing.T, mode string) (string, *pgxpool.Pool) {
	url := pgtest.NewBouncer(t, pgtest.TransactionPooling) + "&default_query_exec_mode=" + mode
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(context.Background(), "CREATE TABLE migration_log (step text)"); err != nil {
		t.Fatal(err)
	}
	return url, pool
}

// logged returns each step of migration_log with the times it ran.
func logged(t *testing.T, pool *pgxpool.Pool) map[string]int {
	rows, err := pool.Query(context.Background(), "SELECT step, count(*)::int FROM migration_log GROUP BY step")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var step string
		var n int
		if err := rows.Scan(&step, &n); err != nil {
			t.Fatal(err)
		}
		got[step] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// concurrently runs n runners of set on url at once, each with a pool of
// its own, and returns how many revisions they moved in all.
func concurrently(t *testing.T, url string, set *migrate.Set, n int, move func(*migrate.Runner) ([]*migrate.Revision, error)) int {
	var wg sync.WaitGroup
	moved := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		pool, err := pgxpool.New(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := move(migrate.NewRunner(pool, set, migrate.WithLockTimeout(time.Minute)))
			moved[i], errs[i] = len(done), err
		}()
	}
	wg.Wait()
	total := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("runner %d: %v", i, errs[i])
		}
		total += moved[i]
	}
	return total
}

// TestRunnersBehindPgBouncer starts eight runners at once through
// PgBouncer's transaction pooling, up to the head and then down to base:
// each step of each revision runs once, with no error.
func TestRunnersBehindPgBouncer(t *testing.T) {
	for _, mode := range pooledModes {
		t.Run(mode, func(t *testing.T) {
			url, pool := bouncedDB(t, mode)
			const runners = 8
			up := concurrently(t, url, loggedSet(), runners, func(r *migrate.Runner) ([]*migrate.Revision, error) {
				return r.Upgrade(context.Background(), migrate.Head)
			})
			want := map[string]int{"up a1": 1, "up b2": 1, "up c3": 1}
			if got := logged(t, pool); fmt.Sprint(got) != fmt.Sprint(want) || up != 3 {
				t.Errorf("after upgrades: log %v, %d revisions applied in all", got, up)
			}
			down := concurrently(t, url, loggedSet(), runners, func(r *migrate.Runner) ([]*migrate.Revision, error) {
				return r.Downgrade(context.Background(), migrate.Base)
			})
			want = map[string]int{"up a1": 1, "up b2": 1, "up c3": 1, "down a1": 1, "down b2": 1, "down c3": 1}
			if got := logged(t, pool); fmt.Sprint(got) != fmt.Sprint(want) || down != 3 {
				t.Errorf("after downgrades: log %v, %d revisions undone in all", got, down)
			}
		})
	}
}

// TestRunnerLockLost ends the lock holder's connection while a revision
// runs (waiting until its server process has exited, and its lock with
// it): the next revision is refused with ErrLockLost, nothing of it
// written.
func TestRunnerLockLost(t *testing.T) {
	url, pool := bouncedDB(t, "exec")
	kill := migrate.RunGo{Name: "end the lock holder", Up: func(ctx context.Context, tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid, 30000))::int FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE '%pg_backend_pid()%idle_in_transaction_session_timeout%' AND state = 'idle in transaction'`).Scan(&n)
		if err == nil && n != 1 {
			err = fmt.Errorf("%d lock holders ended", n)
		}
		return err
	}}
	set := migrate.NewSet(
		migrate.Revision{ID: "a1", Upgrade: []migrate.Op{kill}},
		migrate.Revision{ID: "b2", Down: "a1", Upgrade: []migrate.Op{migrate.Execute{SQL: "INSERT INTO migration_log VALUES ('up b2')"}}},
	)
	runPool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer runPool.Close()
	r := migrate.NewRunner(runPool, set)
	done, err := r.Upgrade(context.Background(), migrate.Head)
	if !errors.Is(err, migrate.ErrLockLost) || len(done) != 1 {
		t.Fatalf("applied %v, err = %v; want a1 and ErrLockLost", ids(done), err)
	}
	if got := logged(t, pool); len(got) != 0 {
		t.Errorf("b2 ran without the lock: %v", got)
	}
	if cur, err := r.Current(context.Background()); err != nil || strings.Join(cur, ",") != "a1" {
		t.Errorf("current %v (%v), want a1", cur, err)
	}
}

// TestCLIBehindPgBouncer runs the migrate command twice each way through
// PgBouncer's transaction pooling: the second run finds nothing to do.
func TestCLIBehindPgBouncer(t *testing.T) {
	url, pool := bouncedDB(t, "exec")
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"upgrade", "head"}, "upgrade c3: things.size\n"},
		{[]string{"upgrade", "head"}, "nothing to upgrade\n"},
		{[]string{"downgrade", "base"}, "downgrade a1: things\n"},
		{[]string{"downgrade", "base"}, "nothing to downgrade\n"},
	} {
		out, errOut, code := run(nil, loggedSet(), append(step.args, "-database-url", url)...)
		if code != 0 || !strings.Contains(out, step.want) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q\nwant %q", step.args, code, out, errOut, step.want)
		}
	}
	if got := logged(t, pool); len(got) != 6 {
		t.Errorf("log %v, want each step once", got)
	}
}

// TestWaitingRunnersLeavePgBouncerServersFree starts more runners than
// PgBouncer has server connections for the database (pgtest's pool holds
// 20) while the migration lock is held: a runner waiting for the lock must
// not keep a server connection (an open transaction) between its tries,
// or the waiters take every server connection and the runner that gets
// the lock cannot run its revisions until they all time out.
func TestWaitingRunnersLeavePgBouncerServersFree(t *testing.T) {
	url, pool := bouncedDB(t, "exec")
	ctx := context.Background()
	// Another runner holds the lock: a transaction of its own.
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := postgres.LockKey("crucible migrate " + migrate.DefaultVersionTable)
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", key); err != nil {
		t.Fatal(err)
	}
	const runners = 30
	var wg sync.WaitGroup
	moved := make([]int, runners)
	errs := make([]error, runners)
	for i := range runners {
		p, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := migrate.NewRunner(p, loggedSet(), migrate.WithLockTimeout(20*time.Second)).Upgrade(ctx, migrate.Head)
			moved[i], errs[i] = len(done), err
		}()
	}
	time.Sleep(2 * time.Second) // every runner is waiting by now
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	total := 0
	for i := range runners {
		if errs[i] != nil {
			t.Errorf("runner %d: %v", i, errs[i])
		}
		total += moved[i]
	}
	want := map[string]int{"up a1": 1, "up b2": 1, "up c3": 1}
	if got := logged(t, pool); fmt.Sprint(got) != fmt.Sprint(want) || total != 3 {
		t.Errorf("log %v, %d revisions applied in all; want each step once", got, total)
	}
}
