package dialect_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the import direction: dialect imports only schema.
// Test files may import more (pgtest, say); only the package is checked.
func TestDeps(t *testing.T) {
	const module = "github.com/crucible-orm/crucible"
	const self = module + "/dialect"
	allowed := map[string]bool{
		module + "/dialect": true,
		module + "/schema":  true,
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
