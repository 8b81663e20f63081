package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
)

// TestRunGo runs a data migration written in Go inside the revision's
// transaction, undoes it, and checks that a failing one rolls back.
func TestRunGo(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	errBoom := errors.New("boom")
	upper := migrate.RunGo{Name: "upper-case names",
		Up: func(ctx context.Context, tx pgx.Tx) error {
			rows, err := tx.Query(ctx, "SELECT name FROM people")
			if err != nil {
				return err
			}
			names, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			for _, n := range names {
				if _, err := tx.Exec(ctx, "UPDATE people SET name = $1 WHERE name = $2", strings.ToUpper(n), n); err != nil {
					return err
				}
			}
			return nil
		},
		Down: func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE people SET name = lower(name)")
			return err
		}}
	set := migrate.NewSet(
		migrate.Revision{ID: "a1", Upgrade: []migrate.Op{migrate.Execute{SQL: "CREATE TABLE people (name text); INSERT INTO people VALUES ('ann'), ('bob')"}}},
		migrate.Revision{ID: "b2", Down: "a1", Upgrade: []migrate.Op{upper}, Downgrade: []migrate.Op{mustReverse(t, upper)}},
		migrate.Revision{ID: "c3", Down: "b2", Upgrade: []migrate.Op{
			migrate.Execute{SQL: "DELETE FROM people"},
			migrate.RunGo{Name: "fail", Up: func(context.Context, pgx.Tx) error { return errBoom }},
		}},
	)
	r := migrate.NewRunner(pool, set)
	_, err := r.Upgrade(ctx, "head")
	var oe *migrate.OpError
	if !errors.As(err, &oe) || !errors.Is(err, errBoom) || oe.Revision != "c3" || oe.Op != "run Go fail" {
		t.Fatalf("err = %v", err)
	}
	names := func() string {
		var s string
		if err := pool.QueryRow(ctx, "SELECT string_agg(name, ',' ORDER BY name) FROM people").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := names(); got != "ANN,BOB" {
		t.Errorf("after upgrade: %q (c3's DELETE must be rolled back)", got)
	}
	if _, err := r.Downgrade(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if got := names(); got != "ann,bob" {
		t.Errorf("after downgrade: %q", got)
	}
	if _, err := (migrate.RunGo{Name: "one way", Up: upper.Up}).Reverse(); err == nil {
		t.Error("RunGo without Down reversed")
	}
	script, err := migrate.SQL(set, nil, migrate.Up, "", "b2", "")
	if err != nil || !strings.Contains(script, "-- RUNS GO CODE, not shown as SQL: run Go upper-case names") {
		t.Errorf("offline script (%v):\n%s", err, script)
	}
}

func mustReverse(t *testing.T, op migrate.Op) migrate.Op {
	t.Helper()
	r, err := op.Reverse()
	if err != nil {
		t.Fatal(err)
	}
	return r
}
