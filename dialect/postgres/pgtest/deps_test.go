package pgtest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the import direction: pgtest imports no package of this module, so any project's tests can use it.
// Test files may import more (pgtest, say); only the package is checked.
func TestDeps(t *testing.T) {
	const module = "github.com/crucible-orm/crucible"
	const self = module + "/dialect/postgres/pgtest"
	allowed := map[string]bool{
		module + "/dialect/postgres/pgtest": true,
	}
	out, err := exec.Command("go", "list", "-e", "-deps", self).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", self, err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		ours := pkg == module || strings.HasPrefix(pkg, module+"/")
		if ours && !allowed[pkg] && !strings.HasPrefix(pkg, self+"/internal/") {
			t.Errorf("%s imports %s, against the import direction", self, pkg)
		}
	}
}

// TestThirdPartyDeps keeps pgtest light for the projects that import it:
// the standard library and pgx only.
func TestThirdPartyDeps(t *testing.T) {
	const self = "github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, self).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", self, err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		std := !strings.Contains(strings.Split(pkg, "/")[0], ".")
		allowed := strings.HasPrefix(pkg, "github.com/jackc/pgx/v5")
		if !std && !allowed {
			t.Errorf("pgtest imports %s; only the standard library and pgx are allowed", pkg)
		}
	}
}
