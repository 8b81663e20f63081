package orm_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the import direction: orm imports schema, relation,
// dialect and (for Open's default) dialect/postgres, never migrate.
// Test files may import more (pgtest); only the package is checked.
func TestDeps(t *testing.T) {
	const module = "github.com/crucible-orm/crucible"
	const self = module + "/orm"
	allowed := map[string]bool{
		self:                         true,
		module + "/schema":           true,
		module + "/relation":         true,
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
