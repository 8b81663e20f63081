package migrate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// The rows the scenario keeps in the blog while the model changes: one
// user with a profile, and a tag. Posts and comments stay empty, since
// the downgrade of a dropped NOT NULL column cannot refill it.
const seedSQL = `
INSERT INTO users (username, email, password, phone) VALUES ('ann', 'ann@example.com', 'x', '555-0100');
INSERT INTO profiles (user_id, name, age, gender, interests, contacts)
	SELECT id, 'Ann', 42, 'FEMALE', '{go,sql}', '{"mail": "ann@example.com"}' FROM users;
INSERT INTO tags (name) VALUES ('go');`

func seedBlog(h *history) {
	h.t.Helper()
	if _, err := h.pool.Exec(context.Background(), seedSQL); err != nil {
		h.t.Fatalf("seed: %v", err)
	}
}

// assertSeeded fails unless the seeded rows are still there, unchanged
// where the model changes kept them.
func (h *history) assertSeeded(when string) {
	h.t.Helper()
	n := h.count(`SELECT (SELECT count(*) FROM users WHERE username = 'ann')
		+ (SELECT count(*) FROM profiles WHERE name = 'Ann' AND age = 42 AND gender = 'FEMALE' AND interests = '{go,sql}')
		+ (SELECT count(*) FROM tags WHERE name = 'go')`)
	if n != 3 {
		h.t.Errorf("%s: %d of the 3 seeded rows left", when, n)
	}
}

// concurrentUpgrade starts n runners at once, each on its own pool, on a
// database at base: together they apply every revision exactly once.
func concurrentUpgrade(h *history, meta *schema.Metadata, n int) {
	h.t.Helper()
	url := h.pool.Config().ConnString()
	set := h.set()
	applied := make([][]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		pool, err := pgxpool.New(context.Background(), url)
		if err != nil {
			h.t.Fatal(err)
		}
		defer pool.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := migrate.NewRunner(pool, set, migrate.WithLockTimeout(time.Minute))
			done, err := r.Upgrade(context.Background(), migrate.Head)
			applied[i], errs[i] = ids(done), err
		}()
	}
	wg.Wait()
	var all []string
	for i := range n {
		if errs[i] != nil {
			h.t.Errorf("runner %d: %v", i, errs[i])
		}
		all = append(all, applied[i]...)
	}
	var want []string
	for _, r := range set.Revisions() {
		want = append(want, r.ID)
	}
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		h.t.Errorf("concurrent runners applied %v, want each of %v once", applied, want)
	}
	h.assertClean(meta, "after concurrent upgrade")
}

// ciJob uses the revisions the way a CI job does: the offline script of
// the upgrade, run by hand on an empty database, gives the models (check
// exits 0); a model change without a revision makes check exit 1 and list
// it; the offline downgrade script empties the database again.
func ciJob(t *testing.T, set *migrate.Set, final *schema.Metadata) {
	url := pgtest.New(t)
	unreachable := []string{"-database-url", "postgres://nowhere.invalid/none"}
	up, errOut, code := run(nil, set, append([]string{"sql", "upgrade", "head"}, unreachable...)...)
	if code != migrate.ExitOK {
		t.Fatalf("sql upgrade head: exit %d: %s", code, errOut)
	}
	if n := strings.Count(up, "BEGIN;"); n != len(set.Revisions()) {
		t.Errorf("sql upgrade head: %d transactions for %d revisions", n, len(set.Revisions()))
	}
	for _, want := range []string{"-- DESTRUCTIVE: drops column posts.content and its data", `ALTER TYPE "gender" ADD VALUE 'OTHER' AFTER 'FEMALE'`} {
		if !strings.Contains(up, want) {
			t.Errorf("sql upgrade head lacks %q", want)
		}
	}
	if out, _, code := run(final, set, "check", "-database-url", url); code != migrate.ExitDrift || !strings.Contains(out, "not at the head revision") {
		t.Errorf("check on an empty database: exit %d, %q", code, out)
	}
	execScript(t, url, up)
	if out, errOut, code := run(final, set, "check", "-database-url", url); code != migrate.ExitOK {
		t.Errorf("check after the offline upgrade: exit %d\n%s%s", code, out, errOut)
	}
	drifted := withColumn(t, final, "posts", &schema.Column{Name: "summary", Type: scalar("text"), Nullable: true})
	if out, _, code := run(drifted, set, "check", "-database-url", url); code != migrate.ExitDrift || out != "  add column posts.summary\nmodels and database differ\n" {
		t.Errorf("check with a model change and no revision: exit %d\n%s", code, out)
	}
	head, _ := set.Head()
	down, errOut, code := run(nil, set, append([]string{"sql", "downgrade", head + ":base"}, unreachable...)...)
	if code != migrate.ExitOK {
		t.Fatalf("sql downgrade: exit %d: %s", code, errOut)
	}
	execScript(t, url, down)
	(&history{t: t, pool: openPool(t, url)}).assertEmptySchema()
	if out, _, code := run(final, set, "current", "-database-url", url); code != 0 || out != "base\n" {
		t.Errorf("current after the offline downgrade: exit %d %q", code, out)
	}
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// execScript runs an offline script the way psql would: as one string of
// statements, with its own BEGIN and COMMIT.
func execScript(t *testing.T, url, script string) {
	t.Helper()
	if _, err := openPool(t, url).Exec(context.Background(), script); err != nil {
		t.Fatalf("run the offline script: %v\n%s", err, script)
	}
}

// withColumn returns m with one more column in table.
func withColumn(t *testing.T, m *schema.Metadata, table string, c *schema.Column) *schema.Metadata {
	var tables []*schema.Table
	for _, tb := range m.Tables() {
		if tb.Name == table {
			cp := *tb
			cp.Columns = append(slices.Clone(tb.Columns), c)
			tb = &cp
		}
		tables = append(tables, tb)
	}
	out, err := schema.NewMetadata(tables, m.Enums())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compileRevisions writes the scenario's revisions into a user's
// migrations package the way `revision` does, builds the user's
// cmd/migrate with it, and checks that the compiled files hold the same
// ops: the offline SQL of the built command equals the SQL of the
// revisions the test ran.
func compileRevisions(t *testing.T, h *history) {
	a := newApp(t, "")
	dir := filepath.Join(a.dir, "migrations")
	if err := migrate.Init(dir); err != nil {
		t.Fatal(err)
	}
	for i := range h.revs {
		if _, err := migrate.WriteRevision(dir, &h.revs[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	a.write("cmd/migrate/main.go", appMain)
	a.build()
	set := h.set()
	head, _ := set.Head()
	for _, args := range [][]string{{"sql", "upgrade", "head"}, {"sql", "downgrade", head + ":base"}} {
		got := a.mustMigrate(args...)
		want, _, _ := run(nil, set, args...)
		if got != want {
			t.Errorf("%v of the compiled files differs:\n%s\n---\n%s", args, got, want)
		}
	}
	if os.Getenv("DUMP_MIGRATIONS") != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			src, _ := os.ReadFile(f)
			t.Logf("%s:\n%s", f, bytes.TrimSpace(src))
		}
	}
}
