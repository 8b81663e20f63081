package schema

import (
	"fmt"
	"slices"
	"strconv"
)

// NameConstraints gives each key, constraint and index of t that has no
// name the one n chooses ([DefaultNaming] when n is nil), and remembers
// that the name came from a convention: a [Metadata] built with
// [WithNaming] names it again by its own [Naming]. Names already given
// are kept. The mapper calls it with DefaultNaming; call it on a table
// built by hand whose names are needed before a Metadata holds it.
func (t *Table) NameConstraints(n Naming) {
	if n == nil {
		n = DefaultNaming{}
	}
	for _, o := range t.namedObjects() {
		if *o.name == "" {
			t.conventionally(o.name, o.parts.Label)
			*o.name = n.Name(o.parts)
		}
	}
}

// conventionally records that the Name field at name is the convention's
// to fill, with label for a check.
func (t *Table) conventionally(name *string, label string) {
	if t.conventional == nil {
		t.conventional = map[*string]string{}
	}
	t.conventional[name] = label
}

// renameConstraints names the table's unnamed objects, and again those a
// convention named, by n. A table that a Metadata already holds keeps its
// names: one that n would name otherwise is an error.
func (t *Table) renameConstraints(n Naming) error {
	for _, o := range t.namedObjects() {
		if _, conv := t.conventional[o.name]; !conv && *o.name != "" {
			continue
		}
		name := n.Name(o.parts)
		if t.inMeta && name != *o.name {
			return tableError(t, o.column(), fmt.Errorf("%w: the table is already part of a Metadata that named its %s %s, not %s; map the models again (a new Mapper) to build metadata with another Naming",
				ErrBadName, o.parts.Kind, *o.name, name))
		}
		t.conventionally(o.name, o.parts.Label)
		*o.name = name
	}
	return nil
}

// namedObject is a key, constraint or index of a table: where its name is
// and what a Naming names it from.
type namedObject struct {
	name  *string
	parts NameParts
}

// column returns the object's first column, "" when it has none.
func (o namedObject) column() string {
	if len(o.parts.Columns) == 0 {
		return o.parts.Label
	}
	return o.parts.Columns[0]
}

// namedObjects lists the table's primary key, unique constraints,
// indexes, foreign keys and checks, in that order.
func (t *Table) namedObjects() []namedObject {
	var out []namedObject
	add := func(name *string, p NameParts) {
		p.Schema, p.Table = t.Schema, t.Name
		out = append(out, namedObject{name, p})
	}
	if t.PrimaryKey != nil {
		add(&t.PrimaryKey.Name, NameParts{Kind: PrimaryKeyKind, Columns: t.PrimaryKey.Columns})
	}
	for _, u := range t.Uniques {
		add(&u.Name, NameParts{Kind: UniqueKind, Columns: u.Columns})
	}
	for _, ix := range t.Indexes {
		add(&ix.Name, NameParts{Kind: IndexKind, Columns: ix.Columns, Unique: ix.Unique})
	}
	for _, fk := range t.ForeignKeys {
		add(&fk.Name, NameParts{Kind: ForeignKeyKind, Columns: fk.Columns, RefSchema: fk.RefSchema, RefTable: fk.RefTable})
	}
	for i, ck := range t.Checks {
		label, ok := t.conventional[&ck.Name]
		if !ok {
			label = strconv.Itoa(i + 1)
		}
		add(&ck.Name, NameParts{Kind: CheckKind, Columns: t.exprColumns(ck.Expr), Label: label})
	}
	return out
}

// exprColumns returns the table's columns that expr names, each once, in
// the order it first names them: the unquoted words (folded to lower
// case) and quoted identifiers outside string literals that are not a
// function called, a type after ::, or a qualifier before a dot.
func (t *Table) exprColumns(expr string) []string {
	var cols []string
	for _, w := range exprWords(expr) {
		if t.Column(w) != nil && !slices.Contains(cols, w) {
			cols = append(cols, w)
		}
	}
	return cols
}

// checkNames reports names that are empty or too long, the constraints of
// one table sharing a name, and the tables, indexes, primary keys and
// unique constraints of one schema sharing a name (PostgreSQL keeps them
// all in one namespace of relations).
func checkNames(tables []*Table) []error {
	var errs []error
	relations := map[qname]string{} // name → what holds it, for the message
	for _, t := range tables {
		relations[qname{t.Schema, t.Name}] = "table " + t.QualifiedName()
	}
	for _, t := range tables {
		constraints := map[string]string{}
		for _, o := range t.namedObjects() {
			if err := checkName(t, o, relations, constraints); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// checkName checks one object's name against those seen so far, and
// records it.
func checkName(t *Table, o namedObject, relations map[qname]string, constraints map[string]string) error {
	name, what := *o.name, o.parts.Kind.String()+" "+*o.name
	fail := func(err error) error { return tableError(t, o.column(), err) }
	if !validIdent(name) {
		return fail(fmt.Errorf("%w: %s name %q must be 1 to %d bytes without NUL", ErrBadName, o.parts.Kind, name, MaxIdentLen))
	}
	if o.parts.Kind != IndexKind {
		if prev, dup := constraints[name]; dup {
			return fail(fmt.Errorf("%w: %s of table %s has the name of its %s; %s", ErrDuplicateName, what, t.QualifiedName(), prev, nameHint))
		}
		constraints[name] = what
	}
	switch o.parts.Kind {
	case PrimaryKeyKind, UniqueKind, IndexKind: // each is (or has) an index, a relation
		key := qname{t.Schema, name}
		if prev, dup := relations[key]; dup {
			return fail(fmt.Errorf("%w: %s of table %s has the name of %s, and indexes share one namespace with tables in a schema; %s",
				ErrDuplicateName, what, t.QualifiedName(), prev, nameHint))
		}
		relations[key] = what + " of table " + t.QualifiedName()
	}
	return nil
}

const nameHint = "name one of them in its tag (pk:NAME, unique:NAME, index:NAME, fk_name:NAME, check_name:NAME)"
