package orm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// ConstraintError is a constraint violation with the constraint and table
// the server reported and the constrained columns; Flush, Commit and the
// bulk statements return it (wrapped) when a statement breaks a
// constraint. For a constraint of the registry's models, Columns lists the
// key's columns (all of them for a composite key; the referencing ones for
// a foreign key) and Column the first. It wraps its kind and the driver's
// *pgconn.PgError. See [dialect.ConstraintError].
type ConstraintError = dialect.ConstraintError

// classify types a driver error through the dialect and fills in the
// columns of a violated constraint of the registry's models, which the
// server names but does not describe.
func (db *DB) classify(err error) error {
	err = db.dialect.Classify(err)
	var ce *ConstraintError
	if !errors.As(err, &ce) || len(ce.Columns) > 0 || ce.Constraint == "" {
		return err
	}
	t := db.reg.meta.Table(schema.QualifiedName(ce.Schema, ce.Table)) // a model declared in that schema
	if t == nil {
		t = db.reg.meta.Table(ce.Table) // one in the search path's schema
	}
	if t == nil || (t.Schema != "" && t.Schema != ce.Schema) {
		return err
	}
	if ce.Columns = t.ConstraintColumns(ce.Constraint); len(ce.Columns) > 0 {
		ce.Column = ce.Columns[0]
	}
	return err
}

// Constraint violation kinds, matched with errors.Is on the error of a
// failed Flush or Commit; aliases of the dialect's sentinels.
var (
	ErrUniqueViolation     = dialect.ErrUniqueViolation     // unique constraint or index
	ErrForeignKeyViolation = dialect.ErrForeignKeyViolation // missing or still referenced row
	ErrCheckViolation      = dialect.ErrCheckViolation      // CHECK constraint
	ErrNotNullViolation    = dialect.ErrNotNullViolation    // NULL in a NOT NULL column
	ErrExclusionViolation  = dialect.ErrExclusionViolation  // exclusion constraint
)

// ErrNotFound is returned (wrapped) by [Get], [SelectQuery.One] and
// [SelectQuery.First] when no row matches. It also matches [pgx.ErrNoRows], so
// code written against pgx keeps working: errors.Is(err, pgx.ErrNoRows).
var ErrNotFound error = notFound{}

type notFound struct{}

// Error returns the message.
func (notFound) Error() string { return "orm: no rows found" }

// Is makes ErrNotFound match pgx.ErrNoRows.
func (notFound) Is(target error) bool { return target == pgx.ErrNoRows }

// Sentinels callers branch on; match them with errors.Is.
var (
	// ErrStaleData: an UPDATE or DELETE of the flush matched fewer rows
	// than expected (another transaction changed the row's version or
	// deleted it). Returned by Flush and Commit inside a *StaleDataError;
	// nothing of the flush is written.
	ErrStaleData = errors.New("stale data")
	// ErrMultipleRows: One found more than one row.
	ErrMultipleRows = errors.New("more than one row")
	// ErrSessionClosed: the session was used after Close.
	ErrSessionClosed = errors.New("session is closed")
	// ErrUnknownModel: a type that was not registered.
	ErrUnknownModel = errors.New("type is not a registered model")
	// ErrNilObject: a nil pointer given as an object (Add, Delete, Merge…).
	ErrNilObject = errors.New("nil object")
	// ErrUnknownColumn: OrderBy, Set or Explicit named a field or column
	// the model does not have.
	ErrUnknownColumn = errors.New("no such field or column")
	// ErrPlaceholders: a condition's ? placeholders and arguments do not
	// match in number, or a statement's $n parameters skip a number or
	// stop short of the arguments or beyond them (Raw, Session.Exec).
	ErrPlaceholders = errors.New("placeholders and arguments do not match")
	// ErrNoCondition: a bulk Update or Delete without Where (use AllRows to
	// mean every row).
	ErrNoCondition = errors.New("bulk statement without a condition")
	// ErrBadKey: a primary key value that does not fit the model's key.
	ErrBadKey = errors.New("bad primary key value")
	// ErrNotPersistent: Delete or Refresh of an object the session does not
	// hold as a stored row.
	ErrNotPersistent = errors.New("object is not persistent in this session")
	// ErrNoPrimaryKey: registration of a model without a primary key.
	ErrNoPrimaryKey = schema.ErrNoPrimaryKey
	// ErrTooManyColumns: registration of a model wider than 256 columns.
	ErrTooManyColumns = errors.New("too many columns")
	// ErrKeyChanged: a flush found that the primary key of a stored object
	// was changed in memory.
	ErrKeyChanged = errors.New("primary key of a persistent object changed")
)

// StaleDataError says which table's UPDATE or DELETE matched fewer rows
// than the flush expected, or (Op "merge") that Merge was given a copy
// whose version is not the stored one. It wraps [ErrStaleData].
type StaleDataError struct {
	Table    string // the table written
	Op       string // "update", "delete" or "merge"
	Expected int    // rows the flush meant to change
	Err      error  // the database error that stopped the transaction, if any
	// Version and Stored are, for a merge, the version of the detached
	// copy and the version stored in the row.
	Version, Stored int64
}

// Error reports the table, the operation and the expected row count (for
// a merge, the two versions).
func (e *StaleDataError) Error() string {
	if e.Op == "merge" {
		return fmt.Sprintf("merge %s: the copy has version %d but the row has version %d (changed by another transaction since the copy was read; reload it, or leave the version zero to overwrite): %v",
			e.Table, e.Version, e.Stored, ErrStaleData)
	}
	return fmt.Sprintf("%s %s: expected %d row(s), matched fewer (changed or deleted by another transaction): %v",
		e.Op, e.Table, e.Expected, ErrStaleData)
}

// Unwrap returns ErrStaleData (and the driver error when there is one).
func (e *StaleDataError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrStaleData}
	}
	return []error{ErrStaleData, e.Err}
}

// UnknownOutcomeError is returned by Commit (and a Transaction closure's
// commit) when the COMMIT was sent but its reply was lost: the connection
// broke or the context ended while waiting. The transaction may or may not
// have committed; the session does not retry and leaves its objects as
// before the commit, so the caller can check the database and decide.
type UnknownOutcomeError struct {
	Err error // the I/O or context error
}

// Error says that the outcome is unknown and why.
func (e *UnknownOutcomeError) Error() string {
	return "commit outcome unknown (the reply was lost; the transaction may have committed): " + e.Err.Error()
}

// Unwrap returns the I/O or context error.
func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// CycleError is returned by a flush when rows depend on each other in a
// cycle (each must be inserted before the other), which no statement order
// can satisfy. Rows names the rows in the cycle as "table(key)" or
// "table(new #n)" for rows not inserted yet.
type CycleError struct {
	Rows []string // "table(key)" or "table(new #n)", in the order of the cycle
}

// Error lists the rows of the cycle.
func (e *CycleError) Error() string {
	return "dependency cycle between rows: " + strings.Join(e.Rows, " -> ")
}

// ErrNotLoaded is matched (errors.Is) by the *NotLoadedError that
// [Session.Related] and a flush return for a relationship declared
// lazy:raise that was needed without being loaded.
var ErrNotLoaded = errors.New("relationship not loaded")

// ErrNoRelation is matched by the error of a Load path or LoadRelated
// argument that names no relationship.
var ErrNoRelation = relation.ErrNoRelation

// ErrLoadArg is matched by the error of a query given a Load argument that
// is neither a path nor a [LoadOption], or an option before any path; by
// Join and Has given an option other than Where; and by a relationship
// path joined twice (Join and LeftJoin of one path).
var ErrLoadArg = errors.New("bad Load argument")

// NotLoadedError says which relationship declared lazy:raise was needed
// unloaded, and by what.
type NotLoadedError struct {
	Model    string // the owner's Go type
	Relation string // the field
	Need     string // what needed it ("read", "delete cascade")
}

// Error names the relationship and the Load to add.
func (e *NotLoadedError) Error() string {
	return fmt.Sprintf("%s.%s is lazy:raise and not loaded (%s): add Load(%q) or call LoadRelated",
		e.Model, e.Relation, e.Need, e.Relation)
}

// Unwrap returns ErrNotLoaded.
func (e *NotLoadedError) Unwrap() error { return ErrNotLoaded }

// ErrOrphan is matched by the *OrphanError of a flush that found a child
// let go by its parent whose foreign key can be neither deleted (no
// delete-orphan) nor set to NULL (NOT NULL).
var ErrOrphan = errors.New("orphan with a NOT NULL foreign key")

// OrphanError names the relationship a child was let go from and the NOT
// NULL columns that keep it from being detached. Nothing of the flush is
// written. Delete the child (Session.Delete), attach it to another parent,
// or declare delete-orphan on the parent's side.
type OrphanError struct {
	Relation string   // the field the change was made in, "blog.User.Posts"
	Child    string   // the row, "posts(7)"
	Columns  []string // the foreign key columns
}

// Error names the row, the relationship and the columns.
func (e *OrphanError) Error() string {
	return e.Child + " was let go by " + e.Relation + " but its key (" + strings.Join(e.Columns, ", ") +
		") is NOT NULL and the relationship has no delete-orphan: delete it, attach it to another parent, or declare cascade:all|delete-orphan: " + ErrOrphan.Error()
}

// Unwrap returns ErrOrphan.
func (e *OrphanError) Unwrap() error { return ErrOrphan }

// ErrRelationConflict is matched by the *RelationConflictError of a flush
// whose changes attach one child to two different parents.
var ErrRelationConflict = errors.New("child attached to two parents")

// RelationConflictError names a child that the program attached to two
// parents over one foreign key in one flush (appended to two collections,
// or appended to one while its reference names another). Nothing of the
// flush is written.
type RelationConflictError struct {
	Child     string   // the row, "posts(7)"
	Relations []string // the fields the two changes were made in
	Parents   []string // the two parents, in the order of Relations: "users(2)", "users(new #5)"
}

// Error names the row, both parents and both fields.
func (e *RelationConflictError) Error() string {
	by := make([]string, len(e.Relations))
	for i, r := range e.Relations {
		if by[i] = r; i < len(e.Parents) {
			by[i] = e.Parents[i] + " by " + r
		}
	}
	return e.Child + " is attached to two parents, " + strings.Join(by, " and ") + ": keep one: " + ErrRelationConflict.Error()
}

// Unwrap returns ErrRelationConflict.
func (e *RelationConflictError) Unwrap() error { return ErrRelationConflict }

// ErrDetached is matched by the *DetachedError of an Add or flush whose
// save-update cascade reached an object from another session.
var ErrDetached = errors.New("object from another session")

// DetachedError names an object a relationship reaches that carries a key
// the database generated but that this session does not hold: an object
// loaded by another (perhaps closed) session, or one expunged from this
// one. Adding it would insert its row a second time. Load the row in this
// session (orm.Get) and attach that object, or bring the detached copy in
// with Session.Merge / orm.Merge.
type DetachedError struct {
	Object string // the row, "users(1)"
	Via    string // the relationship that reached it, "blog.Post.User"
	Held   bool   // the session holds another object for the same row
}

// Error names the object, the relationship and the remedy.
func (e *DetachedError) Error() string {
	what := "which this session does not hold"
	if e.Held {
		what = "which is not this session's object for that row"
	}
	return fmt.Sprintf("%s reaches %s, %s although its key was generated by the database "+
		"(an object from another session, or expunged): load it in this session or use Merge: %v", e.Via, e.Object, what, ErrDetached)
}

// Unwrap returns ErrDetached.
func (e *DetachedError) Unwrap() error { return ErrDetached }

// CommittedError is returned by Commit (and a Transaction closure's
// commit) when the transaction committed but the session failed to handle
// a statement's result: a value the server returned does not fit its
// field, returned rows do not match the objects. The rows are written:
// do not retry. The objects the commit wrote are detached from the
// session, since some may lack what the server returned; load them again.
type CommittedError struct {
	Err error // what the session failed to handle
}

// Error says that the transaction committed, and what failed.
func (e *CommittedError) Error() string {
	return "committed, but the session failed to read the results back (the objects written were detached): " + e.Err.Error()
}

// Unwrap returns the handling error.
func (e *CommittedError) Unwrap() error { return e.Err }
