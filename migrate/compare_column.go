package migrate

import (
	"fmt"

	"github.com/crucible-orm/crucible/schema"
)

// columns compares the columns of a table on both sides: drops, adds,
// alters, and hints at renames.
func (c *comparer) columns(l, w *schema.Table) {
	var dropped, added []*schema.Column
	object := func(col *schema.Column, where presence) bool {
		return c.filter.object(Object{Kind: ColumnObject, Schema: w.Schema, Table: w.Name, Name: col.Name,
			InModels: where.inModels(), InDatabase: where.inDatabase()})
	}
	for _, lc := range l.Columns {
		if w.Column(lc.Name) == nil && object(lc, inDatabaseOnly) {
			dropped = append(dropped, lc)
			c.add(phaseDropColumn, DropColumn{Schema: l.Schema, Table: l.Name, Column: lc})
		}
	}
	for _, wc := range w.Columns {
		lc := l.Column(wc.Name)
		switch {
		case lc == nil && object(wc, inModelsOnly):
			added = append(added, wc)
			c.add(phaseAddColumn, AddColumn{Schema: w.Schema, Table: w.Name, Column: wc})
		case lc != nil:
			c.alterColumn(w, lc, wc, object)
		}
	}
	c.renameHints(w, dropped, added)
}

// alterColumn adds the AlterColumn from lc to wc, if it changes anything
// the scope lets through.
func (c *comparer) alterColumn(w *schema.Table, lc, wc *schema.Column, object func(*schema.Column, presence) bool) {
	if t := localType(wc.Type, c.filter.current); t != wc.Type {
		cp := *wc
		cp.Type = t
		wc = &cp
	}
	op := alterColumn(w, lc, wc)
	if c.foldedDefaults[columnName{nameOf(w), wc.Name}] {
		op.Default = nil
	}
	if op.changed() && object(wc, inBoth) {
		c.add(phaseAlterColumn, op)
	}
}

// alterColumn returns the changes from lc to wc.
func alterColumn(w *schema.Table, lc, wc *schema.Column) AlterColumn {
	a := AlterColumn{Schema: w.Schema, Table: w.Name, Column: wc.Name}
	if !sameType(lc.Type, wc.Type) {
		a.Type = &TypeChange{From: lc.Type, To: wc.Type}
	}
	if ln, wn := lc.Nullable, nullable(w, wc); ln != wn {
		a.Nullable = &Change[bool]{From: ln, To: wn}
	}
	if lc.Identity != wc.Identity {
		a.Identity = &Change[schema.Identity]{From: lc.Identity, To: wc.Identity}
	}
	// A type change recasts the default too, which PostgreSQL refuses for
	// most pairs of types ('x'::text to an enum): drop and set it around
	// the change, even when its text stays the same.
	if !sameDefault(lc, wc) || a.Type != nil && lc.ServerDefault != "" {
		a.Default = &Change[string]{From: lc.ServerDefault, To: wc.ServerDefault}
	}
	if lc.Comment != wc.Comment {
		a.Comment = &Change[string]{From: lc.Comment, To: wc.Comment}
	}
	return a
}

// changed reports whether the op changes anything.
func (o AlterColumn) changed() bool {
	return o.Type != nil || o.Nullable != nil || o.Identity != nil || o.Default != nil || o.Comment != nil
}

// nullable is false for primary-key columns whatever the metadata says:
// PostgreSQL makes them NOT NULL.
func nullable(t *schema.Table, c *schema.Column) bool {
	if !c.Nullable || t.PrimaryKey == nil {
		return c.Nullable
	}
	for _, k := range t.PrimaryKey.Columns {
		if k == c.Name {
			return false
		}
	}
	return true
}

// sameType compares types with aliases folded.
func sameType(a, b schema.Type) bool { return schema.Equal(normalizeType(a), normalizeType(b)) }

// sameDefault compares server defaults in normalised form; identity
// columns have none.
func sameDefault(a, b *schema.Column) bool {
	if a.Identity != schema.IdentityNone && b.Identity != schema.IdentityNone {
		return true
	}
	return normalizeDefault(a.ServerDefault) == normalizeDefault(b.ServerDefault)
}

// renameHints points out each dropped column that has an added column of
// the same type in the same table.
func (c *comparer) renameHints(t *schema.Table, dropped, added []*schema.Column) {
	table := t.QualifiedName()
	used := map[string]bool{}
	for _, d := range dropped {
		for _, a := range added {
			if used[a.Name] || !sameType(d.Type, a.Type) {
				continue
			}
			used[a.Name] = true
			c.hint(fmt.Sprintf("possible rename: column %s is dropped and %s is added with the same type (%s). "+
				"If it is a rename, replace the DropColumn and the AddColumn (and their inverses in Downgrade) with",
				dotted(table, d.Name), dotted(table, a.Name), a.Type),
				opCode(RenameColumn{Schema: t.Schema, Table: t.Name, From: d.Name, To: a.Name}))
			break
		}
	}
}

// intRank orders the integer types by range.
var intRank = map[string]int{"smallint": 1, "smallserial": 1, "integer": 2, "serial": 2, "bigint": 3, "bigserial": 3}

// intDigits is the number of decimal digits each integer type needs.
var intDigits = map[string]int{"smallint": 5, "smallserial": 5, "integer": 10, "serial": 10, "bigint": 19, "bigserial": 19}

// narrows reports whether converting from to to can lose or reject values.
// Widening conversions (a longer varchar, varchar to text, a bigger
// integer or numeric, real to double precision, anything to text) do not.
func narrows(from, to schema.Type) bool {
	from, to = normalizeType(from), normalizeType(to)
	if sameType(from, to) {
		return false
	}
	if fa, ok := from.(schema.Array); ok {
		ta, ok := to.(schema.Array)
		return !ok || narrows(fa.Elem, ta.Elem)
	}
	ts, ok := to.(schema.Scalar)
	if ok && ts.Name == "text" {
		_, isArray := from.(schema.Array)
		return isArray
	}
	fs, fok := from.(schema.Scalar)
	if !ok || !fok {
		return !isJSONWidening(from, to)
	}
	return narrowsScalar(fs, ts)
}

func isJSONWidening(from, to schema.Type) bool {
	f, fok := from.(schema.JSON)
	t, tok := to.(schema.JSON)
	return fok && tok && !f.Binary && t.Binary
}

func narrowsScalar(f, t schema.Scalar) bool {
	switch {
	case intRank[f.Name] > 0 && intRank[t.Name] > 0:
		return intRank[t.Name] < intRank[f.Name]
	case intRank[f.Name] > 0 && t.Name == "numeric":
		return t.Precision > 0 && t.Precision-t.Scale < intDigits[f.Name]
	case f.Name == "numeric" && t.Name == "numeric":
		return t.Precision > 0 && (f.Precision == 0 || t.Scale < f.Scale || t.Precision-t.Scale < f.Precision-f.Scale)
	case f.Name == "real" && t.Name == "double precision":
		return false
	case isChar(f.Name) && t.Name == "character varying":
		return t.Size > 0 && (f.Size == 0 || t.Size < f.Size)
	case f.Name == "timestamp without time zone" && t.Name == "timestamp with time zone":
		return false
	}
	return true
}

func isChar(name string) bool { return name == "character varying" || name == "character" }

// localType returns t with an enum type of the search path's schema
// unnamed, as the database is read: a type the models name without
// declaring it (type:NAME) comes back from the scratch schemas qualified
// with the real schema that holds it.
func localType(t schema.Type, current string) schema.Type {
	switch x := t.(type) {
	case schema.EnumRef:
		if x.Schema == current {
			return schema.EnumRef{Name: x.Name}
		}
	case schema.Array:
		if e, ok := x.Elem.(schema.EnumRef); ok && e.Schema == current {
			return schema.Array{Elem: schema.EnumRef{Name: e.Name}}
		}
	}
	return t
}
