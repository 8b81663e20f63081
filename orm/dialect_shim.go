package orm

// TEMPORARY: a minimal PostgreSQL dialect until dialect/postgres lands.

import (
	"fmt"
	"strings"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/schema"
)

type shimDialect struct{}

var _ dialect.Dialect = shimDialect{}

func (shimDialect) Name() string { return "postgres" }

func (shimDialect) QuoteIdent(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) || len(name) > 63 {
		return "", fmt.Errorf("bad identifier %q", name)
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`, nil
}

func (shimDialect) Placeholder(n int) string { return fmt.Sprintf("$%d", n) }

func (shimDialect) Classify(err error) error { return postgres.Dialect{}.Classify(err) }

func (d shimDialect) CreateAll(m *schema.Metadata) ([]string, error) {
	var out []string
	for _, e := range m.Enums() {
		q, _ := d.QuoteIdent(e.Name)
		vals := make([]string, len(e.Values))
		for i, v := range e.Values {
			vals[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		out = append(out, "CREATE TYPE "+q+" AS ENUM ("+strings.Join(vals, ", ")+")")
	}
	for _, t := range m.Tables() {
		out = append(out, d.createTable(t))
	}
	return out, nil
}

func (d shimDialect) createTable(t *schema.Table) string {
	q := func(s string) string { r, _ := d.QuoteIdent(s); return r }
	qs := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = q(s)
		}
		return strings.Join(out, ", ")
	}
	var parts []string
	for _, c := range t.Columns {
		typ := c.Type.String()
		if e, ok := c.Type.(schema.EnumRef); ok {
			typ = q(e.Name)
		}
		p := q(c.Name) + " " + typ
		if !c.Nullable {
			p += " NOT NULL"
		}
		if c.Identity != schema.IdentityNone {
			p += " " + c.Identity.String()
		}
		if c.ServerDefault != "" {
			p += " DEFAULT " + c.ServerDefault
		}
		parts = append(parts, p)
	}
	if t.PrimaryKey != nil {
		parts = append(parts, "CONSTRAINT "+q(t.PrimaryKey.Name)+" PRIMARY KEY ("+qs(t.PrimaryKey.Columns)+")")
	}
	for _, u := range t.Uniques {
		parts = append(parts, "CONSTRAINT "+q(u.Name)+" UNIQUE ("+qs(u.Columns)+")")
	}
	for _, c := range t.Checks {
		parts = append(parts, "CONSTRAINT "+q(c.Name)+" CHECK ("+c.Expr+")")
	}
	for _, fk := range t.ForeignKeys {
		s := "CONSTRAINT " + q(fk.Name) + " FOREIGN KEY (" + qs(fk.Columns) + ") REFERENCES " + q(fk.RefTable) + " (" + qs(fk.RefColumns) + ")"
		if fk.OnDelete != "" {
			s += " ON DELETE " + string(fk.OnDelete)
		}
		parts = append(parts, s)
	}
	return "CREATE TABLE " + q(t.Name) + " (" + strings.Join(parts, ", ") + ")"
}

func (d shimDialect) DropAll(m *schema.Metadata) ([]string, error) {
	var out []string
	ts := m.Tables()
	for i := len(ts) - 1; i >= 0; i-- {
		q, _ := d.QuoteIdent(ts[i].Name)
		out = append(out, "DROP TABLE IF EXISTS "+q+" CASCADE")
	}
	for _, e := range m.Enums() {
		q, _ := d.QuoteIdent(e.Name)
		out = append(out, "DROP TYPE IF EXISTS "+q)
	}
	return out, nil
}
