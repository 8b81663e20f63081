package migrate_test

import (
	"flag"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", name, got)
	}
}

func TestRenderRevision(t *testing.T) {
	rev := &migrate.Revision{ID: "0123456789ab", Down: "ba9876543210", Message: "every op\nkind", Upgrade: sampleOps()}
	rev.Downgrade = []migrate.Op{migrate.Irreversible{Reason: "a sample"}}
	hints := []migrate.Hint{{Text: "possible rename: column t.a is dropped and t.b is added with the same type (text).",
		Code: `migrate.RenameColumn{Table: "t", From: "a", To: "b"},`}}
	src, err := migrate.RenderRevision("migrations", rev, hints)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "revision.go.golden", src)
	// Tools treat files matching this as read-only; ours are meant to be edited.
	if regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`).Match(src) {
		t.Error("the header claims the file must not be edited")
	}
}

func TestVarName(t *testing.T) {
	for _, tc := range []struct{ name, id, want string }{
		{"hex id", "0123abcd", "rev0123abcd"},
		{"dashes dropped", "2024-01-init", "rev202401init"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := migrate.VarName(tc.id); got != tc.want {
				t.Errorf("VarName(%q) = %q", tc.id, got)
			}
		})
	}
}

// TestRenderLeavesOutMapperFields renders a mapped table: what only the
// ORM uses (client defaults, Go fields and types, relations) stays out of
// the file, which still parses.
func TestRenderLeavesOutMapperFields(t *testing.T) {
	c := &schema.Column{Name: "n", Type: scalar("integer"), Default: 3, DefaultText: "3", OnUpdate: "n + 1",
		Version: true, Field: &schema.Field{Name: "N", Index: []int{0}, Type: reflect.TypeFor[int]()}}
	tb := &schema.Table{Name: "t", Columns: []*schema.Column{c}, GoType: reflect.TypeFor[struct{ N int }](),
		Relations: []*schema.RelationField{{Name: "Parent", Tag: "many_to_one"}}}
	rev := &migrate.Revision{ID: "x1", Upgrade: []migrate.Op{migrate.CreateTable{Table: tb}, migrate.AddColumn{Table: "t", Column: c}}}
	src, err := migrate.RenderRevision("migrations", rev, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, unwanted := range []string{"Field", "GoType", "Relations", "OnUpdate", "Version", " Default:", "DefaultText"} {
		if strings.Contains(string(src), unwanted) {
			t.Errorf("the file holds %s:\n%s", unwanted, src)
		}
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0); err != nil {
		t.Errorf("%v:\n%s", err, src)
	}
}
