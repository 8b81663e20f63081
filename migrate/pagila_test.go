package migrate_test

import (
	"context"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// pagilaMeta returns the metadata of the Pagila models, or of the models
// given, with PostgreSQL's names for the constraints the models leave
// unnamed, as Pagila's DDL left them to the server.
func pagilaMeta(t testing.TB, models ...any) *schema.Metadata {
	t.Helper()
	if len(models) == 0 {
		models = pagilaModels()
	}
	tables, enums, err := schema.NewMapper().MapAll(models...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := schema.NewMetadata(tables, enums, schema.WithNaming(schema.PostgresNaming{}))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// psql runs the SQL files of testdata/pagila on the database at url with
// psql, stopping at the first error, the way a user loads a dump.
func psql(t testing.TB, url string, files ...string) {
	t.Helper()
	bin := psqlBinary(t)
	args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", libpqURL(t, url)}
	for _, f := range files {
		args = append(args, "-f", filepath.Join("testdata", "pagila", f))
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("psql %v: %v\n%s", files, err, out)
	}
}

// libpqURL drops from url the parameters libpq does not know, such as
// pgx's default_query_exec_mode (which pgtest adds behind PgBouncer).
func libpqURL(t testing.TB, url string) string {
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("default_query_exec_mode")
	u.RawQuery = q.Encode()
	return u.String()
}

// psqlBinary finds psql on PATH or with the server's binaries.
func psqlBinary(t testing.TB) string {
	if p, err := exec.LookPath("psql"); err == nil {
		return p
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	if len(found) == 0 {
		t.Fatal("psql not found on PATH or in /usr/lib/postgresql/*/bin")
	}
	slices.Sort(found)
	return found[len(found)-1]
}

// newPagila returns a fresh database loaded with the Pagila schema (and
// its rows and unmanaged objects, with data).
func newPagila(t *testing.T, data bool) (string, *pgxpool.Pool) {
	url := pgtest.New(t)
	files := []string{"schema.sql"}
	if data {
		files = append(files, "data.sql")
	}
	psql(t, url, files...)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return url, pool
}

// TestPagilaNoFalseDiff compares the models with the database they
// describe: nothing to do, and what no model describes is reported.
func TestPagilaNoFalseDiff(t *testing.T) {
	_, pool := newPagila(t, true)
	ctx := context.Background()
	tests := []struct {
		name      string
		scope     migrate.Scope
		unmanaged []string
	}{
		{"default scope", migrate.Scope{}, []string{"table invoices", "type legacy_status"}},
		{"another schema included", migrate.Scope{IncludeSchemas: []string{"*"}}, []string{"table invoices", "table reporting.daily", "type legacy_status"}},
		{"unmanaged excluded", migrate.Scope{Exclude: []string{"invoice*", "legacy_status"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := migrate.NewRunner(pool, migrate.NewSet(), migrate.WithMetadata(pagilaMeta(t)), migrate.WithScope(tc.scope))
			d, err := r.Check(ctx)
			if err != nil {
				t.Fatalf("check: %v: %q", err, opNames(d.Ops))
			}
			if got := objectNames(d.Unmanaged); !slices.Equal(got, tc.unmanaged) {
				t.Errorf("unmanaged %q, want %q", got, tc.unmanaged)
			}
		})
	}
}

// pagilaPrelude is what a baseline revision of Pagila holds besides the
// models: the domain the film table uses, before the tables, and the
// functions, triggers and views, after them.
func pagilaPrelude(t testing.TB) (before, after []migrate.Op) {
	src, err := os.ReadFile(filepath.Join("testdata", "pagila", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	cut := func(from, to string) string {
		i, j := strings.Index(s, from), strings.Index(s, to)
		if i < 0 || j < i {
			t.Fatalf("schema.sql: no %q before %q", from, to)
		}
		return s[i:j]
	}
	before = []migrate.Op{
		migrate.Execute{SQL: cut("CREATE DOMAIN year", "CREATE FUNCTION last_updated"), Undo: "DROP DOMAIN year"},
		migrate.Execute{SQL: cut("CREATE FUNCTION last_updated", "CREATE TABLE actor"), Undo: "DROP FUNCTION last_updated()"},
	}
	after = []migrate.Op{migrate.Execute{SQL: s[strings.Index(s, "CREATE TRIGGER last_updated"):],
		Undo: "DROP FUNCTION film_in_stock(integer, integer); DROP VIEW sales.sales_by_store; DROP VIEW actor_info; " +
			"DROP TRIGGER film_fulltext_trigger ON film; DROP TRIGGER last_updated ON film; DROP TRIGGER last_updated ON actor"}}
	return before, after
}

// pagilaBaseline drafts the baseline revision of the Pagila database at
// pool: the models' creation with the prelude around it.
func pagilaBaseline(t testing.TB, pool *pgxpool.Pool) *migrate.Revision {
	t.Helper()
	d, err := migrate.NewRunner(pool, migrate.NewSet(), migrate.WithMetadata(pagilaMeta(t))).Baseline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before, after := pagilaPrelude(t)
	d.Ops = slices.Concat(before, d.Ops, after)
	rev, err := migrate.Draft(migrate.NewSet(), "baseline", d)
	if err != nil {
		t.Fatal(err)
	}
	rev.ID = "baseline"
	return rev
}

// TestPagilaFromEmpty builds Pagila on an empty database from its
// baseline revision and compares the two catalogs by plain SQL; then the
// downgrade to base leaves nothing.
func TestPagilaFromEmpty(t *testing.T) {
	_, loaded := newPagila(t, false)
	rev := pagilaBaseline(t, loaded)
	if got := opNames(rev.Upgrade); !slices.Contains(got, "create schema sales") || !slices.Contains(got, "create enum mpaa_rating") ||
		slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "drop ") }) {
		t.Errorf("baseline ops %q", got)
	}

	h := newHistory(t)
	h.revs = append(h.revs, *rev)
	meta := pagilaMeta(t)
	h.upgrade(meta, migrate.Head)
	for _, q := range catalogQueries {
		want, got := catalog(t, loaded, q), catalog(t, h.pool, q)
		if len(want) == 0 {
			t.Errorf("%s: nothing in the loaded catalog", q)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s\n built %q\nloaded %q", q, got, want)
		}
	}
	h.assertClean(meta, "after upgrade")
	h.downgrade(meta, migrate.Base)
	h.assertEmptySchema()
	if n := h.count(`SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'`) +
		h.count(`SELECT count(*) FROM pg_proc WHERE proname IN ('last_updated', 'film_in_stock')`); n != 0 {
		t.Errorf("%d schemas or functions left after downgrade to base", n)
	}
}

// catalogQueries read what the models describe, names included.
var catalogQueries = []string{
	`SELECT conrelid::regclass::text || ' ' || conname || ' ' || contype::text FROM pg_constraint
	WHERE connamespace IN ('public'::regnamespace, 'sales'::regnamespace) AND conrelid <> 0
		AND conrelid::regclass::text <> 'crucible_version'
	ORDER BY 1`,
	`SELECT schemaname || '.' || tablename || ' ' || indexname FROM pg_indexes
	WHERE schemaname IN ('public', 'sales') AND tablename <> 'crucible_version'
	ORDER BY 1`,
	`SELECT n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
		CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE c.relkind = 'r' AND n.nspname IN ('public', 'sales') AND a.attnum > 0 AND NOT a.attisdropped
		AND c.relname <> 'crucible_version'
	ORDER BY n.nspname, c.relname, a.attnum`,
	`SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
	FROM pg_constraint WHERE connamespace IN ('public'::regnamespace, 'sales'::regnamespace) AND conrelid <> 0
		AND conrelid::regclass::text <> 'crucible_version'
	ORDER BY 1`,
	`SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
	WHERE c.relnamespace IN ('public'::regnamespace, 'sales'::regnamespace)
		AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
	ORDER BY 1`,
	`SELECT t.typnamespace::regnamespace::text || '.' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
	FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.oid ORDER BY 1`,
	`SELECT c.oid::regclass::text FROM pg_class c WHERE c.relkind IN ('S', 'v')
		AND c.relnamespace IN ('public'::regnamespace, 'sales'::regnamespace) ORDER BY 1`,
	`SELECT tgrelid::regclass::text || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`,
}

func catalog(t *testing.T, pool *pgxpool.Pool, query string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// FilmWithOriginal is the next version of Film: the change made once the
// database is adopted.
type FilmWithOriginal struct {
	Film
	OriginalLanguageID *int16 `orm:"fk:language.language_id"`
}

// TableName keeps the table's name.
func (FilmWithOriginal) TableName() string { return "film" }

// TestPagilaAdopt walks through docs/migrations.md, "Adopting an existing
// database", with the command line: check, a baseline revision, stamp,
// then autogenerate as usual; nothing the models do not describe is lost
// on the way.
func TestPagilaAdopt(t *testing.T) {
	url, pool := newPagila(t, true)
	dir := filepath.Join(t.TempDir(), "migrations")
	if err := migrate.Init(dir); err != nil {
		t.Fatal(err)
	}
	meta := pagilaMeta(t)
	cmd := func(meta *schema.Metadata, set *migrate.Set, code int, args ...string) string {
		t.Helper()
		out, errOut, got := run(meta, set, append(args, "-database-url", url, "-dir", dir)...)
		if got != code {
			t.Fatalf("migrate %v: exit %d, want %d\n%s%s", args, got, code, out, errOut)
		}
		return out
	}
	out := cmd(meta, nil, 0, "check")
	wantLines(t, out, "not managed: table invoices — add a model or exclude it (-exclude invoices)",
		"not managed: type legacy_status — add a model or exclude it (-exclude legacy_status)",
		"ok: the database is at head and matches the models")

	out = cmd(meta, nil, 0, "revision", "-baseline", "-m", "baseline", "-rev-id", "baseline")
	wantLines(t, out, "wrote "+filepath.Join(dir, "0001_baseline.go")+" (revision baseline)", "  create schema sales",
		"  create table film", "baseline: run `stamp head` on each database that already has this schema")
	src := readFile(t, filepath.Join(dir, "0001_baseline.go"))
	if up, _, _ := strings.Cut(src, "Downgrade: []migrate.Op"); !strings.Contains(up, `migrate.CreateTable{`) || strings.Contains(up, "migrate.Drop") {
		t.Errorf("baseline file:\n%s", src)
	}
	set := migrate.NewSet(*pagilaBaseline(t, pool)) // the baseline as the user edits it: with the prelude
	cmd(meta, set, 0, "stamp", "head")
	cmd(meta, set, 0, "check", "-exclude", "invoices,legacy_status")

	models := pagilaModels()
	models[slices.IndexFunc(models, func(m any) bool { _, film := m.(*Film); return film })] = &FilmWithOriginal{}
	next := pagilaMeta(t, models...)
	out = cmd(next, set, 1, "check")
	wantLines(t, out, "  add column film.original_language_id", "  add foreign key film_original_language_id_fkey on film")
	out = cmd(next, set, 0, "revision", "-autogenerate", "-m", "original language", "-rev-id", "orig")
	if strings.Contains(out, "DESTRUCTIVE") || strings.Contains(out, "drop ") {
		t.Errorf("second revision drops something:\n%s", out)
	}
	d, err := migrate.NewRunner(pool, set, migrate.WithMetadata(next)).Autogenerate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	second, err := migrate.Draft(set, "original language", d)
	if err != nil {
		t.Fatal(err)
	}
	set = migrate.NewSet(*set.Revision("baseline"), *second)
	cmd(next, set, 0, "upgrade", "head")
	cmd(next, set, 0, "check")
	cmd(meta, set, 0, "downgrade", "-1")
	if out := cmd(meta, set, 0, "current"); out != "baseline\n" {
		t.Errorf("current after downgrade: %q", out)
	}
	if n := count(t, pool, `SELECT count(*) FROM pg_attribute WHERE attrelid = 'film'::regclass AND attname = 'original_language_id'`); n != 0 {
		t.Errorf("film.original_language_id left after the downgrade")
	}

	var rows, views int
	err = pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM invoices) + (SELECT count(*) FROM reporting.daily)
		+ (SELECT count(*) FROM sales.payment), (SELECT count(*) FROM actor_info) + (SELECT count(*) FROM sales.sales_by_store)`).Scan(&rows, &views)
	if err != nil || rows != 4 || views != 3 {
		t.Errorf("rows %d (want 4), view rows %d (want 3): %v", rows, views, err)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, query string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// wantLines fails unless out holds each text.
func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("output lacks %q:\n%s", l, out)
		}
	}
}
