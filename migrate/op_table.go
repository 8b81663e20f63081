package migrate

import "github.com/crucible-orm/crucible/schema"

// CreateTable creates a table with its columns, keys, constraints, indexes
// and comments, all from Table, in the schema Table.Schema names. Its
// reverse is [DropTable].
type CreateTable struct {
	Table *schema.Table // the whole table; qualified by its Schema when that is set
}

// DropTable drops a table. Table is the whole dropped table, so that the
// reverse recreates it; only its schema and name are used to drop it. It
// is destructive: the table's rows are lost.
type DropTable struct {
	Table *schema.Table // the table as it was, for the reverse; its Name is dropped
}

// RenameTable renames a table of Schema ("" for the search path's).
type RenameTable struct {
	Schema   string // the PostgreSQL schema, "" for the search path's
	From, To string // the table's name before and after, unqualified (a rename cannot move it to another schema)
}

// AlterTable changes a table's comment.
type AlterTable struct {
	Schema  string          // the PostgreSQL schema, "" for the search path's
	Table   string          // the table's name, unqualified
	Comment *Change[string] // COMMENT ON TABLE; "" removes it, nil leaves it alone
}

// Reverse returns the [DropTable] of the same table.
func (o CreateTable) Reverse() (Op, error) { return DropTable(o), nil }

// String returns "create table NAME".
func (o CreateTable) String() string { return "create table " + o.Table.QualifiedName() }

func (o CreateTable) statements(d DDL) ([]string, error) { return d.CreateTable(o.Table) }

// Reverse returns the [CreateTable] of the dropped table.
func (o DropTable) Reverse() (Op, error) { return CreateTable(o), nil }

// String returns "drop table NAME".
func (o DropTable) String() string { return "drop table " + o.Table.QualifiedName() }

func (o DropTable) statements(d DDL) ([]string, error) {
	return one(d.DropTable(o.Table.Schema, o.Table.Name))
}

func (o DropTable) destructive() string {
	return "drops table " + o.Table.QualifiedName() + " and all its rows"
}

// Reverse renames the table back.
func (o RenameTable) Reverse() (Op, error) {
	return RenameTable{Schema: o.Schema, From: o.To, To: o.From}, nil
}

// String returns "rename table FROM to TO".
func (o RenameTable) String() string {
	return "rename table " + schema.QualifiedName(o.Schema, o.From) + " to " + o.To
}

func (o RenameTable) statements(d DDL) ([]string, error) {
	return one(d.RenameTable(o.Schema, o.From, o.To))
}

// Reverse sets the comment back.
func (o AlterTable) Reverse() (Op, error) {
	return AlterTable{Schema: o.Schema, Table: o.Table, Comment: o.Comment.reversed()}, nil
}

// String returns "alter table NAME comment".
func (o AlterTable) String() string {
	return "alter table " + schema.QualifiedName(o.Schema, o.Table) + " comment"
}

func (o AlterTable) statements(d DDL) ([]string, error) {
	if o.Comment == nil {
		return nil, nil
	}
	return one(d.CommentOnTable(o.Schema, o.Table, o.Comment.To))
}
