// Package orm is Crucible's object-relational mapper for PostgreSQL: a
// [Registry] of mapped structs, a [DB] over a pgx pool, and a [Session]
// that tracks objects and writes them back as a unit of work, in the
// spirit of SQLAlchemy's ORM.
//
// # Registry and DB
//
// Models are plain structs with `orm:"…"` tags (see the schema package for
// the tag grammar) and `rel:"…"` relationships. [NewRegistry] maps them
// once, in passes (columns, relationships, metadata, accessors), and
// reports every mistake at once; it never panics ([MustRegistry] does).
// The registry is immutable and shared.
//
//	reg := orm.MustRegistry(&User{}, &Post{})
//	db, err := orm.Open(ctx, os.Getenv("DATABASE_URL"), reg, orm.WithMaxConns(10))
//	defer db.Close()
//
// [Open] builds and owns a pgxpool; [New] wraps a pool you already have.
// A DB is safe for concurrent use. [DB.CreateAll] and [DB.DropAll] run the
// dialect's DDL for the registry's metadata in one transaction.
//
// # Sessions and the unit of work
//
// A [Session] is cheap, belongs to one goroutine, and holds:
//
//   - an identity map: one Go pointer per row, so [Get] of a loaded key
//     costs no query and a query returning a held row returns the held
//     pointer;
//   - a snapshot of every loaded object, against which a flush finds what
//     changed — including changes made in place inside slices, maps and
//     JSON values — and sends UPDATEs of the changed columns only;
//   - the pending objects of [Session.Add] and the deletions of
//     [Session.Delete].
//
// [Session.Flush] writes all of it in one transaction in foreign-key order
// (parents inserted first, children deleted first, rows of
// self-referencing tables ordered row by row), grouping rows per table and
// column set into single statements (INSERT … SELECT FROM unnest(…) for
// many rows), and reading generated keys and server defaults back into the
// structs with a row-to-object mapping that does not rely on the order of
// RETURNING rows. [Session.Commit] flushes and commits; a commit whose
// transaction holds nothing else travels in one round trip, or as a single
// statement that is its own transaction. Queries flush pending changes
// first (autoflush, see [Session.SetAutoflush]).
//
// A failed flush rolls back and leaves the session as it was before the
// flush: pending objects still pending, keys assigned by the failed flush
// cleared, snapshots unchanged. Fix the cause and flush again.
// [Session.Rollback] does the same for the whole transaction.
//
// [DB.Transaction] runs a closure in a session's transaction and commits
// on nil or rolls back on error or panic; [Session.Nested] is a savepoint.
//
// # Queries
//
// [Query] builds a typed SELECT: Where with ? placeholders (never string
// formatting), OrderBy on field paths checked against the models ("-name"
// for descending), Limit, Offset, ForUpdate, and All, One, First, Count,
// Exists or the streaming Iter. [SelectQuery.Join] and
// [SelectQuery.LeftJoin] join relationships by name ("Customer.Name" then
// names a joined field), [SelectQuery.Has] and [SelectQuery.HasNo] filter
// by related rows with EXISTS, and GroupBy and Having group them. [Select]
// turns a query into a projection into any struct — chosen columns,
// aggregates ([Count], [Sum], …) and expressions ([Col], [Expr]) — whose
// rows stay out of the identity map. [SelectQuery.Page] paginates by
// keyset with opaque cursors. [Update] and [Delete] are statement-level
// writes that keep the identity map in line; [Insert] is the
// statement-level INSERT, and with [OnConflict] an upsert (also for
// pending objects: a [Conflict] given to [Session.Add], or a model's
// [Upserter]). [Raw] scans SQL written by the programmer (through the
// [SQL] type) into a model or any struct; [Session.Exec] runs a
// statement. [NewRepository] offers a typed collection view.
//
// # Lifecycle hooks
//
// A model implementing [BeforeInserter], [AfterInserter],
// [BeforeUpdater], [AfterUpdater], [BeforeDeleter], [AfterDeleter] or
// [AfterLoader] has the method called inside the flush (Before hooks
// before the dirty check, After hooks before the COMMIT) or after a load;
// an error or panic fails the flush like any other, as a *[HookError].
//
// # Soft delete
//
// A model whose nullable timestamp is tagged `orm:"soft_delete"` is
// deleted by setting it: [Session.Delete] becomes an UPDATE, queries, Get
// and collection loads leave such rows out unless
// [SelectQuery.WithDeleted] (a many_to_one reference still shows the row
// its key names), delete cascades reach soft-deletable targets
// softly, and [Session.HardDelete] deletes for real.
//
// # Working with pgx
//
// [DB.SessionOn] runs a session inside a pgx transaction the caller began
// and ends (the session's own transaction is a savepoint in it);
// [Session.Tx] hands out the session's transaction as a pgx.Tx for
// CopyFrom, SendBatch or sqlc queries in the same unit of work.
//
// # Read replicas
//
// [WithReplicas] (or [WithReplicaPools]) adds hot standbys: a read outside
// a transaction goes to one of them in turn; writes, everything inside a
// transaction, and a session's reads after its first write go to the
// primary (read-your-writes). [OnPrimary] sends the reads of one call to
// the primary, [Session.UsePrimary] those of a session. A replica that
// cannot answer falls back to the primary and is left out for a while
// ([WithReplicaRetry]). A write based on a stale read fails with
// [ErrStaleData] when the model has a version column.
//
// # Relationships
//
// Relationship fields (`rel:"…"`, see the relation package) take part in
// the unit of work through one rule per relationship, chosen by its kind
// when the registry is built. A flush compares each loaded collection and
// reference with what it held when loaded and decides across the session:
// a child appended to another parent (or whose reference now names it) is
// moved with one UPDATE of its key, never deleted; a child let go and
// attached nowhere is an orphan, deleted under delete-orphan, else
// detached, else refused with an *[OrphanError]. Parent keys are copied
// into child foreign keys (keys generated in the same flush included),
// deletes cascade deepest first (selecting unloaded children unless ON
// DELETE does it), many-to-many association rows are written, and
// afterwards both sides of every back_populates pair agree.
// [Session.Add] follows save-update cascades and refuses, with a
// *[DetachedError], an object of another session; [Merge] copies a
// detached object graph onto the session's objects, one object per row,
// checking version columns; [Session.Expunge] and [Session.Refresh]
// follow their cascades.
//
// Nothing is loaded behind the caller's back: a query's Load paths
// ("Posts.Comments") and the eager `lazy:` strategies load relationships
// with one statement per step for all rows (= ANY($1) with one array
// parameter), or in the query's own statement for joined to-one
// relationships ([SelectQuery.LoadJoined]); [Where] and [OrderBy] options
// filter and order a step. [Session.LoadRelated] loads on demand, and
// [Related] reads a relationship knowing whether it was loaded (an
// unloaded lazy:raise one is a *[NotLoadedError]).
//
// # Errors
//
// Errors wrap with context and match with errors.Is and errors.As:
// [ErrNotFound] (which also matches pgx.ErrNoRows), [ErrStaleData] inside
// a *[StaleDataError] (optimistic locking with a `version` column),
// *[ConstraintError] with [ErrUniqueViolation], [ErrForeignKeyViolation],
// [ErrCheckViolation] and [ErrNotNullViolation], *[CycleError] for rows
// that depend on each other, *[UnknownOutcomeError] when the reply to
// a COMMIT was lost, and *[CommittedError] when the transaction committed
// but a returned value could not be read back. The session never retries
// a statement by itself.
//
// # Poolers and cancellation
//
// [WithExecMode] (or the URL's default_query_exec_mode) picks pgx's exec
// mode: every Session feature works in all five; behind PgBouncer in
// transaction pooling use pgx.QueryExecModeExec. [WithCancelRequest] (the
// default) and [WithCloseOnCancel] choose what an ended context does to a
// running statement. docs/deploy.md has the details.
//
// # Logging and tracing
//
// [WithLogger] logs each statement with its duration, row count and
// arguments ([WithHiddenArgs] keeps them out); [WithTracer] passes a pgx
// tracer (OpenTelemetry) to the pool's connections.
package orm
