package migrate

import "strings"

// Op is one schema change of a revision: data, not code, so that it can be
// rendered into a migration file, reversed, printed as SQL and applied. The
// set of ops is closed; the op types are the exported structs of this
// package ([CreateTable], [AddColumn], [AlterColumn], [CreateIndex],
// [CreateEnum], [AddEnumValue], [Execute], …). Ops that drop something
// carry the dropped object, so that their reverse recreates it exactly.
type Op interface {
	// Reverse returns the op that undoes this one, or an
	// *IrreversibleError when it cannot be undone.
	Reverse() (Op, error)
	// String describes the op in a few words ("add column users.phone").
	String() string
	// statements renders the op's SQL.
	statements(d DDL) ([]string, error)
}

// Change is an attribute's value before (From) and after (To) an
// [AlterColumn] or [AlterTable]. A nil *Change leaves the attribute alone.
type Change[T any] struct {
	From T // the value in the database before the op, which the reverse sets back
	To   T // the value after the op
}

// reversed returns the change the other way round, nil for nil.
func (c *Change[T]) reversed() *Change[T] {
	if c == nil {
		return nil
	}
	return &Change[T]{From: c.To, To: c.From}
}

// destructive is implemented by ops that can lose data; the reason is
// written into the migration file and printed on the terminal. An empty
// reason means the op is safe after all.
type destructive interface {
	destructive() string
}

// cautious is implemented by ops that are safe for the data but can fail
// on a table holding rows; the caution is written into the migration file
// and printed on the terminal. An empty caution means none.
type cautious interface {
	caution() string
}

// nonTransactional is implemented by ops PostgreSQL cannot run inside a
// transaction block (CREATE INDEX CONCURRENTLY).
type nonTransactional interface {
	noTransaction() bool
}

// Destructive returns why op can lose data, "" when it cannot: dropping a
// table or a column, narrowing a column's type, removing an enum value.
func Destructive(op Op) string {
	if d, ok := op.(destructive); ok {
		return d.destructive()
	}
	return ""
}

// Caution returns why op may fail on a table holding rows (adding a NOT
// NULL column without a server default), "" when nothing is known to make
// it fail.
func Caution(op Op) string {
	if c, ok := op.(cautious); ok {
		return c.caution()
	}
	return ""
}

// Transactional reports whether op may run inside the revision's
// transaction. CREATE INDEX CONCURRENTLY (and [Execute] ops marked
// NoTransaction) may not: the runner commits what came before, runs the op
// on its own, and opens a new transaction for the rest.
func Transactional(op Op) bool {
	n, ok := op.(nonTransactional)
	return !ok || !n.noTransaction()
}

// Statements returns the SQL of op as d renders it.
func Statements(d DDL, op Op) ([]string, error) {
	return op.statements(d)
}

// one adapts a single-statement render to the []string form.
func one(s string, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// dotted joins table and column names for descriptions.
func dotted(parts ...string) string { return strings.Join(parts, ".") }

// cloneStrings copies a string slice, nil for nil.
func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}
