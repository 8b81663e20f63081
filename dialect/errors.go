package dialect

import (
	"errors"
	"fmt"
	"strings"
)

// Constraint violation kinds, the Kind of a [*ConstraintError] and matched
// by errors.Is on any error a dialect's Classify returned (and on the
// errors orm returns from a flush, which aliases them).
var (
	// ErrUniqueViolation: a row duplicates a unique constraint's or a
	// unique index's key (PostgreSQL SQLSTATE 23505).
	ErrUniqueViolation = errors.New("unique violation")
	// ErrForeignKeyViolation: a row references a missing row, or a
	// referenced row was deleted or changed (23503).
	ErrForeignKeyViolation = errors.New("foreign key violation")
	// ErrCheckViolation: a row fails a CHECK constraint (23514).
	ErrCheckViolation = errors.New("check violation")
	// ErrNotNullViolation: NULL written to a NOT NULL column (23502).
	ErrNotNullViolation = errors.New("not-null violation")
	// ErrExclusionViolation: a row conflicts with an exclusion
	// constraint (23P01).
	ErrExclusionViolation = errors.New("exclusion violation")
)

// ConstraintError is a constraint violation reported by the database, with
// the names the server gave. It wraps both its Kind and the driver error, so
// errors.Is(err, ErrUniqueViolation) and errors.As(err, &pgErr) both work.
type ConstraintError struct {
	// Kind is one of ErrUniqueViolation, ErrForeignKeyViolation,
	// ErrCheckViolation, ErrNotNullViolation or ErrExclusionViolation.
	Kind   error
	Schema string // schema of the table, when the server says
	// Table is the table the violation happened on: for a foreign key,
	// the referencing table, also when a DELETE of the referenced row
	// failed.
	Table string
	// Columns are the constrained columns of Table in key order: the
	// column of a not-null violation, as the server reports it; the key
	// of a unique violation (primary key, unique constraint or unique
	// index) and the referencing columns of a foreign-key violation, from
	// the models' metadata (orm fills them in for the constraints of its
	// registry). Nil when the constraint is not known (one created outside
	// the models, a check or an exclusion constraint).
	Columns []string
	// Column is Columns[0], the column of a single-column key or of a
	// not-null violation ("" when Columns is empty).
	Column     string
	Constraint string // constraint or unique index name ("" for not-null)
	Err        error  // the driver's error (*pgconn.PgError for PostgreSQL)
}

// Error names the kind, the table and its columns, the constraint and the
// driver's message.
func (e *ConstraintError) Error() string {
	var b strings.Builder
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	} else {
		b.WriteString("constraint violation")
	}
	if e.Table != "" {
		b.WriteString(" on " + e.Table)
		switch {
		case len(e.Columns) > 1:
			b.WriteString("(" + strings.Join(e.Columns, ", ") + ")")
		case e.Column != "":
			b.WriteString("." + e.Column)
		}
	}
	if e.Constraint != "" {
		b.WriteString(" (constraint " + e.Constraint + ")")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the Kind sentinel and the driver error.
func (e *ConstraintError) Unwrap() []error { return []error{e.Kind, e.Err} }

// ErrBadIdent is wrapped by every [*IdentError].
var ErrBadIdent = errors.New("bad identifier")

// IdentProblem says why a name cannot be an identifier.
type IdentProblem uint8

// The problems QuoteIdent reports.
const (
	IdentEmpty       IdentProblem = iota + 1 // the name is ""
	IdentNUL                                 // the name contains a NUL byte
	IdentTooLong                             // longer than the database's limit
	IdentInvalidUTF8                         // not valid UTF-8
)

// String describes the problem.
func (p IdentProblem) String() string {
	switch p {
	case IdentEmpty:
		return "empty"
	case IdentNUL:
		return "contains a NUL byte"
	case IdentTooLong:
		return "too long"
	case IdentInvalidUTF8:
		return "not valid UTF-8"
	}
	return fmt.Sprintf("IdentProblem(%d)", uint8(p))
}

// IdentError is returned by a Quoter for a name it cannot quote faithfully.
// It wraps [ErrBadIdent].
type IdentError struct {
	Name    string       // the name as given
	Problem IdentProblem // what is wrong with it
	Limit   int          // the length limit in bytes, for IdentTooLong
}

// Error names the identifier and the problem; a name that is too long is
// reported with its length and the limit.
func (e *IdentError) Error() string {
	if e.Problem == IdentTooLong {
		return fmt.Sprintf("%v %q: %d bytes, longer than the limit of %d (it would be truncated)",
			ErrBadIdent, e.Name, len(e.Name), e.Limit)
	}
	return fmt.Sprintf("%v %q: %v", ErrBadIdent, e.Name, e.Problem)
}

// Unwrap returns [ErrBadIdent].
func (e *IdentError) Unwrap() error { return ErrBadIdent }

// ErrInvalidDefinition is returned (wrapped, with the object named) by DDL
// rendering for metadata no statement can express: an index without
// columns, a foreign key whose column lists differ in length, a column with
// both an identity and a default, an unknown referential action, a type
// with impossible modifiers, and the like.
var ErrInvalidDefinition = errors.New("invalid definition")
