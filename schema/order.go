package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// newMetadata validates the tables and enums, names unnamed constraints by
// the convention, seals the tables and orders them by foreign key.
func newMetadata(tables []*Table, enums []*Enum, opts []MetadataOption) (*Metadata, error) {
	m := &Metadata{byName: map[qname]*Table{}, byEnum: map[qname]*Enum{}, naming: DefaultNaming{}}
	for _, o := range opts {
		o(m)
	}
	errs := m.addEnums(enums)
	var kept []*Table
	for _, t := range tables {
		if prev, dup := m.byName[qname{t.Schema, t.Name}]; dup {
			errs = append(errs, tableError(t, "", fmt.Errorf("%w: %s is already the table of %s", ErrDuplicateTable, t.QualifiedName(), describe(prev))))
			continue
		}
		if err := t.renameConstraints(m.naming); err != nil {
			errs = append(errs, err)
		}
		t.Seal()
		m.byName[qname{t.Schema, t.Name}] = t
		m.addSchema(t.Schema)
		kept = append(kept, t)
	}
	errs = append(errs, checkNames(kept)...)
	for _, t := range kept {
		m.resolveReferences(t)
		errs = append(errs, m.check(t)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, t := range tables {
		t.inMeta = true
	}
	m.tables, m.cyclic = sortTables(tables)
	return m, nil
}

// addEnums records the enum types, each once.
func (m *Metadata) addEnums(enums []*Enum) []error {
	var errs []error
	for _, e := range enums {
		switch prev := m.byEnum[qname{e.Schema, e.Name}]; {
		case prev != nil && !slices.Equal(prev.Values, e.Values):
			errs = append(errs, fmt.Errorf("enum type %s declared twice with different values: %w", e.QualifiedName(), ErrBadValue))
		case prev == nil:
			m.enums = append(m.enums, e)
			m.byEnum[qname{e.Schema, e.Name}] = e
			m.addSchema(e.Schema)
		}
	}
	return errs
}

// resolveReferences points each foreign key of t at the table it
// references (see ReferenceSchema).
func (m *Metadata) resolveReferences(t *Table) {
	has := func(nsp, name string) bool { return m.TableIn(nsp, name) != nil }
	for _, fk := range t.ForeignKeys {
		fk.RefSchema = ReferenceSchema(fk, has)
	}
}

// addSchema records a named schema, keeping the list sorted.
func (m *Metadata) addSchema(nsp string) {
	if i, found := slices.BinarySearch(m.schemas, nsp); nsp != "" && !found {
		m.schemas = slices.Insert(m.schemas, i, nsp)
	}
}

// describe names a table's origin for messages.
func describe(t *Table) string {
	if t.GoType != nil {
		return t.GoType.String()
	}
	return "table " + t.QualifiedName()
}

// tableError wraps err as a *ModelError for a mapped table, or adds the
// table's name for one that is not.
func tableError(t *Table, col string, err error) error {
	if t.GoType == nil {
		if col != "" {
			return fmt.Errorf("table %s column %s: %w", t.QualifiedName(), col, err)
		}
		return fmt.Errorf("table %s: %w", t.QualifiedName(), err)
	}
	me := &ModelError{Type: t.GoType, Err: err}
	if c := t.Column(col); c != nil && c.Field != nil {
		me.Field, me.Tag = c.Field.Name, c.Field.Tag
	}
	return me
}

// check validates one table's references against the whole metadata.
func (m *Metadata) check(t *Table) []error {
	var errs []error
	cols := func(what string, names []string) {
		for _, n := range names {
			if t.Column(n) == nil {
				errs = append(errs, tableError(t, "", fmt.Errorf("%w: %s names column %q, which %s does not have", ErrMissingRef, what, n, t.Name)))
			}
		}
	}
	if t.PrimaryKey != nil {
		cols("primary key "+t.PrimaryKey.Name, t.PrimaryKey.Columns)
	}
	for _, u := range t.Uniques {
		cols("unique "+u.Name, u.Columns)
	}
	for _, ix := range t.Indexes {
		cols("index "+ix.Name, ix.Columns)
	}
	for _, c := range t.Columns {
		if e, ok := enumOfType(c.Type); ok && m.describes(e.Schema) && m.EnumIn(e.Schema, e.Name) == nil {
			errs = append(errs, tableError(t, c.Name, fmt.Errorf("%w: column %s uses enum type %s, which is not declared", ErrMissingRef, c.Name, e)))
		}
	}
	for _, fk := range t.ForeignKeys {
		cols("foreign key "+fk.Name, fk.Columns)
		errs = append(errs, m.checkForeignKey(t, fk)...)
	}
	return errs
}

// checkForeignKey validates that fk of t references a table of the
// metadata, with as many columns, existing and of a comparable type.
func (m *Metadata) checkForeignKey(t *Table, fk *ForeignKey) []error {
	col := ""
	if len(fk.Columns) > 0 {
		col = fk.Columns[0]
	}
	ref := m.Referenced(fk)
	switch {
	case ref == nil && !m.describes(fk.RefSchema):
		return nil // a schema the metadata does not describe: not ours to check
	case ref == nil:
		return []error{tableError(t, col, fmt.Errorf("%w: fk to table %q, which is not registered%s", ErrMissingRef, QualifiedName(fk.RefSchema, fk.RefTable), m.elsewhere(fk)))}
	case len(fk.RefColumns) != len(fk.Columns):
		return []error{tableError(t, col, fmt.Errorf("%w: foreign key %s has %d columns but references %d", ErrBadValue, fk.Name, len(fk.Columns), len(fk.RefColumns)))}
	}
	var errs []error
	for i, rc := range fk.RefColumns {
		target := ref.Column(rc)
		if target == nil {
			errs = append(errs, tableError(t, col, fmt.Errorf("%w: fk to %s.%s: table %s has no column %q (it has %s)",
				ErrMissingRef, fk.RefTable, rc, fk.RefTable, rc, columnNames(ref))))
			continue
		}
		if c := t.Column(fk.Columns[i]); c != nil && typeFamily(c.Type) != typeFamily(target.Type) {
			errs = append(errs, tableError(t, c.Name, fmt.Errorf("%w: column %s is %s but references %s.%s of type %s",
				ErrBadValue, c.Name, c.Type, fk.RefTable, rc, target.Type)))
		}
	}
	return errs
}

// typeFamily groups types that PostgreSQL lets a foreign key compare:
// integers of any width (serial, bigserial and smallserial are integers
// with a sequence), character types of any length.
func typeFamily(t Type) string {
	if s, ok := t.(Scalar); ok {
		if c, err := ParseType(s.Name); err == nil {
			t = c
		}
	}
	switch s, _ := t.(Scalar); s.Name {
	case "smallint", "integer", "bigint", "smallserial", "serial", "bigserial":
		return "integer"
	case "text", "character varying", "character":
		return "text"
	}
	return t.String()
}

// elsewhere names the tables of fk's table name in other schemas, for the
// message of a key that does not find its table.
func (m *Metadata) elsewhere(fk *ForeignKey) string {
	var found []string
	for _, t := range m.byName {
		if t.Name == fk.RefTable && t.Schema != fk.RefSchema {
			found = append(found, QualifiedName(t.Schema, t.Name)+"."+strings.Join(fk.RefColumns, ","))
		}
	}
	if len(found) == 0 {
		return ""
	}
	slices.Sort(found)
	return " (did you mean fk:" + strings.Join(found, " or fk:") + "?)"
}

func columnNames(t *Table) string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// enumOfType returns the enum a column type uses, directly or as an array
// element.
func enumOfType(t Type) (EnumRef, bool) {
	switch t := t.(type) {
	case EnumRef:
		return t, true
	case Array:
		return enumOfType(t.Elem)
	}
	return EnumRef{}, false
}

// sortTables orders tables so that referenced tables come first, keeping
// the given order wherever the references allow it. Self references are
// ignored. When the remaining tables all wait on each other (a cycle), the
// first of them in the given order is placed, and its foreign keys to
// tables not yet placed are returned in cyclic: DDL adds them after all
// tables exist.
func sortTables(tables []*Table) (order []*Table, cyclic []*ForeignKey) {
	pending := make(map[qname]bool, len(tables))
	for _, t := range tables {
		pending[qname{t.Schema, t.Name}] = true
	}
	waits := func(t *Table, fk *ForeignKey) bool {
		ref := qname{fk.RefSchema, fk.RefTable}
		return ref != (qname{t.Schema, t.Name}) && pending[ref]
	}
	ready := func(t *Table) bool {
		for _, fk := range t.ForeignKeys {
			if waits(t, fk) {
				return false
			}
		}
		return true
	}
	rest := slices.Clone(tables)
	for len(rest) > 0 {
		i := slices.IndexFunc(rest, ready)
		if i < 0 {
			i = 0
			for _, fk := range rest[0].ForeignKeys {
				if waits(rest[0], fk) {
					cyclic = append(cyclic, fk)
				}
			}
		}
		t := rest[i]
		order = append(order, t)
		delete(pending, qname{t.Schema, t.Name})
		rest = slices.Delete(rest, i, i+1)
	}
	return order, cyclic
}
