package dialect

import "github.com/crucible-orm/crucible/schema"

// Quoter quotes identifiers and writes bind placeholders.
type Quoter interface {
	// QuoteIdent returns name as a quoted identifier with embedded quotes
	// doubled. It fails with *IdentError on an empty name, a NUL byte or a
	// name longer than the database's limit: it never truncates.
	QuoteIdent(name string) (string, error)
	// Placeholder returns the bind placeholder for the n-th argument
	// (1-based), "$1" for PostgreSQL.
	Placeholder(n int) string
}

// TypeNamer renders column types. It is an optional ability: code that
// renders types for an arbitrary DDL renderer finds it by type assertion.
type TypeNamer interface {
	// TypeName returns t as it is written in a column definition or a
	// cast, with enum type names quoted. It fails (wrapping
	// ErrInvalidDefinition) on a nil type or impossible modifiers.
	TypeName(t schema.Type) (string, error)
}

// ErrorClassifier turns driver errors into the typed errors of this package.
type ErrorClassifier interface {
	// Classify returns a *ConstraintError wrapping err when err is a
	// constraint violation, and err unchanged otherwise.
	Classify(err error) error
}

// DDL renders schema changes as SQL statements. It renders only; callers
// execute the statements (in a transaction where they want atomicity).
type DDL interface {
	// CreateAll returns the statements that create every enum, table,
	// constraint, index and comment of m, in dependency order.
	CreateAll(m *schema.Metadata) ([]string, error)
	// DropAll returns the statements that drop everything CreateAll made,
	// tables in reverse dependency order and enum types after them.
	DropAll(m *schema.Metadata) ([]string, error)
}

// Dialect is everything Crucible needs from a database.
type Dialect interface {
	// Name is the database's name, "postgres".
	Name() string
	Quoter
	ErrorClassifier
	DDL
}
