package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Limits of the replicated pair.
const (
	catchUpTimeout = time.Minute // from a call of CatchUp to the replica's replay of the primary's WAL
	pollEvery      = 10 * time.Millisecond
)

// Replicated is a fresh database on a primary server together with the
// same database on a hot standby that streams the primary's WAL, made by
// [NewReplicated]. What a test writes through PrimaryURL reaches
// ReplicaURL within milliseconds, unless the test pauses the replica's
// replay ([Replicated.Pause]) to make it lag on purpose.
type Replicated struct {
	PrimaryURL string // the database on the primary: reads and writes
	ReplicaURL string // the same database on the replica: reads only

	p      *pair
	paused bool // this test holds p.replay
}

// pair is a primary with a streaming replica, both throwaway clusters
// started from the local binaries, shared by the tests of a process.
type pair struct {
	primaryURL  string        // the primary's "postgres" database
	replicaURL  string        // the replica's "postgres" database
	primary     *pgxpool.Pool // admin pool on primaryURL
	replica     *pgxpool.Pool // admin pool on replicaURL
	stop        func() error  // stops both servers and removes their directories
	stopStandby func() error  // stops the replica only
	dirs        []string      // the servers' directories
	stopped     atomic.Bool   // stop was called: the databases are gone
	standbyGone atomic.Bool   // StopReplica was called: the pair is not handed out again

	// replay is held from Pause to Resume: one test at a time makes the
	// replica lag, and CatchUp waits while another test has it paused.
	replay   sync.Mutex
	pausedBy atomic.Pointer[string] // the name of the test that holds replay
}

// pairs holds the replicated pair of this process, started on first use.
var pairs struct {
	mu  sync.Mutex // guards the fields below and serialises starting
	p   *pair
	err error // a failed start, returned again to every caller
}

// NewReplicated returns a fresh database on a primary that has a streaming
// replica, and the URL of the same database on the replica, which has
// replayed its creation. The pair of servers is started from the local
// PostgreSQL binaries (a server from DATABASE_URL cannot be reconfigured
// for replication) on the first call and shared by the process's later
// calls, each of which gets a database of its own, dropped in t.Cleanup;
// [Shutdown] (and [Main]) stop it. NewReplicated skips the test when
// there are no local binaries (fails it when CRUCIBLE_PGTEST_FORCE is
// "local"), and fails it when the pair cannot start.
func NewReplicated(t testing.TB) *Replicated {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	p, err := replicatedPair(ctx)
	var absent interface{ Unavailable() bool }
	switch {
	case errors.As(err, &absent) && absent.Unavailable() && os.Getenv(envForce) != "local":
		t.Skipf("pgtest: no primary with a replica: %v", err)
	case err != nil:
		t.Fatalf("pgtest: primary with a replica: %v", err)
	}
	name, err := createUnique(ctx, p.primary, identPrefix("crucible_"+binaryName()))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if p.stopped.Load() {
			return // gone with the servers
		}
		ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		if err := dropDatabase(ctx, p.primary, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	r := &Replicated{p: p}
	if r.PrimaryURL, err = withDatabase(p.primaryURL, name); err == nil {
		r.ReplicaURL, err = withDatabase(p.replicaURL, name)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	r.CatchUp(t)
	return r
}

// replicatedPair returns the process's pair, starting it on first use.
func replicatedPair(ctx context.Context) (*pair, error) {
	pairs.mu.Lock()
	defer pairs.mu.Unlock()
	if pairs.p != nil && pairs.p.standbyGone.Load() {
		if err := pairs.p.close(); err != nil {
			return nil, fmt.Errorf("stop the pair whose replica was stopped: %w", err)
		}
		pairs.p = nil
	}
	if pairs.p != nil || pairs.err != nil {
		return pairs.p, pairs.err
	}
	p, err := startPair(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, err // the caller gave up: let the next one try again
	}
	pairs.p, pairs.err = p, err
	return p, err
}

// stopPair stops the process's pair, if it started one.
func stopPair() error {
	pairs.mu.Lock()
	defer pairs.mu.Unlock()
	p := pairs.p
	pairs.p, pairs.err = nil, nil
	if p == nil {
		return nil
	}
	return p.close()
}

// close closes the admin pools and stops both servers.
func (p *pair) close() error {
	p.stopped.Store(true)
	p.primary.Close()
	p.replica.Close()
	return p.stop()
}

// StopReplica stops the replica (an immediate shutdown, as in a crash)
// for a test of what a client does when its replica goes away: its
// connections are closed and new ones refused. The primary stays up for
// the rest of the test. The pair is not handed out again: the next
// [NewReplicated] starts a new one, so StopReplica is not for tests that
// run in parallel with other users of NewReplicated.
func (r *Replicated) StopReplica(t testing.TB) {
	t.Helper()
	r.p.standbyGone.Store(true)
	if err := r.p.stopStandby(); err != nil {
		t.Fatalf("pgtest: stop replica: %v", err)
	}
}

// Pause pauses the replica's replay of the primary's WAL
// (pg_wal_replay_pause) and waits until it has stopped: from then on,
// what the test writes on the primary is not visible on the replica until
// [Replicated.Resume]. Replay is paused for the whole replica, so Pause
// waits while another test has it paused; t.Cleanup resumes it if the
// test does not.
func (r *Replicated) Pause(t testing.TB) {
	t.Helper()
	if r.paused {
		t.Fatal("pgtest: Pause: replay is paused already")
	}
	ctx, cancel := context.WithTimeout(context.Background(), catchUpTimeout)
	defer cancel()
	if err := r.p.lockReplay(ctx); err != nil {
		t.Fatalf("pgtest: Pause: %v", err)
	}
	name := t.Name()
	r.p.pausedBy.Store(&name)
	r.paused = true
	t.Cleanup(func() {
		if r.paused {
			r.Resume(t)
		}
	})
	if err := r.p.pause(ctx); err != nil {
		t.Fatalf("pgtest: pause replay: %v", err)
	}
}

// Resume resumes the replica's replay (pg_wal_replay_resume) and waits
// until the replica has caught up with the primary.
func (r *Replicated) Resume(t testing.TB) {
	t.Helper()
	if !r.paused {
		t.Fatal("pgtest: Resume: replay is not paused by this test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), catchUpTimeout)
	defer cancel()
	_, err := r.p.replica.Exec(ctx, "SELECT pg_wal_replay_resume()")
	r.paused = false
	r.p.replay.Unlock()
	if r.p.standbyGone.Load() {
		return // nothing to resume
	}
	if err != nil {
		t.Fatalf("pgtest: resume replay: %v", err)
	}
	r.CatchUp(t)
}

// CatchUp waits until the replica has replayed everything committed on
// the primary so far. It fails the test while the test has replay paused,
// and waits (up to a minute) while another test has.
func (r *Replicated) CatchUp(t testing.TB) {
	t.Helper()
	if r.paused {
		t.Fatal("pgtest: CatchUp: replay is paused by this test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), catchUpTimeout)
	defer cancel()
	if err := r.p.lockReplay(ctx); err != nil {
		t.Fatalf("pgtest: CatchUp: %v", err)
	}
	defer r.p.replay.Unlock()
	if err := r.p.catchUp(ctx); err != nil {
		t.Fatalf("pgtest: catch up: %v", err)
	}
}

// lockReplay takes replay, waiting while another test has replay paused;
// a test that waits for its own pause (a subtest's NewReplicated, say)
// fails when ctx ends, with the name of the test that paused.
func (p *pair) lockReplay(ctx context.Context) error {
	for !p.replay.TryLock() {
		if err := sleep(ctx, pollEvery); err != nil {
			by := "another test"
			if name := p.pausedBy.Load(); name != nil {
				by = *name
			}
			return fmt.Errorf("replay stayed paused by %s: %w", by, err)
		}
	}
	return nil
}

// pause pauses replay and polls until the replica reports it paused.
func (p *pair) pause(ctx context.Context) error {
	if _, err := p.replica.Exec(ctx, "SELECT pg_wal_replay_pause()"); err != nil {
		return err
	}
	return poll(ctx, p.replica, "SELECT pg_get_wal_replay_pause_state() = 'paused'")
}

// catchUp polls until the replica has replayed the primary's WAL up to
// its flush position now (commits are flushed when they return: the
// primary runs with synchronous_commit on).
func (p *pair) catchUp(ctx context.Context) error {
	var lsn string
	if err := p.primary.QueryRow(ctx, "SELECT pg_current_wal_flush_lsn()::text").Scan(&lsn); err != nil {
		return err
	}
	return poll(ctx, p.replica, "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn)
}

// poll runs a query returning a boolean until it returns true.
func poll(ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) error {
	for {
		var ok bool
		if err := pool.QueryRow(ctx, sql, args...).Scan(&ok); err != nil {
			return err
		}
		if ok {
			return nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
}
