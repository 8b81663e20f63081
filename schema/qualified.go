package schema

import (
	"fmt"
	"strings"
)

// Names in several PostgreSQL schemas. A table or enum type with Schema ""
// lives in the search path's first schema (current_schema(), normally
// public); one with a Schema lives there. A foreign key's RefSchema and an
// [EnumRef]'s Schema follow the same rule: "" is the search path's schema,
// whatever schema the referencing table is in.

// QualifiedName returns "schema.name", or name when schema is "".
func QualifiedName(schema, name string) string {
	if schema == "" {
		return name
	}
	return schema + "." + name
}

// SplitQualified splits "schema.name" at its first dot; a name without a
// dot is in schema "".
func SplitQualified(s string) (schema, name string) {
	if before, after, ok := strings.Cut(s, "."); ok {
		return before, after
	}
	return "", s
}

// ReferenceSchema returns the schema of the table fk references, among
// the tables has reports: fk.RefSchema when it holds the table; else, for
// a key that names the search path's schema ("") or "public", the other
// of the two when that one holds it, since PostgreSQL's default search
// path is public and metadata cannot know another (fk:users.id reaches a
// model whose TableName() is "public.users", fk:public.tags.id one whose
// TableName() is "tags"); else fk.RefSchema. Metadata and the relation
// package resolve references by this one rule.
func ReferenceSchema(fk *ForeignKey, has func(nsp, name string) bool) string {
	if has(fk.RefSchema, fk.RefTable) {
		return fk.RefSchema
	}
	switch {
	case fk.RefSchema == "" && has("public", fk.RefTable):
		return "public"
	case fk.RefSchema == "public" && has("", fk.RefTable):
		return ""
	}
	return fk.RefSchema
}

// splitModelName splits the "schema.name" or "name" a model gives (its
// TableName(), an enum:NAME). Text with more than one dot or an empty
// part comes back whole as the name, for validName to reject as written.
func splitModelName(s string) (schema, name string) {
	if strings.Count(s, ".") != 1 {
		return "", s
	}
	if schema, name = SplitQualified(s); schema == "" || name == "" {
		return "", s
	}
	return schema, name
}

// validName reports whether s can name a schema, table or type: an
// identifier without a dot, which would make "schema.name" ambiguous.
func validName(s string) bool { return validIdent(s) && !strings.Contains(s, ".") }

// badQualified is the error for a table or enum type name that is not
// NAME or SCHEMA.NAME.
func badQualified(what, name string) error {
	return fmt.Errorf("%w: %s name %q: want NAME or SCHEMA.NAME, each 1 to %d bytes without a dot or NUL",
		ErrBadValue, what, name, MaxIdentLen)
}

// qname is a schema-qualified name, the key of tables and enum types.
type qname struct{ schema, name string }

// QualifiedName returns the table's name qualified by its schema when it
// has one ("sales.orders", or "orders").
func (t *Table) QualifiedName() string { return QualifiedName(t.Schema, t.Name) }

// QualifiedName returns the enum type's name qualified by its schema when
// it has one.
func (e *Enum) QualifiedName() string { return QualifiedName(e.Schema, e.Name) }
