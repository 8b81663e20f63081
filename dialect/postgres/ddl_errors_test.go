package postgres_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/schema"
)

// TestDDLErrors renders bad definitions: each fails with a typed error and
// no statement, rather than SQL the server would reject or misread.
func TestDDLErrors(t *testing.T) {
	long := strings.Repeat("n", 64)
	col := func(c schema.Column) *schema.Table {
		if c.Type == nil {
			c.Type = schema.Scalar{Name: "integer"}
		}
		return &schema.Table{Name: "t", Columns: []*schema.Column{&c}}
	}
	table := func(t *schema.Table) func() (string, error) {
		return func() (string, error) { return joined(pg.CreateTable(t)) }
	}
	tests := []struct {
		name   string
		render func() (string, error)
		want   error
	}{
		{"long table name", table(&schema.Table{Name: long}), dialect.ErrBadIdent},
		{"empty column name", table(col(schema.Column{Name: ""})), dialect.ErrBadIdent},
		{"column without type", table(&schema.Table{Name: "t", Columns: []*schema.Column{{Name: "c"}}}), dialect.ErrInvalidDefinition},
		{"nil column", table(&schema.Table{Name: "t", Columns: []*schema.Column{nil}}), dialect.ErrInvalidDefinition},
		{"identity and default", table(col(schema.Column{Name: "c", Identity: schema.IdentityAlways, ServerDefault: "1"})), dialect.ErrInvalidDefinition},
		{"unknown identity", table(col(schema.Column{Name: "c", Identity: 9})), dialect.ErrInvalidDefinition},
		{"NUL in default", table(col(schema.Column{Name: "c", ServerDefault: "1\x00"})), dialect.ErrInvalidDefinition},
		{"primary key without columns", table(&schema.Table{Name: "t", PrimaryKey: &schema.PrimaryKey{Name: "pk"}}), dialect.ErrInvalidDefinition},
		{"unique without columns", table(&schema.Table{Name: "t", Uniques: []*schema.Unique{{Name: "uq"}}}), dialect.ErrInvalidDefinition},
		{"empty check", table(&schema.Table{Name: "t", Checks: []*schema.Check{{Name: "ck", Expr: " "}}}), dialect.ErrInvalidDefinition},
		{"foreign key column count", table(&schema.Table{Name: "t", ForeignKeys: []*schema.ForeignKey{{Name: "fk", Columns: []string{"a", "b"}, RefTable: "u", RefColumns: []string{"id"}}}}), dialect.ErrInvalidDefinition},
		{"foreign key action", table(&schema.Table{Name: "t", ForeignKeys: []*schema.ForeignKey{{Name: "fk", Columns: []string{"a"}, RefTable: "u", RefColumns: []string{"id"}, OnDelete: "CASCADE; DROP TABLE u"}}}), dialect.ErrInvalidDefinition},
		{"index without columns", table(&schema.Table{Name: "t", Indexes: []*schema.Index{{Name: "ix"}}}), dialect.ErrInvalidDefinition},
		{"long index name", func() (string, error) {
			return pg.CreateIndex("", "t", &schema.Index{Name: long, Columns: []string{"a"}}, false)
		}, dialect.ErrBadIdent},
		{"NUL in comment", func() (string, error) { return pg.CommentOnTable("", "t", "a\x00") }, dialect.ErrInvalidDefinition},
		{"invalid UTF-8 in comment", func() (string, error) { return pg.CommentOnColumn("", "t", "c", "\xff") }, dialect.ErrInvalidDefinition},
		{"NUL in enum label", func() (string, error) { return pg.CreateEnum(&schema.Enum{Name: "e", Values: []string{"a\x00"}}) }, dialect.ErrInvalidDefinition},
		{"enum value before and after", func() (string, error) { return pg.AddEnumValue("", "e", "v", "a", "b") }, dialect.ErrInvalidDefinition},
		{"bad enum name", func() (string, error) { return pg.DropEnum("", "") }, dialect.ErrBadIdent},
		{"NUL in USING", func() (string, error) {
			return pg.AlterColumnType("", "t", "c", schema.Scalar{Name: "text"}, "\x00")
		}, dialect.ErrInvalidDefinition},
		{"bad new type", func() (string, error) { return pg.AlterColumnType("", "t", "c", schema.Scalar{}, "") }, dialect.ErrInvalidDefinition},
		{"unknown identity change", func() (string, error) {
			return joined(pg.AlterColumnIdentity("", "t", "c", schema.IdentityNone, 7))
		}, dialect.ErrInvalidDefinition},
		{"bad constraint name", func() (string, error) { return pg.DropConstraint("", "t", long) }, dialect.ErrBadIdent},
		{"bad column in add", func() (string, error) {
			return joined(pg.AddColumn("", "t", &schema.Column{Name: "c\x00", Type: schema.JSON{}}))
		}, dialect.ErrBadIdent},
		{"nil column in add", func() (string, error) { return joined(pg.AddColumn("", "t", nil)) }, dialect.ErrInvalidDefinition},
		{"bad comment in add", func() (string, error) {
			return joined(pg.AddColumn("", "t", &schema.Column{Name: "c", Type: schema.JSON{}, Comment: "\x00"}))
		}, dialect.ErrInvalidDefinition},
		{"bad comment in create", table(&schema.Table{Name: "t", Comment: "\x00"}), dialect.ErrInvalidDefinition},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.render()
			require.ErrorIs(t, err, tc.want)
			require.Empty(t, s)
		})
	}
}

// joined fails a statement list that comes with an error: a caller must
// get nil, not empty strings, next to an error.
func joined(s []string, err error) (string, error) {
	if err != nil && s != nil {
		return "not nil", err
	}
	return strings.Join(s, ";"), err
}

func TestAlterColumnIdentityNoChange(t *testing.T) {
	s, err := pg.AlterColumnIdentity("", "t", "c", schema.IdentityNone, schema.IdentityNone)
	require.NoError(t, err)
	require.Empty(t, s)
}
