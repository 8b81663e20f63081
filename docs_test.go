package crucible_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocs keeps pkg.go.dev a good front door: every library
// package has a doc.go with the package documentation and at least one
// runnable Example, and every exported name, exported struct field and
// interface method has a doc comment.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if p.path == module {
			continue // documentation only; its examples are example_test.go's
		}
		files := parseFiles(t, p.dir, p.files)
		if len(files) > 0 && files[0].Name.Name == "main" {
			continue // a program, not a library
		}
		t.Run(strings.TrimPrefix(p.path, module+"/"), func(t *testing.T) {
			if !hasPackageDoc(p.files, files) {
				t.Errorf("%s: no doc.go with a package comment", p.path)
			}
			if !hasExample(parseFiles(t, p.dir, p.testFiles)) {
				t.Errorf("%s: no Example function in its tests", p.path)
			}
			for _, f := range files {
				for _, miss := range undocumented(f) {
					t.Errorf("%s: %s has no doc comment", position(miss.pos), miss.name)
				}
			}
		})
	}
}

var fset = token.NewFileSet()

func parseFiles(t *testing.T, dir string, names []string) []*ast.File {
	t.Helper()
	var files []*ast.File
	for _, name := range names {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// position is file:line of pos, relative to the repository root.
func position(pos token.Pos) string {
	p := fset.Position(pos)
	name := p.Filename
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, name); err == nil {
			name = rel
		}
	}
	return fmt.Sprintf("%s:%d", name, p.Line)
}

func hasPackageDoc(names []string, files []*ast.File) bool {
	for i, name := range names {
		if name == "doc.go" && files[i].Doc != nil && strings.TrimSpace(files[i].Doc.Text()) != "" {
			return true
		}
	}
	return false
}

func hasExample(files []*ast.File) bool {
	for _, f := range files {
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Example") {
				return true
			}
		}
	}
	return false
}

// missing is an exported name without a doc comment.
type missing struct {
	name string
	pos  token.Pos
}

// undocumented lists the exported names of f, its exported struct fields
// and interface methods, that have no doc (or line) comment.
func undocumented(f *ast.File) []missing {
	var out []missing
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) && !documented(d.Doc) {
				out = append(out, missing{funcName(d), d.Pos()})
			}
		case *ast.GenDecl:
			out = append(out, undocumentedSpecs(d)...)
		}
	}
	return out
}

func undocumentedSpecs(d *ast.GenDecl) []missing {
	var out []missing
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			if !s.Name.IsExported() {
				continue
			}
			if !documented(s.Doc) && !(len(d.Specs) == 1 && documented(d.Doc)) {
				out = append(out, missing{"type " + s.Name.Name, s.Pos()})
			}
			out = append(out, undocumentedMembers(s)...)
		case *ast.ValueSpec:
			for _, n := range s.Names {
				if n.IsExported() && !documented(s.Doc) && !documented(s.Comment) && !documented(d.Doc) {
					out = append(out, missing{d.Tok.String() + " " + n.Name, n.Pos()})
				}
			}
		}
	}
	return out
}

// undocumentedMembers lists the exported fields of a struct type and the
// exported methods of an interface type without a comment.
func undocumentedMembers(s *ast.TypeSpec) []missing {
	var list *ast.FieldList
	switch tt := s.Type.(type) {
	case *ast.StructType:
		list = tt.Fields
	case *ast.InterfaceType:
		list = tt.Methods
	default:
		return nil
	}
	var out []missing
	for _, fld := range list.List {
		for _, n := range fld.Names {
			if n.IsExported() && !documented(fld.Doc) && !documented(fld.Comment) {
				out = append(out, missing{s.Name.Name + "." + n.Name, n.Pos()})
			}
		}
	}
	return out
}

func documented(g *ast.CommentGroup) bool { return g != nil && strings.TrimSpace(g.Text()) != "" }

// exportedRecv reports whether a method's receiver type is exported.
func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	for {
		switch tt := typ.(type) {
		case *ast.StarExpr:
			typ = tt.X
		case *ast.IndexExpr:
			typ = tt.X
		case *ast.IndexListExpr:
			typ = tt.X
		case *ast.Ident:
			return tt.IsExported()
		default:
			return false
		}
	}
}

func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil {
		return "func " + d.Name.Name
	}
	return "method " + d.Name.Name
}
