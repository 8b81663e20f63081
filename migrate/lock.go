package migrate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The migration lock is a transaction-level advisory lock (keyed by the
// version table's name) taken by a transaction that stays open, on a pool
// connection of its own, for the whole command, while the revisions run
// on another connection. A pooler in transaction pooling mode (PgBouncer)
// keeps one server connection for an open transaction, so the lock holds
// there too, where a session-level lock taken by one statement and
// released by another would land on different server connections; and it
// ends with its transaction, or with its client's connection, never
// staying on a pooled server connection. It conflicts with the
// session-level lock of older runners of the same key. A waiting runner
// keeps no transaction open (each attempt is a transaction of its own) and
// the holder's transaction no snapshot, so neither holds back a
// CREATE INDEX CONCURRENTLY of the revisions.
//
// Each transaction of a revision first checks that the holder's server
// process still holds the lock (a pooler or server timeout may close an
// idle transaction's connection), and the one that writes the version
// table re-reads it: if either changed, the transaction rolls back with
// ErrLockLost instead of applying a revision twice.

// migrationLock is the lock of one runner command.
type migrationLock struct {
	conn *pgxpool.Conn // the holder's connection, given back by release
	tx   pgx.Tx        // the transaction holding the lock
	key  int64         // the advisory-lock key
	pid  uint32        // the server process of tx
}

// lock takes the migration lock on a connection of its own, waiting at
// most the runner's lock timeout.
func (r *Runner) lock(ctx context.Context) (*migrationLock, error) {
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	l := &migrationLock{conn: conn, key: lockKey(r.versionTable)}
	if err := l.take(ctx, r.lockTimeout); err != nil {
		l.release(context.WithoutCancel(ctx))
		return nil, err
	}
	return l, nil
}

// take begins the holder's transaction once it holds the lock (waiters
// keep none open: see postgres.AdvisoryXactLock), reads its server
// process and exempts it from the server's idle-in-transaction timeout.
func (l *migrationLock) take(ctx context.Context, timeout time.Duration) error {
	tx, err := xactLock(ctx, l.conn, l.key, timeout)
	if err != nil {
		return err
	}
	l.tx = tx
	// The simple protocol leaves no portal open in the transaction: its
	// snapshot would make CREATE INDEX CONCURRENTLY wait for the holder.
	const setup = "SELECT pg_backend_pid(), set_config('idle_in_transaction_session_timeout', '0', true)"
	if err := tx.QueryRow(ctx, setup, pgx.QueryExecModeSimpleProtocol).Scan(&l.pid, nil); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	return nil
}

// rowQuerier runs a query of one row: a connection or a transaction.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// check fails with ErrLockLost when the holder no longer holds the lock.
func (l *migrationLock) check(ctx context.Context, q rowQuerier) error {
	held, err := lockHeld(ctx, q, l.key, l.pid)
	if err != nil {
		return err
	}
	if !held {
		return fmt.Errorf("%w: its connection (server process %d) ended", ErrLockLost, l.pid)
	}
	return nil
}

// release ends the holder's transaction, which releases the lock, and
// gives its connection back (closed by pgx if the rollback failed).
func (l *migrationLock) release(ctx context.Context) {
	if l.tx != nil {
		_ = l.tx.Rollback(ctx) // a failure closes the connection, which ends the lock too
	}
	l.conn.Release()
}

// recheck fails with ErrLockLost when the version table no longer holds
// the heads the command started from.
func (s *session) recheck(ctx context.Context, tx pgx.Tx) error {
	heads, err := readVersion(ctx, tx, s.r.ddl, s.r.versionTable)
	if err != nil {
		return err
	}
	want := slices.Sorted(slices.Values(s.heads))
	if !slices.Equal(heads, want) {
		return fmt.Errorf("%w: the version table changed from %v to %v during the command", ErrLockLost, want, heads)
	}
	return nil
}
