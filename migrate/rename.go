package migrate

import (
	"slices"

	"github.com/crucible-orm/crucible/schema"
)

// renameSchemas returns a copy of m with every schema name passed through
// to: the tables', the enum types', the foreign keys' and the enum
// columns'; and, when expr is not nil, every SQL expression (defaults,
// checks, index predicates and expressions) passed through expr. m is not
// changed.
func renameSchemas(m *schema.Metadata, to, expr func(string) string) (*schema.Metadata, error) {
	if expr == nil {
		expr = func(s string) string { return s }
	}
	tables := make([]*schema.Table, len(m.Tables()))
	for i, t := range m.Tables() {
		tables[i] = renameTable(t, to, expr)
	}
	enums := make([]*schema.Enum, len(m.Enums()))
	for i, e := range m.Enums() {
		cp := *e
		cp.Schema = to(e.Schema)
		enums[i] = &cp
	}
	return schema.NewMetadata(tables, enums)
}

func renameTable(t *schema.Table, to, expr func(string) string) *schema.Table {
	cp := &schema.Table{Schema: to(t.Schema), Name: t.Name, PrimaryKey: t.PrimaryKey, Uniques: t.Uniques,
		Comment: t.Comment, GoType: t.GoType}
	cp.Columns = make([]*schema.Column, len(t.Columns))
	for i, c := range t.Columns {
		cc := *c
		cc.Type = renameType(c.Type, to)
		cc.ServerDefault = expr(c.ServerDefault)
		cp.Columns[i] = &cc
	}
	for _, ck := range t.Checks {
		cp.Checks = append(cp.Checks, &schema.Check{Name: ck.Name, Expr: expr(ck.Expr)})
	}
	for _, ix := range t.Indexes {
		cx := *ix
		cx.Where = expr(ix.Where)
		cx.Exprs = make([]string, len(ix.Exprs))
		for i, e := range ix.Exprs {
			cx.Exprs[i] = expr(e)
		}
		cp.Indexes = append(cp.Indexes, &cx)
	}
	cp.ForeignKeys = make([]*schema.ForeignKey, len(t.ForeignKeys))
	for i, fk := range t.ForeignKeys {
		cf := *fk
		cf.RefSchema = to(fk.RefSchema)
		cp.ForeignKeys[i] = &cf
	}
	return cp
}

func renameType(t schema.Type, to func(string) string) schema.Type {
	switch t := t.(type) {
	case schema.EnumRef:
		return schema.EnumRef{Schema: to(t.Schema), Name: t.Name}
	case schema.Array:
		return schema.Array{Elem: renameType(t.Elem, to)}
	}
	return t
}

// mapSchemas returns a rename function from a map, leaving names the map
// lacks alone.
func mapSchemas(m map[string]string) func(string) string {
	return func(nsp string) string {
		if to, ok := m[nsp]; ok {
			return to
		}
		return nsp
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
