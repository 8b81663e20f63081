package migrate

import "github.com/crucible-orm/crucible/schema"

// CreateIndex creates Index on Table (of Schema, "" for the search path's;
// the index goes in its table's schema). With Concurrently it is built
// with CREATE INDEX CONCURRENTLY, which does not block writes but cannot
// run in a transaction: the runner runs it on its own (see
// [Transactional]), and a failure leaves an invalid index to drop by hand.
type CreateIndex struct {
	Schema       string        // the PostgreSQL schema, "" for the search path's
	Table        string        // the table's name, unqualified
	Index        *schema.Index // columns (or expressions), uniqueness, method and predicate
	Concurrently bool          // CREATE INDEX CONCURRENTLY, outside the revision's transaction
}

// DropIndex drops an index. Index is the whole dropped index, so that the
// reverse recreates it.
type DropIndex struct {
	Schema       string        // the PostgreSQL schema, "" for the search path's
	Table        string        // the table's name, unqualified, for messages and the reverse
	Index        *schema.Index // as it was, for the reverse; dropped by Name
	Concurrently bool          // DROP INDEX CONCURRENTLY, outside the revision's transaction
}

// Reverse returns the [DropIndex] of the index.
func (o CreateIndex) Reverse() (Op, error) { return DropIndex(o), nil }

// String returns "create index NAME on TABLE".
func (o CreateIndex) String() string {
	return "create index " + o.Index.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o CreateIndex) statements(d DDL) ([]string, error) {
	return one(d.CreateIndex(o.Schema, o.Table, o.Index, o.Concurrently))
}

func (o CreateIndex) noTransaction() bool { return o.Concurrently }

// Reverse returns the [CreateIndex] of the dropped index.
func (o DropIndex) Reverse() (Op, error) { return CreateIndex(o), nil }

// String returns "drop index NAME on TABLE".
func (o DropIndex) String() string {
	return "drop index " + o.Index.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o DropIndex) statements(d DDL) ([]string, error) {
	return one(d.DropIndex(o.Schema, o.Index.Name, o.Concurrently))
}

func (o DropIndex) noTransaction() bool { return o.Concurrently }

// RenameIndex renames an index of Table (in its table's schema): what
// autogenerate writes for an index whose definition the models share but
// not its name when [Scope] RenameConstraints is set.
type RenameIndex struct {
	Schema string // the PostgreSQL schema, "" for the search path's
	Table  string // the table's name, unqualified, for messages
	From   string // the index's name before
	To     string // its name after
}

// Reverse returns the rename back.
func (o RenameIndex) Reverse() (Op, error) {
	return RenameIndex{Schema: o.Schema, Table: o.Table, From: o.To, To: o.From}, nil
}

// String returns "rename index FROM to TO on TABLE".
func (o RenameIndex) String() string {
	return "rename index " + o.From + " to " + o.To + " on " + schema.QualifiedName(o.Schema, o.Table)
}

func (o RenameIndex) statements(d DDL) ([]string, error) {
	return one(d.RenameIndex(o.Schema, o.From, o.To))
}
