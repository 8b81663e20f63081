// Package postgres is Crucible's PostgreSQL dialect, on pgx.
//
// [Dialect] implements [dialect.Dialect] and the DDL renderer migrate runs
// its operations through:
//
//   - quoting: [Dialect.QuoteIdent] always quotes, doubles embedded quotes
//     and refuses (with a *[dialect.IdentError]) an empty name, a NUL byte,
//     invalid UTF-8 and a name over [MaxIdentLen] bytes, which the server
//     would silently truncate; [Dialect.Placeholder] writes $n;
//   - types: [Dialect.TypeName] renders every [schema.Type];
//   - DDL: [Dialect.CreateAll] and [Dialect.DropAll] for a whole
//     [schema.Metadata], and one method per schema change (CreateTable,
//     AddColumn, AlterColumnType, CreateIndex, AddEnumValue, …). They only
//     render statements; the caller executes them;
//   - errors: [Dialect.Classify] turns a *pgconn.PgError for a unique,
//     foreign-key, check, not-null or exclusion violation into a
//     *[dialect.ConstraintError] that wraps it;
//   - catalogs: [Inspect] reads a live schema back into metadata,
//     [ParseFormatType] and [NormalizeDefault] give the canonical forms the
//     migration diff compares, and [AdvisoryXactLock] (a transaction's
//     lock, which holds behind PgBouncer's transaction pooling; checked
//     from elsewhere with [LockHolder]) serialises migration runners, as
//     [AdvisoryLock] (a session's) did.
//
// Identifiers are always quoted, so names are case-sensitive and may be SQL
// keywords. Expressions in the metadata (server defaults, checks, index
// predicates and expressions, USING clauses) are raw SQL written by the
// model or migration author and are copied as they are; string values
// (enum labels, comments) are always written as escaped literals.
//
// A Dialect has no state: the zero value is ready to use and safe for
// concurrent use.
package postgres
