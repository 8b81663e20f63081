package migrate

// TEMPORARY: a stand-in for the DDL methods of *postgres.Dialect until they
// land; it will be deleted then.

import (
	"errors"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

type shimDDL struct{}

var _ DDL = shimDDL{}

func (shimDDL) QuoteIdent(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) || len(name) > 63 {
		return "", errors.New("bad identifier " + strings.ReplaceAll(name, "\x00", ""))
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`, nil
}

func (d shimDDL) q(name string) string { s, _ := d.QuoteIdent(name); return s }

func (d shimDDL) qs(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = d.q(n)
	}
	return strings.Join(out, ", ")
}

func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (d shimDDL) typ(t schema.Type) string {
	s, _ := typeSQL(d, t)
	return s
}

func (d shimDDL) CreateEnum(e *schema.Enum) (string, error) {
	vals := make([]string, len(e.Values))
	for i, v := range e.Values {
		vals[i] = lit(v)
	}
	return "CREATE TYPE " + d.q(e.Name) + " AS ENUM (" + strings.Join(vals, ", ") + ")", nil
}

func (d shimDDL) DropEnum(name string) (string, error) { return "DROP TYPE " + d.q(name), nil }

func (d shimDDL) AddEnumValue(enum, value, before, after string) (string, error) {
	s := "ALTER TYPE " + d.q(enum) + " ADD VALUE " + lit(value)
	if before != "" {
		s += " BEFORE " + lit(before)
	} else if after != "" {
		s += " AFTER " + lit(after)
	}
	return s, nil
}

func (d shimDDL) RenameEnumValue(enum, from, to string) (string, error) {
	return "ALTER TYPE " + d.q(enum) + " RENAME VALUE " + lit(from) + " TO " + lit(to), nil
}

func (d shimDDL) RenameEnum(from, to string) (string, error) {
	return "ALTER TYPE " + d.q(from) + " RENAME TO " + d.q(to), nil
}

func (d shimDDL) column(c *schema.Column) string {
	p := d.q(c.Name) + " " + d.typ(c.Type)
	if c.Identity != schema.IdentityNone {
		p += " " + c.Identity.String()
	}
	if c.ServerDefault != "" {
		p += " DEFAULT " + c.ServerDefault
	}
	if !c.Nullable {
		p += " NOT NULL"
	}
	return p
}

func (d shimDDL) CreateTable(t *schema.Table) ([]string, error) {
	var parts []string
	for _, c := range t.Columns {
		parts = append(parts, d.column(c))
	}
	if t.PrimaryKey != nil {
		parts = append(parts, d.constraint(t.PrimaryKey.Name)+"PRIMARY KEY ("+d.qs(t.PrimaryKey.Columns)+")")
	}
	for _, u := range t.Uniques {
		parts = append(parts, d.constraint(u.Name)+"UNIQUE ("+d.qs(u.Columns)+")")
	}
	for _, c := range t.Checks {
		parts = append(parts, d.constraint(c.Name)+"CHECK ("+c.Expr+")")
	}
	for _, fk := range t.ForeignKeys {
		parts = append(parts, d.constraint(fk.Name)+d.fk(fk))
	}
	out := []string{"CREATE TABLE " + d.q(t.Name) + " (" + strings.Join(parts, ", ") + ")"}
	for _, ix := range t.Indexes {
		s, _ := d.CreateIndex(t.Name, ix, false)
		out = append(out, s)
	}
	if t.Comment != "" {
		s, _ := d.CommentOnTable(t.Name, t.Comment)
		out = append(out, s)
	}
	for _, c := range t.Columns {
		if c.Comment != "" {
			s, _ := d.CommentOnColumn(t.Name, c.Name, c.Comment)
			out = append(out, s)
		}
	}
	return out, nil
}

func (d shimDDL) constraint(name string) string {
	if name == "" {
		return ""
	}
	return "CONSTRAINT " + d.q(name) + " "
}

func (d shimDDL) fk(fk *schema.ForeignKey) string {
	ref := d.q(fk.RefTable)
	if fk.RefSchema != "" {
		ref = d.q(fk.RefSchema) + "." + ref
	}
	s := "FOREIGN KEY (" + d.qs(fk.Columns) + ") REFERENCES " + ref + " (" + d.qs(fk.RefColumns) + ")"
	if fk.OnDelete != "" {
		s += " ON DELETE " + string(fk.OnDelete)
	}
	if fk.OnUpdate != "" {
		s += " ON UPDATE " + string(fk.OnUpdate)
	}
	return s
}

func (d shimDDL) DropTable(name string) (string, error) { return "DROP TABLE " + d.q(name), nil }

func (d shimDDL) RenameTable(from, to string) (string, error) {
	return "ALTER TABLE " + d.q(from) + " RENAME TO " + d.q(to), nil
}

func (d shimDDL) CommentOnTable(table, comment string) (string, error) {
	return "COMMENT ON TABLE " + d.q(table) + " IS " + d.comment(comment), nil
}

func (d shimDDL) comment(c string) string {
	if c == "" {
		return "NULL"
	}
	return lit(c)
}

func (d shimDDL) AddColumn(table string, c *schema.Column) ([]string, error) {
	out := []string{"ALTER TABLE " + d.q(table) + " ADD COLUMN " + d.column(c)}
	if c.Comment != "" {
		s, _ := d.CommentOnColumn(table, c.Name, c.Comment)
		out = append(out, s)
	}
	return out, nil
}

func (d shimDDL) DropColumn(table, column string) (string, error) {
	return "ALTER TABLE " + d.q(table) + " DROP COLUMN " + d.q(column), nil
}

func (d shimDDL) RenameColumn(table, from, to string) (string, error) {
	return "ALTER TABLE " + d.q(table) + " RENAME COLUMN " + d.q(from) + " TO " + d.q(to), nil
}

func (d shimDDL) alter(table, column string) string {
	return "ALTER TABLE " + d.q(table) + " ALTER COLUMN " + d.q(column) + " "
}

func (d shimDDL) AlterColumnType(table, column string, to schema.Type, using string) (string, error) {
	s := d.alter(table, column) + "TYPE " + d.typ(to)
	if using != "" {
		s += " USING " + using
	}
	return s, nil
}

func (d shimDDL) AlterColumnNullable(table, column string, nullable bool) (string, error) {
	if nullable {
		return d.alter(table, column) + "DROP NOT NULL", nil
	}
	return d.alter(table, column) + "SET NOT NULL", nil
}

func (d shimDDL) AlterColumnDefault(table, column, expr string) (string, error) {
	if expr == "" {
		return d.alter(table, column) + "DROP DEFAULT", nil
	}
	return d.alter(table, column) + "SET DEFAULT " + expr, nil
}

func (d shimDDL) AlterColumnIdentity(table, column string, from, to schema.Identity) ([]string, error) {
	switch {
	case to == schema.IdentityNone:
		return []string{d.alter(table, column) + "DROP IDENTITY IF EXISTS"}, nil
	case from == schema.IdentityNone:
		return []string{d.alter(table, column) + "ADD " + to.String()}, nil
	case to == schema.IdentityAlways:
		return []string{d.alter(table, column) + "SET GENERATED ALWAYS"}, nil
	}
	return []string{d.alter(table, column) + "SET GENERATED BY DEFAULT"}, nil
}

func (d shimDDL) CommentOnColumn(table, column, comment string) (string, error) {
	return "COMMENT ON COLUMN " + d.q(table) + "." + d.q(column) + " IS " + d.comment(comment), nil
}

func (d shimDDL) addConstraint(table, name, body string) (string, error) {
	return "ALTER TABLE " + d.q(table) + " ADD " + d.constraint(name) + body, nil
}

func (d shimDDL) AddPrimaryKey(table string, pk *schema.PrimaryKey) (string, error) {
	return d.addConstraint(table, pk.Name, "PRIMARY KEY ("+d.qs(pk.Columns)+")")
}

func (d shimDDL) AddUnique(table string, u *schema.Unique) (string, error) {
	return d.addConstraint(table, u.Name, "UNIQUE ("+d.qs(u.Columns)+")")
}

func (d shimDDL) AddForeignKey(table string, fk *schema.ForeignKey) (string, error) {
	return d.addConstraint(table, fk.Name, d.fk(fk))
}

func (d shimDDL) AddCheck(table string, c *schema.Check) (string, error) {
	return d.addConstraint(table, c.Name, "CHECK ("+c.Expr+")")
}

func (d shimDDL) DropConstraint(table, name string) (string, error) {
	return "ALTER TABLE " + d.q(table) + " DROP CONSTRAINT " + d.q(name), nil
}

func (d shimDDL) CreateIndex(table string, ix *schema.Index, concurrently bool) (string, error) {
	s := "CREATE "
	if ix.Unique {
		s += "UNIQUE "
	}
	s += "INDEX "
	if concurrently {
		s += "CONCURRENTLY "
	}
	s += d.q(ix.Name) + " ON " + d.q(table)
	if ix.Method != "" {
		s += " USING " + d.q(ix.Method)
	}
	keys := d.qs(ix.Columns)
	if len(ix.Exprs) > 0 {
		parts := make([]string, len(ix.Exprs))
		for i, e := range ix.Exprs {
			parts[i] = "(" + e + ")"
		}
		keys = strings.Join(parts, ", ")
	}
	s += " (" + keys + ")"
	if ix.Where != "" {
		s += " WHERE " + ix.Where
	}
	return s, nil
}

func (d shimDDL) DropIndex(name string, concurrently bool) (string, error) {
	if concurrently {
		return "DROP INDEX CONCURRENTLY " + d.q(name), nil
	}
	return "DROP INDEX " + d.q(name), nil
}
