package schema

import (
	"reflect"
	"slices"
)

// Table is a table's metadata: columns in table order, keys, constraints,
// indexes and, for mapped models, the Go type. A Table is immutable once it
// is part of a [Metadata]; build a new one rather than changing it.
type Table struct {
	Schema      string        // "" means the search path's first schema
	Name        string        // unqualified; for a model, [TableName] of its type or its TableName()
	Columns     []*Column     // in table order: embedded structs' columns first
	PrimaryKey  *PrimaryKey   // nil only for tables read back without one
	Uniques     []*Unique     // UNIQUE constraints, from `unique` tags
	Indexes     []*Index      // from `index`, `index:NAME` and `unique_index:NAME` tags
	ForeignKeys []*ForeignKey // from `fk:` tags and association tables
	Checks      []*Check      // from `check:` tags
	Comment     string        // COMMENT ON TABLE; "" for none

	// GoType is the model struct type (not a pointer), nil for tables that
	// are not mapped (association tables, introspected tables).
	GoType reflect.Type

	// Relations holds the struct fields tagged `rel:"…"`, unresolved; the
	// relation package turns them into relationships.
	Relations []*RelationField

	byName  map[string]*Column
	byField map[string]*Column

	// conventional holds the Name fields (of the key, constraints and
	// indexes) that a Naming filled rather than the model, each with its
	// label (a check's column, else ""): a Metadata with another Naming
	// names them again.
	conventional map[*string]string
	// inMeta is set once a Metadata holds the table: its names are settled.
	inMeta bool
}

// RelationField is a struct field carrying a `rel` tag, recorded by the
// mapper for the relation package to resolve.
type RelationField struct {
	Name   string       // Go field name
	Index  []int        // reflect index path
	Type   reflect.Type // *T or []*T
	Target reflect.Type // T, the related model struct type
	Many   bool         // true for slices
	Tag    string       // the raw `rel` tag
	Offset uintptr      // byte offset from the struct start when Direct
	Direct bool         // true when no embedded pointer is on the path
}

// Column returns the column with the given name, or nil.
func (t *Table) Column(name string) *Column {
	if t.byName == nil {
		for _, c := range t.Columns {
			if c.Name == name {
				return c
			}
		}
		return nil
	}
	return t.byName[name]
}

// ColumnByField returns the column mapped from the Go field with the given
// name (the plain name, not the dotted path), or nil.
func (t *Table) ColumnByField(field string) *Column {
	if t.byField == nil {
		for _, c := range t.Columns {
			if c.Field != nil && lastName(c.Field.Name) == field {
				return c
			}
		}
		return nil
	}
	return t.byField[field]
}

// PrimaryKeyColumns returns the primary key's columns in key order.
func (t *Table) PrimaryKeyColumns() []*Column {
	if t.PrimaryKey == nil {
		return nil
	}
	cols := make([]*Column, 0, len(t.PrimaryKey.Columns))
	for _, n := range t.PrimaryKey.Columns {
		cols = append(cols, t.Column(n))
	}
	return cols
}

// Seal builds the table's lookup indexes. Metadata seals every table it is
// given; call it yourself only on a table used outside a Metadata.
func (t *Table) Seal() { t.index() }

func (t *Table) index() {
	t.byName = make(map[string]*Column, len(t.Columns))
	t.byField = make(map[string]*Column, len(t.Columns))
	for _, c := range t.Columns {
		t.byName[c.Name] = c
		if c.Field != nil {
			t.byField[lastName(c.Field.Name)] = c
		}
	}
}

func lastName(dotted string) string {
	for i := len(dotted) - 1; i >= 0; i-- {
		if dotted[i] == '.' {
			return dotted[i+1:]
		}
	}
	return dotted
}

// ConstraintColumns returns the columns, in key order, of t's primary key,
// unique constraint, unique index or foreign key (its referencing columns)
// named name; nil when t has none of that name or the key is made of
// expressions. The slice is a copy.
func (t *Table) ConstraintColumns(name string) []string {
	if t.PrimaryKey != nil && t.PrimaryKey.Name == name {
		return slices.Clone(t.PrimaryKey.Columns)
	}
	for _, u := range t.Uniques {
		if u.Name == name {
			return slices.Clone(u.Columns)
		}
	}
	for _, ix := range t.Indexes {
		if ix.Name == name && ix.Unique && len(ix.Exprs) == 0 {
			return slices.Clone(ix.Columns)
		}
	}
	for _, fk := range t.ForeignKeys {
		if fk.Name == name {
			return slices.Clone(fk.Columns)
		}
	}
	return nil
}
