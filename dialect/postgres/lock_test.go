package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

func TestAdvisoryLock(t *testing.T) {
	pgtest.NeedSession(t, "a session advisory lock")
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	a, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	key := postgres.LockKey("test lock")

	release, err := postgres.AdvisoryLock(ctx, a, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("held elsewhere times out", func(t *testing.T) {
		start := time.Now()
		_, err := postgres.AdvisoryLock(ctx, b, key, 150*time.Millisecond)
		var lte *postgres.LockTimeoutError
		if !errors.As(err, &lte) || !errors.Is(err, postgres.ErrLockTimeout) || lte.Key != key {
			t.Fatalf("err = %v, want *LockTimeoutError", err)
		}
		if waited := time.Since(start); waited < 150*time.Millisecond || waited > 2*time.Second {
			t.Errorf("waited %s", waited)
		}
	})
	t.Run("context ends the wait", func(t *testing.T) {
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := postgres.AdvisoryLock(cctx, b, key, time.Hour)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("released lock is taken by a waiter", func(t *testing.T) {
		released := make(chan error, 1)
		go func() {
			time.Sleep(100 * time.Millisecond)
			released <- release(ctx)
		}()
		rel, err := postgres.AdvisoryLock(ctx, b, key, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-released; err != nil { // a is used again below
			t.Fatal(err)
		}
		if err := rel(ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("releasing twice fails", func(t *testing.T) {
		rel, err := postgres.AdvisoryLock(ctx, a, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := rel(ctx); err != nil {
			t.Fatal(err)
		}
		if err := rel(ctx); err == nil {
			t.Error("second release succeeded")
		}
	})
}

func TestLockKey(t *testing.T) {
	a, again := postgres.LockKey("a"), postgres.LockKey("a")
	if a == postgres.LockKey("b") || a != again {
		t.Error("LockKey is not a stable, distinguishing hash")
	}
}

// TestAdvisoryXactLock checks that a transaction's lock excludes other
// transactions and sessions until it ends, and that LockHolder sees it on
// the holder's server process only.
func TestAdvisoryXactLock(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	key := postgres.LockKey("test xact lock")
	tx, err := postgres.AdvisoryXactLock(ctx, pool, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var pid uint32
	// The simple protocol leaves no portal holding a snapshot in tx.
	if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()", pgx.QueryExecModeSimpleProtocol).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pid  uint32
		want bool
	}{
		{"holder", pid, true},
		{"another process", pid + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			held, err := postgres.LockHolder(ctx, pool, key, tc.pid)
			if err != nil || held != tc.want {
				t.Errorf("LockHolder = %v, %v; want %v", held, err, tc.want)
			}
		})
	}
	t.Run("other transaction times out", func(t *testing.T) {
		_, err := postgres.AdvisoryXactLock(ctx, pool, key, 100*time.Millisecond)
		var lte *postgres.LockTimeoutError
		if !errors.As(err, &lte) || lte.Key != key {
			t.Fatalf("err = %v, want *LockTimeoutError", err)
		}
	})
	t.Run("session lock conflicts", func(t *testing.T) {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		if _, err := postgres.AdvisoryLock(ctx, conn, key, 0); !errors.Is(err, postgres.ErrLockTimeout) {
			t.Fatalf("err = %v, want ErrLockTimeout", err)
		}
	})
	t.Run("a waiter holds back no concurrent index build", func(t *testing.T) {
		// The holder builds indexes concurrently while another session
		// waits for the lock: CREATE INDEX CONCURRENTLY waits for every
		// transaction with a snapshot, and a waiter keeps none open.
		if _, err := pool.Exec(ctx, "CREATE TABLE items (id int)"); err != nil {
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() {
			_, err := postgres.AdvisoryXactLock(ctx, pool, key, 3*time.Second)
			waited <- err
		}()
		for i := range 20 {
			ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := pool.Exec(ictx, fmt.Sprintf("CREATE INDEX CONCURRENTLY ix_%d ON items (id)", i))
			cancel()
			if err != nil {
				t.Fatalf("index %d: %v", i, err)
			}
		}
		if err := <-waited; !errors.Is(err, postgres.ErrLockTimeout) {
			t.Errorf("waiter: %v, want ErrLockTimeout", err)
		}
	})
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("ends with the transaction", func(t *testing.T) {
		if held, err := postgres.LockHolder(ctx, pool, key, pid); err != nil || held {
			t.Errorf("LockHolder after rollback = %v, %v", held, err)
		}
		other, err := postgres.AdvisoryXactLock(ctx, pool, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
