package migrate_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

// The user's program: models as structs and the few lines of main.go.
const (
	appModels = `package models

import (
	"os"
	"time"

	"github.com/crucible-orm/crucible/schema"
)

// Gender is a PostgreSQL enum.
type Gender string

// EnumValues lists the enum's values in order.
func (Gender) EnumValues() []string { return []string{"MALE", "FEMALE", "UNDEFINED"} }

// User is written with type aliases (timestamptz, varchar, '{}'::text[]).
type User struct {
	ID        int64     ` + "`orm:\"pk\"`" + `
	CreatedAt time.Time ` + "`orm:\"type:timestamptz,server_default:CURRENT_TIMESTAMP\"`" + `
	Email     string    ` + "`orm:\"type:varchar(200),unique\"`" + `
	Gender    Gender    ` + "`orm:\"server_default:'UNDEFINED'\"`" + `
	Tags      []string  ` + "`orm:\"type:text[],server_default:'{}'::text[]\"`" + `
}

// TableName keeps the name when the struct is embedded.
func (User) TableName() string { return "users" }

// UserWithBio is the next version of User.
type UserWithBio struct {
	User
	Bio *string
}

// Post belongs to a user.
type Post struct {
	ID     int64  ` + "`orm:\"pk,type:int8\"`" + `
	UserID int64  ` + "`orm:\"fk:users.id,ondelete:cascade,index\"`" + `
	Title  string
}

// Metadata returns the application's models. EXTRA_COLUMN maps the next
// version of User, so that a test can make the models drift from the
// database.
func Metadata() *schema.Metadata {
	var user any = &User{}
	if os.Getenv("EXTRA_COLUMN") != "" {
		user = &UserWithBio{}
	}
	tables, enums, err := schema.NewMapper().MapAll(user, &Post{})
	if err != nil {
		panic(err)
	}
	m, err := schema.NewMetadata(tables, enums)
	if err != nil {
		panic(err)
	}
	return m
}
`
	appMainBootstrap = `package main

import (
	"example.com/blogapp/models"
	"github.com/crucible-orm/crucible/migrate"
)

func main() { migrate.Main(models.Metadata(), nil) }
`
	appMain = `package main

import (
	"example.com/blogapp/migrations"
	"example.com/blogapp/models"
	"github.com/crucible-orm/crucible/migrate"
)

func main() { migrate.Main(models.Metadata(), migrations.Set) }
`
)

// app is a temporary module using this checkout of crucible.
type app struct {
	t   *testing.T
	dir string
	env []string
}

func newApp(t *testing.T, dbURL string) *app {
	if testing.Short() {
		t.Skip("builds a module")
	}
	root := repoRoot(t)
	dir := t.TempDir()
	// The app requires everything crucible requires, so that the module
	// graph is pruned at crucible and the build needs nothing beyond what
	// building crucible itself downloaded (GOPROXY=off below).
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goMod := strings.Replace(string(rootMod), "module github.com/crucible-orm/crucible", "module example.com/blogapp", 1) +
		"\nrequire github.com/crucible-orm/crucible v0.0.0\n\nreplace github.com/crucible-orm/crucible => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, dir: dir, env: append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "DATABASE_URL="+dbURL)}
	a.write("go.mod", goMod)
	a.write("go.sum", string(sum))
	a.write("models/models.go", appModels)
	a.write("cmd/migrate/main.go", appMainBootstrap)
	return a
}

// repoRoot finds the module root above the package directory.
func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

func (a *app) write(name, content string) {
	a.t.Helper()
	p := filepath.Join(a.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		a.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		a.t.Fatal(err)
	}
}

// goCmd runs the go tool in the module and fails the test on an error.
func (a *app) goCmd(args ...string) string {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir, cmd.Env = a.dir, a.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		a.t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (a *app) build() { a.goCmd("build", "-o", "bin/migrate", "./cmd/migrate") }

// migrate runs the built command and returns its stdout and exit code.
func (a *app) migrate(extraEnv []string, args ...string) (string, int) {
	a.t.Helper()
	cmd := exec.Command(filepath.Join(a.dir, "bin/migrate"), args...)
	cmd.Dir, cmd.Env = a.dir, append(append([]string(nil), a.env...), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		a.t.Fatalf("migrate %v: %v", args, err)
	}
	if stderr.Len() > 0 {
		a.t.Logf("migrate %v stderr: %s", args, stderr.String())
	}
	return stdout.String(), cmd.ProcessState.ExitCode()
}

func (a *app) mustMigrate(args ...string) string {
	a.t.Helper()
	out, code := a.migrate(nil, args...)
	if code != 0 {
		a.t.Fatalf("migrate %v: exit %d\n%s", args, code, out)
	}
	return out
}

// TestModule builds a user's module the way the README shows it: init,
// revision --autogenerate, upgrade head, check, sql and downgrade, each a
// run of the compiled cmd/migrate, and vets the generated files.
func TestModule(t *testing.T) {
	a := newApp(t, pgtest.New(t))
	a.build()
	a.mustMigrate("init", "migrations")
	a.write("cmd/migrate/main.go", appMain)
	a.build()
	out := a.mustMigrate("revision", "-autogenerate", "-m", "create users and posts")
	for _, want := range []string{"wrote migrations/0001_create_users_and_posts.go", "create enum gender", "create table users"} {
		if !strings.Contains(out, want) {
			t.Errorf("revision output lacks %q:\n%s", want, out)
		}
	}
	a.goCmd("vet", "./...")
	if os.Getenv("DUMP_MIGRATIONS") != "" {
		src, _ := os.ReadFile(filepath.Join(a.dir, "migrations/0001_create_users_and_posts.go"))
		reg, _ := os.ReadFile(filepath.Join(a.dir, "migrations/registry.go"))
		t.Logf("%s\n%s", src, reg)
	}
	a.build()
	if out, code := a.migrate(nil, "check"); code != 1 || !strings.Contains(out, "not at the head") {
		t.Errorf("check before upgrade: exit %d\n%s", code, out)
	}
	a.mustMigrate("upgrade", "head")
	a.mustMigrate("check")
	checkExitCodes(t, a)
	if out, code := a.migrate([]string{"EXTRA_COLUMN=1"}, "check"); code != 1 || !strings.Contains(out, "add column users.bio") {
		t.Errorf("check with a drifted model: exit %d\n%s", code, out)
	}
	checkModuleSQL(t, a)
	if out := a.mustMigrate("current"); !strings.Contains(out, "(head)") {
		t.Errorf("current: %s", out)
	}
	secondRevision(t, a)
	a.mustMigrate("downgrade", "base")
	concurrentProcesses(t, a, 3)
	a.mustMigrate("downgrade", "base")
	if out := a.mustMigrate("current"); strings.TrimSpace(out) != "base" {
		t.Errorf("current after downgrade: %q", out)
	}
	t.Run("behind PgBouncer", func(t *testing.T) {
		// Four processes at once through transaction pooling, on a
		// database of their own: each revision once, as above.
		url := pgtest.NewBouncer(t, pgtest.TransactionPooling) + "&default_query_exec_mode=exec"
		b := *a
		b.t, b.env = t, append(slices.Clone(a.env), "DATABASE_URL="+url) // the last one wins
		concurrentProcesses(t, &b, 4)
		for range 2 {
			if out := b.mustMigrate("downgrade", "base"); strings.Count(out, "downgrade ") != 2 && !strings.Contains(out, "nothing to downgrade") {
				t.Errorf("downgrade: %s", out)
			}
		}
	})
}

// checkExitCodes runs check as CI does, a built binary keeping its exit
// codes: 0 in line, 1 drift, 2 no database; and -json says the same on
// stdout.
func checkExitCodes(t *testing.T, a *app) {
	drift := []string{"EXTRA_COLUMN=1"}
	for _, c := range []struct {
		env  []string
		args []string
		code int
		json string
	}{
		{nil, []string{"check", "-json"}, 0, `{"status":"ok"}`},
		{drift, []string{"check", "-json"}, 1, `{"status":"drift","ops":["add column users.bio"]}`},
		{nil, []string{"check", "-json", "-database-url", "postgres://nowhere.invalid/none"}, 2, `{"status":"error","error":`},
	} {
		if out, code := a.migrate(c.env, c.args...); code != c.code || !strings.HasPrefix(out, c.json) {
			t.Errorf("migrate %v: exit %d (want %d)\n%s", c.args, code, c.code, out)
		}
	}
}

// secondRevision drifts the models, writes a revision on top of the first,
// rebuilds with it and applies it.
func secondRevision(t *testing.T, a *app) {
	drift := []string{"EXTRA_COLUMN=1"}
	out, code := a.migrate(drift, "revision", "-autogenerate", "-m", "users.bio")
	if code != 0 || !strings.Contains(out, "0002_users_bio.go") || !strings.Contains(out, "add column users.bio") {
		t.Fatalf("second revision: exit %d\n%s", code, out)
	}
	a.build()
	if out, code := a.migrate(drift, "upgrade"); code != 0 || !strings.Contains(out, ": users.bio") {
		t.Fatalf("upgrade: exit %d\n%s", code, out)
	}
	if out, code := a.migrate(drift, "check"); code != 0 {
		t.Errorf("check after the second upgrade: exit %d\n%s", code, out)
	}
	if out := a.mustMigrate("history"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "(head): users.bio") {
		t.Errorf("history:\n%s", out)
	}
}

func checkModuleSQL(t *testing.T, a *app) {
	out := a.mustMigrate("sql", "upgrade", "head", "-database-url", "postgres://nowhere.invalid/none")
	for _, want := range []string{"BEGIN;", `CREATE TYPE "gender"`, `CREATE TABLE "users"`, `INSERT INTO "crucible_version"`, "COMMIT;"} {
		if !strings.Contains(out, want) {
			t.Errorf("sql upgrade lacks %q:\n%s", want, out)
		}
	}
}

// concurrentProcesses starts n `migrate upgrade head` processes at once on
// a database at base: together they apply each revision once, and the
// others find nothing left to do.
func concurrentProcesses(t *testing.T, a *app, n int) {
	outs := make([]string, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], codes[i] = a.migrate([]string{"EXTRA_COLUMN=1"}, "upgrade", "head")
		}()
	}
	wg.Wait()
	all := strings.Join(outs, "")
	if strings.Count(all, "upgrade ") != 2 || strings.Count(all, ": create users and posts\n") != 1 ||
		strings.Count(all, ": users.bio\n") != 1 || slices.Max(codes) != 0 {
		t.Errorf("%d concurrent upgrades: exit codes %v, output:\n%s", n, codes, all)
	}
}
