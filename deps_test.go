package crucible_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/crucible-orm/crucible"

// Modules from outside the standard library that packages may import.
const (
	pgx        = "github.com/jackc/pgx/v5"
	dockertest = "github.com/ory/dockertest/v3"
)

// layers is the import direction of the whole repository: for each
// package (relative to the module root), the packages of ours and the
// modules from outside the standard library it may import. A package's
// internal/ packages follow its rule, and it may import them. A package
// missing here fails the test: a new one is placed in the layering on
// purpose.
//
//	schema ← relation
//	schema ← dialect ← dialect/postgres ← orm, migrate (migrate never orm)
//	pgtest and pgdocker: nothing of ours, so any project's tests can use them
var layers = map[string]struct{ ours, modules []string }{
	"":                                 {}, // documentation only
	"schema":                           {},
	"relation":                         {ours: []string{"schema"}},
	"dialect":                          {ours: []string{"schema"}},
	"dialect/postgres":                 {ours: []string{"schema", "dialect"}, modules: []string{pgx}},
	"dialect/postgres/pgtest":          {modules: []string{pgx}},
	"dialect/postgres/pgtest/pgdocker": {modules: []string{pgx, dockertest}}, // a module of its own
	"orm":                              {ours: []string{"schema", "relation", "dialect", "dialect/postgres"}, modules: []string{pgx}},
	"migrate":                          {ours: []string{"schema", "dialect", "dialect/postgres"}, modules: []string{pgx}},
	"docs/demo":                        {ours: []string{"orm", "migrate", "dialect/postgres/pgtest"}, modules: []string{pgx}},
	"scripts/benchtable":               {}, // the README's benchmark table: standard library only
	"internal/blogtest":                {}, // the tests' blog model: standard library only
}

// nestedModules are the directories of the modules nested in this
// repository, listed from their own directory.
var nestedModules = []string{"dialect/postgres/pgtest/pgdocker"}

// TestLayering keeps the import direction of every package, third-party
// imports included. Only the packages are checked, not their tests
// (which may import pgtest, testify and the like).
func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	for _, p := range pkgs {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.path, module), "/")
		owner, rule, ok := ruleOf(rel)
		if !ok {
			t.Errorf("%s is not in the layering table of deps_test.go: add it with what it may import", p.path)
			continue
		}
		for _, imp := range p.imports {
			if !allowed(owner, rule.ours, rule.modules, imp) {
				t.Errorf("%s imports %s, against the layering (see deps_test.go)", p.path, imp)
			}
		}
	}
	if len(pkgs) < len(layers) {
		t.Errorf("listed %d packages, fewer than the %d of the layering table: has a package gone?", len(pkgs), len(layers))
	}
}

// ruleOf returns the rule of a package: its own, or that of the package
// whose internal/ tree holds it.
func ruleOf(rel string) (owner string, rule struct{ ours, modules []string }, ok bool) {
	owner = rel
	switch i := strings.Index("/"+rel+"/", "/internal/"); {
	case i == 0:
		owner = ""
	case i > 0:
		owner = rel[:i-1]
	}
	rule, ok = layers[owner]
	return owner, rule, ok
}

// allowed reports whether the package owner (with the rule ours, modules)
// may import imp.
func allowed(owner string, ours, modules []string, imp string) bool {
	if !strings.Contains(strings.Split(imp, "/")[0], ".") {
		return true // the standard library
	}
	if imp == module || strings.HasPrefix(imp, module+"/") {
		rel := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
		return slices.Contains(ours, rel) || strings.HasPrefix(rel, owner+"/internal/") ||
			(owner == "" && strings.HasPrefix(rel, "internal/"))
	}
	return slices.ContainsFunc(modules, func(m string) bool { return imp == m || strings.HasPrefix(imp, m+"/") })
}

// pkg is a package of the repository as go list reports it.
type pkg struct {
	path, dir string
	imports   []string
	files     []string // non-test Go files
	testFiles []string // _test.go files of the package and of package x_test
}

// listPackages lists the packages of the main module and of the nested
// modules.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	pkgs := goList(t, ".")
	for _, dir := range nestedModules {
		pkgs = append(pkgs, goList(t, dir)...)
	}
	return pkgs
}

func goList(t *testing.T, dir string) []pkg {
	t.Helper()
	const format = `{{.ImportPath}}|{{.Dir}}|{{join .Imports ","}}|{{join .GoFiles ","}}|{{join .TestGoFiles ","}},{{join .XTestGoFiles ","}}`
	cmd := exec.Command("go", "list", "-e", "-f", format, "./...")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list in %s: %v", dir, err)
	}
	var pkgs []pkg
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		pkgs = append(pkgs, pkg{path: f[0], dir: f[1], imports: fields(f[2]), files: fields(f[3]), testFiles: fields(f[4])})
	}
	return pkgs
}

// fields splits a comma-separated list, dropping empty elements.
func fields(s string) []string {
	return slices.DeleteFunc(strings.Split(s, ","), func(e string) bool { return e == "" })
}
