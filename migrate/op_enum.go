package migrate

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// CreateEnum creates an enum type with its values in order, in Schema
// ("" for the search path's). Autogenerate puts it before the first table
// or column that uses the type.
type CreateEnum struct {
	Schema string   // the PostgreSQL schema, "" for the search path's
	Name   string   // the type's name, unqualified
	Values []string // the labels, in sort order
}

// DropEnum drops an enum type; Values are its values, so that the reverse
// recreates it. Autogenerate drops a type once nothing uses it.
type DropEnum struct {
	Schema string   // the PostgreSQL schema, "" for the search path's
	Name   string   // the type's name, unqualified
	Values []string // the labels as they were, for the reverse
}

// AddEnumValue adds Value to an enum type with ALTER TYPE … ADD VALUE,
// placed Before or After an existing value (at the end when both are "").
// PostgreSQL cannot drop an enum value, so the reverse recreates the type
// ([RecreateEnum]); autogenerate records what that needs, and a hand-written
// AddEnumValue has no reverse. A value added in a revision cannot be used
// by later operations of the same revision (PostgreSQL refuses to use it
// before the transaction commits).
type AddEnumValue struct {
	Schema        string // the PostgreSQL schema, "" for the search path's
	Enum          string // the type's name, unqualified
	Value         string // the new label
	Before, After string // an existing label to put Value before or after; at most one is set

	undo *RecreateEnum // set by autogenerate
}

// RenameEnumValue renames a value of an enum type in place (ALTER TYPE …
// RENAME VALUE); rows holding it keep it under the new name.
type RenameEnumValue struct {
	Schema   string // the PostgreSQL schema, "" for the search path's
	Enum     string // the type's name, unqualified
	From, To string // the label before and after
}

// EnumColumn is a column converted by [RecreateEnum]. Default is the
// column's server default before (From) and after (To) the conversion: it
// is dropped before and set after, since the old type's default cannot
// stay on the new type (nil when the column has none). Array says the
// column is an array of the enum.
type EnumColumn struct {
	Schema  string          // the table's schema
	Table   string          // the table's name, unqualified
	Column  string          // the column's name
	Array   bool            // the column is an array of the enum, converted through text[]
	Default *Change[string] // the server default before and after, raw SQL; nil when there is none
}

// RecreateEnum changes an enum type's values from From to To when ALTER
// TYPE cannot: a value removed or the values reordered. It renames the old
// type away, creates the new one, converts Columns through text, and drops
// the old type. The indexes and check constraints whose expressions hold
// a value of the type (a predicate status = 'open', a check) are found in
// the catalogs, dropped before the conversion and created again after it
// as they were: PostgreSQL cannot convert such an expression itself. Renames maps old values to new ones for the conversion
// (rows holding a renamed value get the new one); rows holding a value
// removed without a rename make it fail, and the revision roll back. It is
// destructive when To lacks values of From that Renames does not carry
// over.
type RecreateEnum struct {
	Schema   string            // the PostgreSQL schema, "" for the search path's
	Name     string            // the type's name, unqualified; the new type keeps it
	From, To []string          // the labels before and after, in sort order
	Columns  []EnumColumn      // every column of the type, converted to the new one
	Renames  map[string]string // old label → new label, for rows holding a label that To renames
}

// Reverse returns the [DropEnum].
func (o CreateEnum) Reverse() (Op, error) { return DropEnum(o), nil }

// String returns "create enum NAME".
func (o CreateEnum) String() string { return "create enum " + schema.QualifiedName(o.Schema, o.Name) }

func (o CreateEnum) statements(d DDL) ([]string, error) {
	return one(d.CreateEnum(&schema.Enum{Schema: o.Schema, Name: o.Name, Values: o.Values}))
}

// Reverse returns the [CreateEnum].
func (o DropEnum) Reverse() (Op, error) { return CreateEnum(o), nil }

// String returns "drop enum NAME".
func (o DropEnum) String() string { return "drop enum " + schema.QualifiedName(o.Schema, o.Name) }

func (o DropEnum) statements(d DDL) ([]string, error) { return one(d.DropEnum(o.Schema, o.Name)) }

// Reverse returns the [RecreateEnum] without the value that autogenerate
// recorded, or an *IrreversibleError for a hand-written op.
func (o AddEnumValue) Reverse() (Op, error) {
	if o.undo == nil {
		return nil, &IrreversibleError{Op: o.String(),
			Reason: "PostgreSQL cannot drop an enum value; write a RecreateEnum listing the columns to convert"}
	}
	return *o.undo, nil
}

// String returns "add value V to enum NAME".
func (o AddEnumValue) String() string {
	return "add value " + o.Value + " to enum " + schema.QualifiedName(o.Schema, o.Enum)
}

func (o AddEnumValue) statements(d DDL) ([]string, error) {
	return one(d.AddEnumValue(o.Schema, o.Enum, o.Value, o.Before, o.After))
}

// Reverse renames the value back.
func (o RenameEnumValue) Reverse() (Op, error) {
	return RenameEnumValue{Schema: o.Schema, Enum: o.Enum, From: o.To, To: o.From}, nil
}

// String returns "rename value FROM of enum NAME to TO".
func (o RenameEnumValue) String() string {
	return "rename value " + o.From + " of enum " + schema.QualifiedName(o.Schema, o.Enum) + " to " + o.To
}

func (o RenameEnumValue) statements(d DDL) ([]string, error) {
	return one(d.RenameEnumValue(o.Schema, o.Enum, o.From, o.To))
}

// Reverse recreates the type with the old values, renamed values renamed
// back.
func (o RecreateEnum) Reverse() (Op, error) {
	r := RecreateEnum{Schema: o.Schema, Name: o.Name, From: o.To, To: o.From, Columns: slices.Clone(o.Columns)}
	for i, c := range r.Columns {
		r.Columns[i].Default = c.Default.reversed()
	}
	for from, to := range o.Renames {
		if r.Renames == nil {
			r.Renames = map[string]string{}
		}
		r.Renames[to] = from
	}
	return r, nil
}

// String returns "recreate enum NAME".
func (o RecreateEnum) String() string {
	return "recreate enum " + schema.QualifiedName(o.Schema, o.Name)
}

func (o RecreateEnum) destructive() string {
	var gone []string
	for _, v := range o.From {
		if !slices.Contains(o.To, v) && !slices.Contains(o.To, o.Renames[v]) {
			gone = append(gone, v)
		}
	}
	if len(gone) == 0 {
		return ""
	}
	return "removes value(s) " + strings.Join(gone, ", ") + " of enum " + schema.QualifiedName(o.Schema, o.Name) +
		": fails if rows still hold them"
}

// oldEnumName is the name the old type has while columns are converted.
func oldEnumName(name string) string { return name + "_old" }

func (o RecreateEnum) statements(d DDL) ([]string, error) {
	old := oldEnumName(o.Name)
	typ, err := d.TypeName(schema.EnumRef{Schema: o.Schema, Name: o.Name})
	if err != nil {
		return nil, err
	}
	b := stmts{out: saveEnumDependents(typ)}
	b.add(d.RenameEnum(o.Schema, o.Name, old))
	b.add(d.CreateEnum(&schema.Enum{Schema: o.Schema, Name: o.Name, Values: o.To}))
	for _, c := range o.Columns {
		b.addAll(c.convert(d, schema.EnumRef{Schema: o.Schema, Name: o.Name}, o.Renames))
	}
	b.addAll(restoreEnumDependents(), nil)
	b.add(d.DropEnum(o.Schema, old))
	return b.out, b.err
}

// enumDependents is the transaction-local setting that holds, while an
// enum type is recreated, how to drop and create again its dependents (a
// setting needs no privilege, unlike a temporary table).
const enumDependents = "crucible.enum_dependents"

// saveEnumDependents records the indexes (other than a constraint's) and
// the check constraints that depend on the enum type typ or its array
// type — an expression or a predicate holding one of its values — as
// pairs of statements that drop them and create them again as the server
// spells them now, and drops them.
func saveEnumDependents(typ string) []string {
	t := sqlString(typ) + "::regtype"
	deps := "SELECT d.objid FROM pg_depend d WHERE d.refclassid = 'pg_type'::regclass" +
		" AND d.refobjid IN (" + t + ", (SELECT typarray FROM pg_type WHERE oid = " + t + ")) AND d.classid = "
	return []string{
		"SELECT set_config(" + sqlString(enumDependents) + ", coalesce(json_agg(json_build_array(drop_sql, create_sql))::text, '[]'), true) FROM (" +
			"SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop_sql, pg_get_indexdef(i.indexrelid) AS create_sql" +
			" FROM pg_index i WHERE i.indexrelid IN (" + deps + "'pg_class'::regclass)" +
			" AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)" +
			" UNION ALL SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname)," +
			" format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))" +
			" FROM pg_constraint c WHERE c.contype = 'c' AND c.oid IN (" + deps + "'pg_constraint'::regclass)) deps",
		runEach(0),
	}
}

// restoreEnumDependents creates again what saveEnumDependents dropped,
// now on the new type of the same name.
func restoreEnumDependents() []string { return []string{runEach(1)} }

// runEach executes the statement at index i of each pair saved in
// enumDependents.
func runEach(i int) string {
	return "DO $crucible$ DECLARE s text; BEGIN FOR s IN SELECT e->>" + strconv.Itoa(i) +
		" FROM json_array_elements(current_setting(" + sqlString(enumDependents) + ")::json) e" +
		" LOOP EXECUTE s; END LOOP; END $crucible$"
}

// convert moves the column to the new type through text, renaming values
// on the way.
func (c EnumColumn) convert(d DDL, enum schema.EnumRef, renames map[string]string) ([]string, error) {
	var typ schema.Type = enum
	if c.Array {
		typ = schema.Array{Elem: typ}
	}
	using, err := renameUsing(d, c, typ, renames)
	if err != nil {
		return nil, err
	}
	var b stmts
	if c.Default != nil && c.Default.From != "" {
		b.add(d.AlterColumnDefault(c.Schema, c.Table, c.Column, ""))
	}
	b.add(d.AlterColumnType(c.Schema, c.Table, c.Column, typ, using))
	if c.Default != nil && c.Default.To != "" {
		b.add(d.AlterColumnDefault(c.Schema, c.Table, c.Column, c.Default.To))
	}
	return b.out, b.err
}

// renameUsing returns the USING expression converting the column: a cast
// through text, with CASE (array_replace for arrays) mapping renamed
// values. Subqueries are not allowed in USING, hence no unnest.
func renameUsing(d DDL, c EnumColumn, typ schema.Type, renames map[string]string) (string, error) {
	if len(renames) == 0 {
		return castUsing(d, c.Column, typ, typ)
	}
	col, err := d.QuoteIdent(c.Column)
	if err != nil {
		return "", err
	}
	target, err := d.TypeName(typ)
	if err != nil {
		return "", err
	}
	olds := slices.Sorted(maps.Keys(renames))
	if c.Array {
		expr := col + "::text[]"
		for _, old := range olds {
			expr = "array_replace(" + expr + ", " + sqlString(old) + ", " + sqlString(renames[old]) + ")"
		}
		return expr + "::" + target, nil
	}
	expr := "CASE " + col + "::text"
	for _, old := range olds {
		expr += " WHEN " + sqlString(old) + " THEN " + sqlString(renames[old])
	}
	return expr + " ELSE " + col + "::text END::" + target, nil
}

// sqlString quotes a value as a SQL string literal (DDL takes no bind
// parameters).
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, "\x00", ""), "'", "''") + "'"
}
