package migrate

import "github.com/crucible-orm/crucible/schema"

// The constraint ops name their table by Schema ("" for the search
// path's) and Table.

// AddPrimaryKey adds a primary key to Table.
type AddPrimaryKey struct {
	Schema     string             // the PostgreSQL schema, "" for the search path's
	Table      string             // the table's name, unqualified
	PrimaryKey *schema.PrimaryKey // its Name becomes the constraint's name
}

// DropPrimaryKey drops a primary key; PrimaryKey is the dropped key.
type DropPrimaryKey struct {
	Schema     string             // the PostgreSQL schema, "" for the search path's
	Table      string             // the table's name, unqualified
	PrimaryKey *schema.PrimaryKey // as it was, for the reverse; dropped by Name
}

// AddUnique adds a UNIQUE constraint to Table.
type AddUnique struct {
	Schema string         // the PostgreSQL schema, "" for the search path's
	Table  string         // the table's name, unqualified
	Unique *schema.Unique // its Name becomes the constraint's name; fails if rows already repeat the key
}

// DropUnique drops a UNIQUE constraint; Unique is the dropped constraint.
type DropUnique struct {
	Schema string         // the PostgreSQL schema, "" for the search path's
	Table  string         // the table's name, unqualified
	Unique *schema.Unique // as it was, for the reverse; dropped by Name
}

// AddForeignKey adds a foreign key to Table.
type AddForeignKey struct {
	Schema     string             // the PostgreSQL schema, "" for the search path's
	Table      string             // the referencing table's name, unqualified
	ForeignKey *schema.ForeignKey // with its actions; fails if rows reference missing ones
}

// DropForeignKey drops a foreign key; ForeignKey is the dropped key.
type DropForeignKey struct {
	Schema     string             // the PostgreSQL schema, "" for the search path's
	Table      string             // the referencing table's name, unqualified
	ForeignKey *schema.ForeignKey // as it was, for the reverse; dropped by Name
}

// AddCheck adds a CHECK constraint to Table.
type AddCheck struct {
	Schema string        // the PostgreSQL schema, "" for the search path's
	Table  string        // the table's name, unqualified
	Check  *schema.Check // Expr is raw SQL; fails if rows break it
}

// DropCheck drops a CHECK constraint; Check is the dropped constraint.
type DropCheck struct {
	Schema string        // the PostgreSQL schema, "" for the search path's
	Table  string        // the table's name, unqualified
	Check  *schema.Check // as it was, for the reverse; dropped by Name
}

// Reverse returns the [DropPrimaryKey].
func (o AddPrimaryKey) Reverse() (Op, error) { return DropPrimaryKey(o), nil }

// String returns "add primary key NAME on TABLE".
func (o AddPrimaryKey) String() string {
	return "add primary key " + o.PrimaryKey.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o AddPrimaryKey) statements(d DDL) ([]string, error) {
	return one(d.AddPrimaryKey(o.Schema, o.Table, o.PrimaryKey))
}

// Reverse returns the [AddPrimaryKey].
func (o DropPrimaryKey) Reverse() (Op, error) { return AddPrimaryKey(o), nil }

// String returns "drop primary key NAME on TABLE".
func (o DropPrimaryKey) String() string {
	return "drop primary key " + o.PrimaryKey.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o DropPrimaryKey) statements(d DDL) ([]string, error) {
	return one(d.DropConstraint(o.Schema, o.Table, o.PrimaryKey.Name))
}

// Reverse returns the [DropUnique].
func (o AddUnique) Reverse() (Op, error) { return DropUnique(o), nil }

// String returns "add unique NAME on TABLE".
func (o AddUnique) String() string {
	return "add unique " + o.Unique.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o AddUnique) statements(d DDL) ([]string, error) {
	return one(d.AddUnique(o.Schema, o.Table, o.Unique))
}

// Reverse returns the [AddUnique].
func (o DropUnique) Reverse() (Op, error) { return AddUnique(o), nil }

// String returns "drop unique NAME on TABLE".
func (o DropUnique) String() string {
	return "drop unique " + o.Unique.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o DropUnique) statements(d DDL) ([]string, error) {
	return one(d.DropConstraint(o.Schema, o.Table, o.Unique.Name))
}

// Reverse returns the [DropForeignKey].
func (o AddForeignKey) Reverse() (Op, error) { return DropForeignKey(o), nil }

// String returns "add foreign key NAME on TABLE".
func (o AddForeignKey) String() string {
	return "add foreign key " + o.ForeignKey.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o AddForeignKey) statements(d DDL) ([]string, error) {
	return one(d.AddForeignKey(o.Schema, o.Table, o.ForeignKey))
}

// Reverse returns the [AddForeignKey].
func (o DropForeignKey) Reverse() (Op, error) { return AddForeignKey(o), nil }

// String returns "drop foreign key NAME on TABLE".
func (o DropForeignKey) String() string {
	return "drop foreign key " + o.ForeignKey.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o DropForeignKey) statements(d DDL) ([]string, error) {
	return one(d.DropConstraint(o.Schema, o.Table, o.ForeignKey.Name))
}

// Reverse returns the [DropCheck].
func (o AddCheck) Reverse() (Op, error) { return DropCheck(o), nil }

// String returns "add check NAME on TABLE".
func (o AddCheck) String() string {
	return "add check " + o.Check.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o AddCheck) statements(d DDL) ([]string, error) {
	return one(d.AddCheck(o.Schema, o.Table, o.Check))
}

// Reverse returns the [AddCheck].
func (o DropCheck) Reverse() (Op, error) { return AddCheck(o), nil }

// String returns "drop check NAME on TABLE".
func (o DropCheck) String() string {
	return "drop check " + o.Check.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o DropCheck) statements(d DDL) ([]string, error) {
	return one(d.DropConstraint(o.Schema, o.Table, o.Check.Name))
}

// RenameConstraint renames a primary key, unique, foreign key or check
// constraint of Table (and the index of a key): what autogenerate writes
// for a constraint whose definition the models share but not its name
// when [Scope] RenameConstraints is set.
type RenameConstraint struct {
	Schema string // the PostgreSQL schema, "" for the search path's
	Table  string // the table's name, unqualified
	From   string // the constraint's name before
	To     string // its name after
}

// Reverse returns the rename back.
func (o RenameConstraint) Reverse() (Op, error) {
	return RenameConstraint{Schema: o.Schema, Table: o.Table, From: o.To, To: o.From}, nil
}

// String returns "rename constraint FROM to TO on TABLE".
func (o RenameConstraint) String() string {
	return "rename constraint " + o.From + " to " + o.To + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o RenameConstraint) statements(d DDL) ([]string, error) {
	return one(d.RenameConstraint(o.Schema, o.Table, o.From, o.To))
}
