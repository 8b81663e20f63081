package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestDemoUsesItsOwnDatabase runs the demo with DATABASE_URL naming a
// database that holds a table of the demo's own names and another one:
// the demo works in a fresh database of its own, drops it, and leaves the
// named one as it was.
func TestDemoUsesItsOwnDatabase(t *testing.T) {
	url := pgtest.New(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1);
		CREATE TABLE users (name text); INSERT INTO users VALUES ('not the demo''s')`); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", url)
	var out bytes.Buffer
	if err := run(ctx, &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`fresh database, (crucible_demo_[0-9a-f]+),`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output names no database:\n%s", out.String())
	}
	var tables, rows, demoDBs int
	err = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'),
		(SELECT count(*) FROM invoices) + (SELECT count(*) FROM users WHERE name = 'not the demo''s'),
		(SELECT count(*) FROM pg_database WHERE datname = $1)`, m[1]).Scan(&tables, &rows, &demoDBs)
	if err != nil || tables != 2 || rows != 2 || demoDBs != 0 {
		t.Errorf("tables %d (want 2), rows %d (want 2), demo databases left %d: %v", tables, rows, demoDBs, err)
	}
}
