package migrate_test

import (
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/schema"
)

// blog is the blog model of DESIGN.md as metadata, which each test can
// change.
type blog struct {
	enums  []*schema.Enum
	tables []*schema.Table
}

func scalar(name string) schema.Type { return schema.Scalar{Name: name} }

func col(name, typ string) *schema.Column { return &schema.Column{Name: name, Type: scalar(typ)} }

func nullCol(name, typ string) *schema.Column {
	return &schema.Column{Name: name, Type: scalar(typ), Nullable: true}
}

func fk(table, column, ref string, onDelete schema.Action) *schema.ForeignKey {
	return &schema.ForeignKey{Name: "fk_" + table + "_" + column + "_" + ref, Columns: []string{column},
		RefTable: ref, RefColumns: []string{"id"}, OnDelete: onDelete}
}

// blogMapper maps the blog's structs (blog_models_test.go) once; its
// tables are shared, so newBlog hands out copies.
var blogMapper = schema.NewMapper()

// newBlog returns the blog model of DESIGN.md as the schema mapper makes
// it, in copies each test may change.
func newBlog() *blog {
	tables, enums, err := blogMapper.MapAll(&User{}, &Profile{}, &Post{}, &Comment{}, &Tag{})
	if err != nil {
		panic(err)
	}
	b := &blog{}
	for _, t := range tables {
		b.tables = append(b.tables, cloneTable(t))
	}
	for _, e := range enums {
		b.enums = append(b.enums, &schema.Enum{Name: e.Name, Values: slices.Clone(e.Values)})
	}
	return b
}

// cloneTable deep-copies what a test may change in a mapped table.
func cloneTable(t *schema.Table) *schema.Table {
	cp := *t
	cp.Columns = nil
	for _, c := range t.Columns {
		cc := *c
		cp.Columns = append(cp.Columns, &cc)
	}
	if t.PrimaryKey != nil {
		pk := *t.PrimaryKey
		cp.PrimaryKey = &pk
	}
	cp.Uniques = cloneAll(t.Uniques)
	cp.Indexes = cloneAll(t.Indexes)
	cp.ForeignKeys = cloneAll(t.ForeignKeys)
	cp.Checks = cloneAll(t.Checks)
	cp.Seal()
	return &cp
}

func cloneAll[T any](in []*T) []*T {
	var out []*T
	for _, v := range in {
		c := *v
		out = append(out, &c)
	}
	return out
}

func (b *blog) table(name string) *schema.Table {
	for _, t := range b.tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// without removes a table.
func (b *blog) without(name string) *blog {
	b.tables = slices.DeleteFunc(b.tables, func(t *schema.Table) bool { return t.Name == name })
	return b
}

func (b *blog) enum(name string) *schema.Enum {
	for _, e := range b.enums {
		if e.Name == name {
			return e
		}
	}
	return nil
}

func (b *blog) column(table, name string) *schema.Column {
	return b.table(table).Column(name)
}

func (b *blog) meta(t testing.TB) *schema.Metadata {
	t.Helper()
	m, err := schema.NewMetadata(b.tables, b.enums)
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	return m
}

// postTags is the many-to-many association table of posts and tags.
func postTags() *schema.Table {
	t, _, err := blogMapper.Map(&PostTag{})
	if err != nil {
		panic(err)
	}
	return cloneTable(t)
}

func idx(name string, cols ...string) *schema.Index { return &schema.Index{Name: name, Columns: cols} }
