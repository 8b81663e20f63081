package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrLockTimeout is returned (wrapped in a *LockTimeoutError) by
// [AdvisoryLock] and [AdvisoryXactLock] when another session holds the
// lock past the deadline.
var ErrLockTimeout = errors.New("advisory lock not acquired before the deadline")

// LockTimeoutError says which advisory lock could not be taken and how long
// [AdvisoryLock] waited for it.
type LockTimeoutError struct {
	Key    int64         // the advisory-lock key, as from [LockKey]
	Waited time.Duration // how long AdvisoryLock tried before giving up
}

// Error renders "advisory lock KEY: not acquired after WAITED".
func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("advisory lock %d: not acquired after %s", e.Key, e.Waited.Round(time.Millisecond))
}

// Unwrap returns [ErrLockTimeout].
func (e *LockTimeoutError) Unwrap() error { return ErrLockTimeout }

// LockConn is one database session: *pgx.Conn and *pgxpool.Conn satisfy
// it. A pool does not, since a session-level lock belongs to the
// connection that took it.
type LockConn interface {
	// QueryRow runs the lock functions (pg_try_advisory_lock and friends).
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// LockKey derives a stable advisory-lock key from a name (64-bit FNV-1a),
// so that tools agreeing on a name agree on the key.
func LockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// Polling intervals of AdvisoryLock: the first retry comes soon, later ones
// back off to the maximum.
const (
	lockPollMin = 20 * time.Millisecond
	lockPollMax = 500 * time.Millisecond
)

// AdvisoryLock takes the session-level advisory lock key on conn, retrying
// pg_try_advisory_lock until it succeeds, timeout passes (a
// *LockTimeoutError) or ctx ends (ctx's error). It never waits forever: a
// timeout of zero or less means a single attempt. The returned release
// function unlocks; the lock is also released when the session ends.
//
// A session-level lock does not hold behind a pooler in transaction
// pooling mode (PgBouncer's pool_mode=transaction), where each statement
// outside a transaction may run on another server connection: take
// [AdvisoryXactLock] in a transaction there.
func AdvisoryLock(ctx context.Context, conn LockConn, key int64, timeout time.Duration) (release func(context.Context) error, err error) {
	err = poll(ctx, key, timeout, func() (bool, error) { return try(ctx, conn, "SELECT pg_try_advisory_lock($1)", key) })
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return unlock(ctx, conn, key) }, nil
}

// Beginner begins a transaction: *pgx.Conn, *pgxpool.Conn and
// *pgxpool.Pool satisfy it.
type Beginner interface {
	// Begin starts a transaction.
	Begin(ctx context.Context) (pgx.Tx, error)
}

// AdvisoryXactLock begins a transaction on conn that holds the
// transaction-level advisory lock key, retrying the way [AdvisoryLock]
// retries. The lock lasts until the returned transaction ends, and so it
// holds behind a pooler in transaction pooling mode, which keeps one
// server connection for a transaction. It conflicts with the
// session-level lock of the same key.
//
// Each attempt runs in a transaction of its own, rolled back when another
// session holds the lock: a waiter keeps no transaction open, which
// CREATE INDEX CONCURRENTLY run by the lock's holder would wait for. Give
// it a connection, not a transaction. The returned transaction holds no
// snapshot while idle; a statement run in it with the extended protocol
// (pgx's default) leaves a portal whose snapshot lasts until the
// transaction ends, so run statements there with
// pgx.QueryExecModeSimpleProtocol, or not at all.
func AdvisoryXactLock(ctx context.Context, conn Beginner, key int64, timeout time.Duration) (pgx.Tx, error) {
	var held pgx.Tx
	err := poll(ctx, key, timeout, func() (bool, error) {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return false, fmt.Errorf("advisory lock %d: %w", key, err)
		}
		ok, err := try(ctx, tx, "SELECT pg_try_advisory_xact_lock($1)", key)
		if ok && err == nil {
			held = tx
			return true, nil
		}
		return false, errors.Join(err, tx.Rollback(ctx))
	})
	return held, err
}

// LockHolder reports whether the server process pid holds the advisory
// lock key (session- or transaction-level) in the current database: a
// check, from another connection, that a lock is still held by the
// connection that took it.
func LockHolder(ctx context.Context, conn LockConn, key int64, pid uint32) (bool, error) {
	var held bool
	err := conn.QueryRow(ctx, holderSQL, int64(pid), key>>32&0xffffffff, key&0xffffffff).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("advisory lock %d: holder: %w", key, err)
	}
	return held, nil
}

// holderSQL finds a granted bigint advisory lock, which pg_locks shows
// with the key's high half in classid and low half in objid (objsubid 1).
const holderSQL = `SELECT EXISTS (SELECT FROM pg_locks
	WHERE locktype = 'advisory' AND granted AND pid = $1
	AND classid = $2::int8::oid AND objid = $3::int8::oid AND objsubid = 1
	AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`

// poll calls attempt until it reports the lock taken, timeout passes or
// ctx ends.
func poll(ctx context.Context, key int64, timeout time.Duration, attempt func() (bool, error)) error {
	start := time.Now()
	deadline := start.Add(timeout)
	wait := lockPollMin
	for {
		ok, err := attempt()
		if err != nil || ok {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return &LockTimeoutError{Key: key, Waited: time.Since(start)}
		}
		if err := sleep(ctx, min(wait, left)); err != nil {
			return fmt.Errorf("advisory lock %d: %w", key, err)
		}
		wait = min(2*wait, lockPollMax)
	}
}

// try runs a try-lock query. The simple protocol leaves no portal (and its
// snapshot) open in a transaction, which would hold back CREATE INDEX
// CONCURRENTLY.
func try(ctx context.Context, conn LockConn, query string, key int64) (bool, error) {
	var ok bool
	if err := conn.QueryRow(ctx, query, pgx.QueryExecModeSimpleProtocol, key).Scan(&ok); err != nil {
		return false, fmt.Errorf("advisory lock %d: %w", key, err)
	}
	return ok, nil
}

func unlock(ctx context.Context, conn LockConn, key int64) error {
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", key).Scan(&ok); err != nil {
		return fmt.Errorf("advisory unlock %d: %w", key, err)
	}
	if !ok {
		return fmt.Errorf("advisory unlock %d: the lock was not held", key)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
