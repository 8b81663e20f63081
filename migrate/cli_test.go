package migrate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// run runs the command line in process and returns stdout, stderr and the
// exit code.
func run(meta *schema.Metadata, set *migrate.Set, args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := migrate.Run(context.Background(), meta, set, args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// thingsMeta is the schema simpleSet builds.
func thingsMeta(t *testing.T, extra ...*schema.Column) *schema.Metadata {
	tb := &schema.Table{Name: "things",
		Columns:    append([]*schema.Column{col("id", "integer"), nullCol("name", "text"), nullCol("size", "integer")}, extra...),
		PrimaryKey: &schema.PrimaryKey{Name: "things_pkey", Columns: []string{"id"}},
		Indexes:    []*schema.Index{idx("ix_things_name", "name")},
	}
	return meta(t, nil, tb)
}

func TestCLIUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "no command"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"missing argument", []string{"downgrade"}, "downgrade: wrong number of arguments"},
		{"extra argument", []string{"check", "now"}, "check: wrong number of arguments"},
		{"unknown flag", []string{"upgrade", "-fast"}, "flag provided but not defined: -fast"},
		{"revision without message", []string{"revision", "-dir", t.TempDir()}, "a message is required"},
		{"no database", []string{"upgrade", "-database-url", ""}, "no database: set DATABASE_URL"},
		{"sql direction", []string{"sql", "sideways", "head"}, "want sql upgrade|downgrade"},
		{"sql upgrade to base from above", []string{"sql", "upgrade", "head:base"}, `to base: unknown revision "base" (upgrade target: head, heads, +N or a revision; downgrade takes base and -N)`},
		{"sql downgrade by +1", []string{"sql", "downgrade", "head:+1"}, `to +1: unknown revision "+1" (downgrade target: base, -N or a revision; upgrade takes head, heads and +N)`},
		{"sql downgrade above the start", []string{"sql", "downgrade", "a1:c3"}, "to c3: downgrade c3: revision c3 is not applied"},
		{"sql upgrade below the start", []string{"sql", "upgrade", "c3:a1"}, "to a1: upgrade a1: revision a1 is below the heads (c3): that is a downgrade"},
		{"sql upgrade from head to a revision below", []string{"sql", "upgrade", "head:b2"}, "to b2: upgrade b2: revision b2 is below the heads (c3): that is a downgrade"},
		{"sql from too far down", []string{"sql", "downgrade", "-4:base"}, "from -4: downgrade -4: only 3 revision(s) applied"},
		{"sql from too far up", []string{"sql", "upgrade", "+4:head"}, "from +4: upgrade +4: only 3 revision(s) to apply"},
		{"unreachable database", []string{"upgrade", "head", "-database-url", "postgres://nowhere.invalid/x"}, "connect"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(nil, simpleSet(), tc.args...)
			if code != migrate.ExitError || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q, want %q", code, errOut, tc.want)
			}
		})
	}
}

// TestCLIDatabaseCommands drives upgrade, downgrade, current, stamp and
// check through the command line against a real database.
func TestCLIDatabaseCommands(t *testing.T) {
	url := pgtest.New(t)
	set := simpleSet()
	good, drifted := thingsMeta(t), thingsMeta(t, nullCol("colour", "text"))
	steps := []struct {
		name string
		meta *schema.Metadata
		args []string
		code int
		want string
	}{
		{"current at base", good, []string{"current"}, 0, "base\n"},
		{"check before upgrade", good, []string{"check"}, 1, "not at the head revision"},
		{"revision before upgrade is an error", good, []string{"revision", "-autogenerate", "-m", "x", "-dir", t.TempDir()}, 2, "migrate revision: database is not at the head revision"},
		{"upgrade one", good, []string{"upgrade", "+1"}, 0, "upgrade a1: things\n"},
		{"upgrade rest", good, []string{"upgrade"}, 0, "upgrade b2: things.size\nupgrade c3: index by name\n"},
		{"nothing left", good, []string{"upgrade", "head"}, 0, "nothing to upgrade\n"},
		{"current at head", good, []string{"current"}, 0, "c3 (head)\n"},
		{"check clean", good, []string{"check"}, 0, "ok: the database is at head and matches the models\n"},
		{"check drift", drifted, []string{"check"}, 1, "  add column things.colour\n"},
		{"downgrade one, flag after", good, []string{"downgrade", "-1", "-lock-timeout", "5s"}, 0, "downgrade c3: index by name\n"},
		{"stamp head", good, []string{"stamp", "head"}, 0, "stamped head\n"},
		// The stamp lied: c3's index is not there, and the error says where.
		{"downgrade after a wrong stamp", good, []string{"downgrade", "base"}, 2, "downgrade c3: op 1 (drop index ix_things_name on things)"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			out, errOut, code := run(s.meta, set, append(s.args, "-database-url", url)...)
			if code != s.code || !strings.Contains(out+errOut, s.want) {
				t.Errorf("exit %d (want %d)\nstdout %q\nstderr %q\nwant %q", code, s.code, out, errOut, s.want)
			}
		})
	}
}

func TestCLISetCommands(t *testing.T) {
	set := simpleSet()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"heads", []string{"heads"}, "c3: index by name\n"},
		{"history", []string{"history"}, "b2 -> c3 (head): index by name\na1 -> b2: things.size\nbase -> a1: things\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(nil, set, tc.args...)
			if code != 0 || out != tc.want {
				t.Errorf("exit %d, stdout %q, stderr %q, want %q", code, out, errOut, tc.want)
			}
		})
	}
}

// TestCLIBadScopePattern: a malformed scope pattern is a one-line error
// naming the command, the flag and the pattern, without the usage, exit 2.
func TestCLIBadScopePattern(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "-include", "["}, `migrate check: bad -include pattern "[": syntax error in pattern` + "\n"},
		{[]string{"-exclude", "a[b", "check"}, `migrate check: bad -exclude pattern "a[b": syntax error in pattern` + "\n"},
		{[]string{"revision", "-autogenerate", "-m", "x", "-include-schemas", "ok,[x"}, `migrate revision: bad -include-schemas pattern "[x": syntax error in pattern` + "\n"},
		{[]string{"check", "-exclude-schemas", "\\"}, `migrate check: bad -exclude-schemas pattern "\\": syntax error in pattern` + "\n"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errOut, code := run(nil, simpleSet(), tc.args...)
			if code != migrate.ExitError || errOut != tc.want || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2, stderr %q", code, out, errOut, tc.want)
			}
		})
	}
}

// TestCLIOfflineSQLRanges runs sql over ranges of every form and checks
// which revisions the script holds, in order, and the version it records
// last.
func TestCLIOfflineSQLRanges(t *testing.T) {
	set := simpleSet()
	tests := []struct {
		name    string
		args    []string
		steps   []string
		version string
	}{
		{"upgrade to head", []string{"upgrade", "head"}, []string{"upgrade a1", "upgrade b2", "upgrade c3"}, "c3"},
		{"upgrade base to head", []string{"upgrade", "base:head"}, []string{"upgrade a1", "upgrade b2", "upgrade c3"}, "c3"},
		{"upgrade two steps", []string{"upgrade", "+2"}, []string{"upgrade a1", "upgrade b2"}, "b2"},
		{"upgrade from a step to head", []string{"upgrade", "+1:head"}, []string{"upgrade b2", "upgrade c3"}, "c3"},
		{"upgrade a step from a revision", []string{"upgrade", "a1:+1"}, []string{"upgrade b2"}, "b2"},
		{"upgrade from a prefix to heads", []string{"upgrade", "b2:heads"}, []string{"upgrade c3"}, "c3"},
		{"upgrade base to base", []string{"upgrade", "base:base"}, nil, ""},
		{"upgrade a revision to itself", []string{"upgrade", "b2:b2"}, nil, ""},
		{"downgrade head to base", []string{"downgrade", "head:base"}, []string{"downgrade c3", "downgrade b2", "downgrade a1"}, ""},
		{"downgrade to base from the heads", []string{"downgrade", "base"}, []string{"downgrade c3", "downgrade b2", "downgrade a1"}, ""},
		{"downgrade a step from head", []string{"downgrade", "head:-1"}, []string{"downgrade c3"}, "b2"},
		{"downgrade from a step below head", []string{"downgrade", "-1:base"}, []string{"downgrade b2", "downgrade a1"}, ""},
		{"downgrade steps from steps", []string{"downgrade", "-1:-1"}, []string{"downgrade b2"}, "a1"},
		{"downgrade to a revision", []string{"downgrade", "heads:a1"}, []string{"downgrade c3", "downgrade b2"}, "a1"},
		{"downgrade head to head", []string{"downgrade", "head:head"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(nil, set, append([]string{"sql"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var steps []string
			version := ""
			for _, line := range strings.Split(out, "\n") {
				if rest, ok := strings.CutPrefix(line, "-- "); ok && (strings.HasPrefix(rest, "upgrade ") || strings.HasPrefix(rest, "downgrade ")) {
					id, _, _ := strings.Cut(rest, ":")
					steps = append(steps, id)
				}
				if v, ok := strings.CutPrefix(line, `INSERT INTO "crucible_version" (revision) VALUES ('`); ok {
					version = strings.TrimSuffix(v, "');")
				} else if line == `DELETE FROM "crucible_version";` {
					version = ""
				}
			}
			if !slices.Equal(steps, tc.steps) || version != tc.version {
				t.Errorf("steps %q, version %q; want %q, %q\n%s", steps, version, tc.steps, tc.version, out)
			}
		})
	}
}

func TestCLIOfflineSQL(t *testing.T) {
	set := simpleSet()
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"upgrade head", []string{"sql", "upgrade", "head"}, []string{
			"-- crucible migrate: upgrade base -> head (offline)",
			`CREATE TABLE IF NOT EXISTS "crucible_version" (revision text PRIMARY KEY);`,
			"-- upgrade a1: things\nBEGIN;\nCREATE TABLE things (id int PRIMARY KEY, name text);\n" +
				`DELETE FROM "crucible_version";` + "\n" + `INSERT INTO "crucible_version" (revision) VALUES ('a1');` + "\nCOMMIT;",
			"COMMIT;\n-- NOT TRANSACTIONAL: create index ix_things_name on things\nCREATE INDEX CONCURRENTLY \"ix_things_name\" ON \"things\" (\"name\");\nBEGIN;",
		}},
		{"upgrade range", []string{"sql", "upgrade", "a1:b2"}, []string{"-- upgrade b2: things.size", `ALTER TABLE "things" ADD COLUMN "size" integer`}},
		{"downgrade range", []string{"sql", "downgrade", "c3:a1"}, []string{"-- downgrade c3: index by name", "-- downgrade b2: things.size",
			"-- DESTRUCTIVE: drops column things.size and its data", `VALUES ('a1');`}},
		{"downgrade to base", []string{"sql", "downgrade", "a1:base"}, []string{"DROP TABLE things;\n" + `DELETE FROM "crucible_version";` + "\nCOMMIT;"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A database URL that cannot be reached: sql never connects.
			out, errOut, code := run(nil, set, append(tc.args, "-database-url", "postgres://nowhere.invalid/x")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestCLIFiles runs init, revision (empty and autogenerated) and merge and
// checks the files they write.
func TestCLIFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "migrations")
	if _, errOut, code := run(nil, nil, "init", dir); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	if _, errOut, code := run(nil, nil, "init", dir); code != migrate.ExitError || !strings.Contains(errOut, "already exists") {
		t.Errorf("second init: exit %d %q", code, errOut)
	}
	out, errOut, code := run(nil, nil, "revision", "-m", "Fill in: by hand!", "-dir", dir)
	if code != 0 || !strings.Contains(out, "0001_fill_in_by_hand.go") {
		t.Fatalf("revision: exit %d %q %q", code, out, errOut)
	}
	src := readFile(t, filepath.Join(dir, "0001_fill_in_by_hand.go"))
	flat := strings.Join(strings.Fields(src), " ")
	for _, w := range []string{"package migrations", `Down: ""`, "Upgrade: []migrate.Op{ // Operations go here", `Message: "Fill in: by hand!"`} {
		if !strings.Contains(flat, w) {
			t.Errorf("empty revision lacks %q:\n%s", w, src)
		}
	}
	url := pgtest.New(t)
	out, errOut, code = run(newBlog().meta(t), nil, "revision", "-autogenerate", "-m", "create blog", "-dir", dir, "-rev-id", "b10g", "-database-url", url)
	if code != 0 || !strings.Contains(out, "wrote "+filepath.Join(dir, "0002_create_blog.go")+" (revision b10g)") || !strings.Contains(out, "  create table users\n") {
		t.Fatalf("autogenerate: exit %d\n%s\n%s", code, out, errOut)
	}
	reg := readFile(t, filepath.Join(dir, migrate.RegistryFile))
	if !strings.Contains(reg, "var Set = migrate.NewSet(\n\trev") || !strings.Contains(reg, "\trevb10g,\n") {
		t.Errorf("registry:\n%s", reg)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCLIMerge(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "migrations")
	if err := migrate.Init(dir); err != nil {
		t.Fatal(err)
	}
	branched := migrate.NewSet(rev("a", ""), rev("b", "a"), rev("c", "a"))
	if _, errOut, code := run(nil, branched, "revision", "-m", "more", "-dir", dir); code != 2 || !strings.Contains(errOut, "several head revisions: b, c") {
		t.Errorf("revision on two heads: exit %d %q", code, errOut)
	}
	out, errOut, code := run(nil, branched, "merge", "-m", "merge b and c", "-dir", dir, "-rev-id", "m1")
	if code != 0 {
		t.Fatalf("merge: exit %d %q", code, errOut)
	}
	src := readFile(t, filepath.Join(dir, "0001_merge_b_and_c.go"))
	flat := strings.Join(strings.Fields(src), " ")
	if !strings.Contains(flat, `Down: "b", Merges: []string{"c"},`) || !strings.Contains(out, "revision m1") {
		t.Errorf("merge file:\n%s\n%s", src, out)
	}
}

// upgradedThings returns a fresh database upgraded to simpleSet's head,
// an empty migrations package and the set.
func upgradedThings(t *testing.T) (url, dir string, set *migrate.Set) {
	t.Helper()
	url = pgtest.New(t)
	dir = filepath.Join(t.TempDir(), "migrations")
	if err := migrate.Init(dir); err != nil {
		t.Fatal(err)
	}
	set = simpleSet()
	if _, errOut, code := run(nil, set, "upgrade", "-database-url", url); code != 0 {
		t.Fatalf("upgrade: %s", errOut)
	}
	return url, dir, set
}

// TestCLIRevisionWarns checks what `revision -autogenerate` prints for a
// renamed column: the destructive drop, and the rename hint with the line
// to use instead.
func TestCLIRevisionWarns(t *testing.T) {
	url, dir, set := upgradedThings(t)
	renamed := &schema.Table{Name: "things",
		Columns:    []*schema.Column{col("id", "integer"), nullCol("label", "text"), nullCol("size", "integer")},
		PrimaryKey: &schema.PrimaryKey{Name: "things_pkey", Columns: []string{"id"}},
	}
	out, errOut, code := run(meta(t, nil, renamed), set, "revision", "-autogenerate", "-m", "label", "-dir", dir, "-database-url", url)
	if code != 0 {
		t.Fatalf("revision: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"  drop index ix_things_name on things\n",
		"  drop column things.name\n    DESTRUCTIVE: drops column things.name and its data\n",
		"  add column things.label\n",
		"NOTE: possible rename: column things.name is dropped and things.label is added with the same type (text).",
		"\tmigrate.RenameColumn{Table: \"things\", From: \"name\", To: \"label\"},\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("revision output lacks %q:\n%s", want, out)
		}
	}
	src := readFile(t, filepath.Join(dir, "0001_label.go"))
	for _, want := range []string{"// DESTRUCTIVE: drops column things.name and its data.", "//\tmigrate.RenameColumn{Table: \"things\", From: \"name\", To: \"label\"},"} {
		if !strings.Contains(src, want) {
			t.Errorf("file lacks %q:\n%s", want, src)
		}
	}
}

// TestCLIRevisionNothingToDo autogenerates on a database that matches the
// models: no file is written unless asked for.
func TestCLIRevisionNothingToDo(t *testing.T) {
	url, dir, set := upgradedThings(t)
	good := thingsMeta(t)
	out, errOut, code := run(good, set, "revision", "-autogenerate", "-m", "nothing", "-dir", dir, "-database-url", url)
	if code != 0 || out != "no changes detected: nothing written (-allow-empty writes an empty revision to fill by hand)\n" {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(files) != 1 {
		t.Errorf("files %v, want the registry alone", files)
	}
	out, errOut, code = run(good, set, "revision", "-autogenerate", "-allow-empty", "-m", "by hand", "-dir", dir, "-database-url", url)
	if code != 0 || !strings.Contains(out, "0001_by_hand.go") || !strings.Contains(out, "no changes detected: the revision is empty") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	// The scope given in code and on the command line: the flags add to it.
	if _, err := pgxExec(url, "CREATE TABLE invoices (id int); CREATE TABLE audit_log (id int)"); err != nil {
		t.Fatal(err)
	}
	inCode := migrate.WithScope(migrate.Scope{Exclude: []string{"audit_*"}})
	var stdout, stderr bytes.Buffer
	code = migrate.Run(context.Background(), good, set, []string{"check", "-exclude", "nothing", "-database-url", url}, &stdout, &stderr, inCode)
	if code != 0 || !strings.Contains(stdout.String(), "not managed: table invoices") || strings.Contains(stdout.String(), "audit_log") {
		t.Errorf("check: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	code = migrate.Run(context.Background(), good, set, []string{"check", "-exclude", "invoices", "-database-url", url}, &stdout, &stderr, inCode)
	if code != 0 || stdout.String() != "ok: the database is at head and matches the models\n" {
		t.Errorf("check: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// pgxExec runs SQL on the database at url.
func pgxExec(url, sql string) (string, error) {
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	tag, err := pool.Exec(context.Background(), sql)
	return tag.String(), err
}

// TestCLICheckJSON reads check's outcome without its exit code.
func TestCLICheckJSON(t *testing.T) {
	url := pgtest.New(t)
	set := simpleSet()
	good, drifted := thingsMeta(t), thingsMeta(t, nullCol("colour", "text"))
	steps := []struct {
		name string
		meta *schema.Metadata
		args []string
		code int
		want migrate.CheckReport
	}{
		{"pending", good, nil, 1, migrate.CheckReport{Status: "pending",
			Error: "database is not at the head revision: database at [base], head [c3] (run upgrade first)"}},
		{"ok", good, []string{"upgrade"}, 0, migrate.CheckReport{Status: "ok"}},
		{"drift", drifted, nil, 1, migrate.CheckReport{Status: "drift", Ops: []string{"add column things.colour"}}},
		{"destructive drift", meta(t, nil, &schema.Table{Name: "things", Columns: []*schema.Column{col("id", "integer"), nullCol("name", "text")},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}, Indexes: []*schema.Index{idx("ix_things_name", "name")}}), nil, 1,
			migrate.CheckReport{Status: "drift", Ops: []string{"drop column things.size"}, Destructive: []string{"drops column things.size and its data"}}},
		{"unreachable", good, []string{"-database-url", "postgres://nowhere.invalid/x"}, 2, migrate.CheckReport{Status: "error"}},
		{"malformed scope pattern", good, []string{"-exclude", "a[b"}, 2, migrate.CheckReport{Status: "error"}},
		{"unknown flag", good, []string{"-fast"}, 2, migrate.CheckReport{Status: "error"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			args := []string{"-database-url", url}
			if len(s.args) > 0 && s.args[0] == "upgrade" {
				if _, errOut, code := run(s.meta, set, "upgrade", "-database-url", url); code != 0 {
					t.Fatal(errOut)
				}
			} else {
				args = append(args, s.args...)
			}
			out, errOut, code := run(s.meta, set, append(append([]string{"check"}, args...), "-json")...)
			var got migrate.CheckReport
			if err := json.Unmarshal([]byte(out), &got); err != nil || strings.Count(out, "\n") != 1 {
				t.Fatalf("stdout %q: %v", out, err)
			}
			if s.want.Status == "error" {
				if got.Error == "" || !strings.Contains(errOut, got.Error) {
					t.Errorf("error %q, stderr %q", got.Error, errOut)
				}
				got.Error = "" // the driver's or the flag package's words
			}
			if code != s.code || !reflect.DeepEqual(got, s.want) {
				t.Errorf("exit %d (want %d)\n got %+v\nwant %+v", code, s.code, got, s.want)
			}
		})
	}
}
