package orm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// outerSavepoint names the savepoint a session on a borrowed transaction
// works in: one of its own (told apart by the session's address, unique
// among live sessions), so that two sessions on one transaction never
// release or roll back each other's savepoint by name.
func (s *Session) outerSavepoint() string {
	return "crucible_session_" + strconv.FormatUint(uint64(mem.Of(s).Uintptr()), 36)
}

// ErrTxOwned is returned by Commit and Rollback of the pgx.Tx that
// [Session.Tx] hands out: the session began that transaction and ends it
// ([Session.Commit], [Session.Rollback]).
var ErrTxOwned = errors.New("the session owns this transaction")

// SessionOn returns a session that works inside tx, a transaction the
// caller began (with pgx, or another library such as sqlc's generated
// code or a job queue) and will end. The session never commits or rolls
// back tx: its own transaction is a savepoint in tx, begun with its first
// statement (reads included, so they see what tx wrote) and released by
// Commit, which flushes and leaves tx open for the caller to go on and
// commit. A failed flush, Rollback or Close rolls back to that savepoint
// only: what the session wrote is undone, tx stays usable, and what the
// caller wrote before the session's first statement is kept. Statements
// the caller runs on tx between the session's first statement and its
// Commit are inside the savepoint and are undone with it.
//
// tx's connection is not safe for concurrent use: do not use tx while a
// session call is running. End the session (Commit or Close) before
// committing tx. Isolation and read-only options do not apply: tx has
// its own. Several sessions on one tx nest (each has its own savepoint):
// end them in the reverse order of their first statements.
func (db *DB) SessionOn(tx pgx.Tx) *Session {
	s := newSession(db)
	s.outer = tx
	return s
}

// Tx flushes pending changes, begins the session's transaction if it has
// none yet, and returns that transaction for pgx calls in the same unit of
// work: Exec, Query, CopyFrom, SendBatch, sqlc's New(tx), a job queue's
// InsertTx. Its Begin makes a savepoint (pgx's nested transaction), whose
// Commit and Rollback work as usual; its own Commit and Rollback fail with
// ErrTxOwned, as the session ends the transaction (Commit, Rollback,
// Close). It is valid until then; afterwards its calls fail with
// pgx.ErrTxClosed. The session does not see what is written through it:
// query again, or Refresh the objects it changed. A statement that fails
// through it aborts the transaction, as in pgx: roll the session back, or
// run such statements in a nested Begin.
func (s *Session) Tx(ctx context.Context) (pgx.Tx, error) {
	if err := s.Flush(ctx); err != nil {
		return nil, fmt.Errorf("tx: %w", err)
	}
	t := s.ensureTx()
	t.eager = true
	if t.handle != nil {
		return t.handle, nil
	}
	conn, err := s.conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("tx: %w", err)
	}
	// pgx.Conn.BeginTx runs the pending BEGIN (and savepoints) and wraps
	// the connection in a pgx.Tx; with nothing pending, an empty
	// statement.
	start := s.db.log.start()
	begin := strings.Join(t.takePrefix(), "; ")
	if begin == "" {
		begin = ";"
	}
	inner, err := conn.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	s.db.log.statement(ctx, start, begin, nil, -1, err)
	if err != nil {
		return nil, fmt.Errorf("tx: %w", s.failTx(err))
	}
	t.begun = true
	t.handle = &sessionTx{Tx: inner, s: s, gen: t.gen}
	return t.handle, nil
}

// sessionTx is the pgx.Tx of a session's transaction.
type sessionTx struct {
	pgx.Tx
	s   *Session
	gen uint64
}

var _ pgx.Tx = (*sessionTx)(nil)

// live reports whether the session's transaction is still the one handed
// out.
func (t *sessionTx) live() bool {
	return !t.s.closed && t.s.tx != nil && t.s.tx.gen == t.gen
}

// Begin starts a savepoint (a pseudo nested transaction).
func (t *sessionTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if !t.live() {
		return nil, pgx.ErrTxClosed
	}
	return t.Tx.Begin(ctx)
}

// Commit fails: the session commits its transaction.
func (t *sessionTx) Commit(context.Context) error {
	return fmt.Errorf("commit: %w: use Session.Commit", ErrTxOwned)
}

// Rollback fails: the session rolls its transaction back.
func (t *sessionTx) Rollback(context.Context) error {
	return fmt.Errorf("rollback: %w: use Session.Rollback", ErrTxOwned)
}

// Exec runs a statement in the session's transaction.
func (t *sessionTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if !t.live() {
		return pgconn.CommandTag{}, pgx.ErrTxClosed
	}
	return t.Tx.Exec(ctx, sql, args...)
}

// Query runs a query in the session's transaction.
func (t *sessionTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if !t.live() {
		return nil, pgx.ErrTxClosed
	}
	return t.Tx.Query(ctx, sql, args...)
}

// QueryRow runs a query returning at most one row in the session's
// transaction.
func (t *sessionTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if !t.live() {
		return errRow{pgx.ErrTxClosed}
	}
	return t.Tx.QueryRow(ctx, sql, args...)
}

// SendBatch sends a batch in the session's transaction.
func (t *sessionTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if !t.live() {
		return pgx.FailedBatchResults(b, pgx.ErrTxClosed)
	}
	return t.Tx.SendBatch(ctx, b)
}

// CopyFrom copies rows into a table in the session's transaction.
func (t *sessionTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	if !t.live() {
		return 0, pgx.ErrTxClosed
	}
	return t.Tx.CopyFrom(ctx, table, cols, src)
}

// Prepare prepares a statement on the transaction's connection.
func (t *sessionTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if !t.live() {
		return nil, pgx.ErrTxClosed
	}
	return t.Tx.Prepare(ctx, name, sql)
}

// errRow is a pgx.Row whose Scan fails.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
