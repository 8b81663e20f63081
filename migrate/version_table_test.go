package migrate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
)

// versionTables lists the tables named like a version table, with their
// schema, and the revisions each holds.
func versionTables(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	var out []string
	for _, name := range strs(t, pool, `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
		WHERE tablename IN ('ver', 'billing.ver', 'crucible_version') ORDER BY 1`) {
		out = append(out, name+" "+strings.Join(strs(t, pool, "SELECT revision FROM "+name), ","))
	}
	return out
}

func strs(t *testing.T, pool *pgxpool.Pool, query string) []string {
	t.Helper()
	return catalog(t, pool, query)
}

// TestVersionTableInSchema keeps the version table in a schema of its
// own, or names the search path's schema: the runner finds it, and
// autogenerate neither reports nor drops it, whatever schemas it reads.
func TestVersionTableInSchema(t *testing.T) {
	tests := []struct {
		name  string
		table string
		want  string
	}{
		{"a schema of its own", "billing.ver", "billing.ver c3"},
		{"the search path's schema named", "public.ver", "public.ver c3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := pgtest.New(t)
			pool, err := pgxpool.New(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			if _, err := pool.Exec(context.Background(), "CREATE SCHEMA billing"); err != nil {
				t.Fatal(err)
			}
			meta := thingsMeta(t)
			steps := []struct {
				name string
				args []string
				want string
			}{
				{"upgrade", []string{"upgrade", "head"}, "upgrade c3: index by name"},
				{"current", []string{"current"}, "c3 (head)"},
				{"check", []string{"check"}, "ok: the database is at head and matches the models"},
				{"check of every schema, dropping what is unmanaged", []string{"check", "-include-schemas", "*", "-drop-unmanaged"}, "ok: "},
			}
			for _, s := range steps {
				out, errOut, code := run(meta, simpleSet(), append(s.args, "-version-table", tc.table, "-database-url", url)...)
				if code != 0 || !strings.Contains(out, s.want) || strings.Contains(out, "not managed") {
					t.Fatalf("%s: exit %d\n%s%s", s.name, code, out, errOut)
				}
			}
			if got := versionTables(t, pool); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("version tables %q, want %q", got, tc.want)
			}
		})
	}
}

// TestVersionTableErrors: a malformed name is refused before anything
// runs, and a schema that does not exist is the user's to create; nothing
// is written either way.
func TestVersionTableErrors(t *testing.T) {
	url := pgtest.New(t)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	tests := []struct {
		name  string
		table string
		want  string
	}{
		{"two dots", "a.b.c", `version table "a.b.c": want TABLE or SCHEMA.TABLE`},
		{"no schema before the dot", ".ver", `version table ".ver": want TABLE or SCHEMA.TABLE`},
		{"no table after the dot", "billing.", `version table "billing.": want TABLE or SCHEMA.TABLE`},
		{"a schema that does not exist", "nowhere.ver", `create version table nowhere.ver: schema "nowhere" does not exist: create it first`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(thingsMeta(t), simpleSet(), "upgrade", "head", "-version-table", tc.table, "-database-url", url)
			if code != migrate.ExitError || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tc.want)
			}
			if n := count(t, pool, `SELECT count(*) FROM pg_class WHERE relname IN ('things', 'ver', 'a.b.c', '.ver', 'billing.')`); n != 0 {
				t.Errorf("%d tables created", n)
			}
		})
	}
}

// TestVersionTableOffline: the sql command qualifies the version table.
func TestVersionTableOffline(t *testing.T) {
	out, errOut, code := run(nil, simpleSet(), "sql", "upgrade", "head", "-version-table", "billing.ver")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	wantLines(t, out, `CREATE TABLE IF NOT EXISTS "billing"."ver" (revision text PRIMARY KEY);`,
		`DELETE FROM "billing"."ver";`, `INSERT INTO "billing"."ver" (revision) VALUES ('c3');`)
}
