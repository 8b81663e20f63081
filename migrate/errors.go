package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrLocked is returned by the [Runner] commands that change the
	// database when another runner holds the migration lock past the
	// lock timeout. It wraps the lock's own error.
	ErrLocked = errors.New("another migration runner holds the lock")
	// ErrLockLost is returned by the [Runner] commands that change the
	// database when the connection holding the migration lock ended
	// during the command (a pooler or server timeout closed it), or the
	// version table changed under it: the revision in progress is rolled
	// back, except for non-transactional operations it already ran.
	ErrLockLost = errors.New("the migration lock was lost")
	// ErrNotUpToDate is returned by [Runner.Check] and [Runner.Autogenerate]
	// when the database is not at the head revision.
	ErrNotUpToDate = errors.New("database is not at the head revision")
	// ErrDrift is returned by [Runner.Check] when the models and the
	// database differ.
	ErrDrift = errors.New("models and database differ")
	// ErrSchemaNotEmpty is matched by a [*SchemaNotEmptyError]: a
	// [DropSchema] refused because the schema holds objects.
	ErrSchemaNotEmpty = errors.New("schema is not empty")
)

// SchemaNotEmptyError is a [DropSchema] the runner refused, before sending
// it, because the schema still holds objects once the revision's own are
// dropped: a table someone made by hand, a view, a function, an extension.
// DROP SCHEMA never cascades, so nothing is dropped: the revision's
// transaction is rolled back (its tables stay) and the database stays at
// the revision. Move or drop those objects, then run the downgrade again.
// It comes wrapped in an [*OpError]; errors.Is(err, ErrSchemaNotEmpty)
// matches it.
type SchemaNotEmptyError struct {
	Schema  string   // the schema's name
	Objects []string // what it holds, described by PostgreSQL: "table sales.handmade", "function sales.answer()"
}

// Error names the schema and what it holds.
func (e *SchemaNotEmptyError) Error() string {
	return fmt.Sprintf("schema %q is not empty: it holds %s; nothing was dropped (DROP SCHEMA never cascades): "+
		"move or drop them, then run the downgrade again", e.Schema, strings.Join(e.Objects, ", "))
}

// Is matches ErrSchemaNotEmpty.
func (e *SchemaNotEmptyError) Is(target error) bool { return target == ErrSchemaNotEmpty }

// IrreversibleError is an operation that cannot be undone, or a downgrade
// the runner refuses because one of its revisions holds such an operation.
// Nothing is written when it is returned by the runner.
type IrreversibleError struct {
	Revision string // the revision, "" when not known yet
	Op       string // the operation's description
	Reason   string // why it cannot be reversed
}

// Error renders "revision R: OP cannot be reversed: REASON".
func (e *IrreversibleError) Error() string {
	var b strings.Builder
	if e.Revision != "" {
		b.WriteString("revision " + e.Revision + ": ")
	}
	b.WriteString(e.Op + " cannot be reversed")
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	return b.String()
}

// MultipleHeadsError is returned when a command needs one head revision and
// the set has several; merge them with a merge revision.
type MultipleHeadsError struct {
	Heads []string // the ids of the head revisions, parents-first order of the set
}

// Error names the heads and the way out.
func (e *MultipleHeadsError) Error() string {
	return fmt.Sprintf("several head revisions: %s (create a merge revision: migrate merge -m MESSAGE)",
		strings.Join(e.Heads, ", "))
}

// BrokenChainError is a revision whose down revision is not in the set.
type BrokenChainError struct {
	Revision string // the revision that points to a missing one
	Missing  string // the missing down revision
}

// Error names both revisions.
func (e *BrokenChainError) Error() string {
	return fmt.Sprintf("revision %s: down revision %s is not in the set", e.Revision, e.Missing)
}

// CycleError is a loop in the down-revision chain.
type CycleError struct {
	Revisions []string // the revisions on the loop
}

// Error names the revisions on the loop.
func (e *CycleError) Error() string {
	return "revision cycle: " + strings.Join(e.Revisions, " -> ")
}

// DuplicateError is an id used by two revisions.
type DuplicateError struct {
	Revision string // the id both revisions carry
}

// Error names the id.
func (e *DuplicateError) Error() string {
	return "revision " + e.Revision + " is defined twice"
}

// UnknownRevisionError is a revision named on the command line or found in
// the version table that the set does not hold.
type UnknownRevisionError struct {
	Revision string // the id as given
	Where    string // "target", "database", …
}

// Error names the revision and where it came from.
func (e *UnknownRevisionError) Error() string {
	if e.Where != "" {
		return fmt.Sprintf("unknown revision %q (%s)", e.Revision, e.Where)
	}
	return fmt.Sprintf("unknown revision %q", e.Revision)
}

// OpError is an operation that failed while a revision was applied (or
// rendered). The revision's transaction was rolled back.
type OpError struct {
	Revision  string // revision id
	Direction string // "upgrade" or "downgrade"
	Index     int    // position of the op in its list, from 1
	Op        string // the op's description
	SQL       string // the statement that failed, "" if rendering failed
	Err       error  // the cause: the driver's error (*pgconn.PgError) or the rendering error
}

// Error renders "downgrade R: op 2 (drop column users.phone): CAUSE",
// followed by the database's detail when it gives one (the objects that
// depend on a table a downgrade drops, say).
func (e *OpError) Error() string {
	msg := fmt.Sprintf("%s %s: op %d (%s): %v", e.Direction, e.Revision, e.Index, e.Op, e.Err)
	if pe := (*pgconn.PgError)(nil); errors.As(e.Err, &pe) && pe.Detail != "" {
		msg += ": " + strings.ReplaceAll(strings.TrimSpace(pe.Detail), "\n", "; ")
	}
	return msg
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }
