// Package dialect is the contract between Crucible's SQL-writing packages
// (orm, migrate) and a database, and the typed errors every dialect
// returns. dialect/postgres is the implementation; orm and migrate talk to
// it through these interfaces only, so no SQL of theirs is spelled for one
// database by accident.
//
// # Roles
//
// The contract is split into small interfaces, each a role a caller may
// need alone:
//
//   - [Quoter] quotes identifiers (always, doubling embedded quotes, and
//     refusing with an *[IdentError] a name it cannot quote faithfully:
//     empty, with a NUL byte, or too long, which the server would silently
//     truncate) and writes bind placeholders ($1).
//   - [TypeNamer] spells a [schema.Type] in a column definition or a cast.
//     It is optional: callers find it by type assertion.
//   - [DDL] renders the statements that create or drop a whole
//     [schema.Metadata]; migrate asks for one statement per schema change
//     through its own, larger interface.
//   - [ErrorClassifier] turns a driver error into a *[ConstraintError].
//   - [Dialect] is all of them and a name.
//
// Rendering never executes: callers run the statements, in a transaction
// where they want atomicity. Expressions carried by the metadata (server
// defaults, checks, index predicates) are raw SQL from the model's author
// and are copied as written; values are always bound or escaped.
//
// # Errors
//
// A statement that breaks a constraint comes back from
// [ErrorClassifier.Classify] as a *[ConstraintError]: match its kind with
// errors.Is ([ErrUniqueViolation], [ErrForeignKeyViolation],
// [ErrCheckViolation], [ErrNotNullViolation], [ErrExclusionViolation]),
// read the table, columns and constraint with errors.As, and reach the
// driver's own error (*pgconn.PgError) the same way. Classification goes
// by SQLSTATE and the names the server reports, never by message text.
// orm re-exports these names, so application code need not import this
// package.
package dialect
