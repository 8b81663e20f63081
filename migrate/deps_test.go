package migrate_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the import direction: migrate imports schema, dialect and dialect/postgres, never orm or relation.
// Test files may import more (pgtest, say); only the package is checked.
func TestDeps(t *testing.T) {
	const module = "github.com/crucible-orm/crucible"
	const self = module + "/migrate"
	allowed := map[string]bool{
		module + "/migrate":          true,
		module + "/schema":           true,
		module + "/dialect":          true,
		module + "/dialect/postgres": true,
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
