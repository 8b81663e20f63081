package migrate

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/schema"
)

// Defaults of a [Runner].
const (
	DefaultVersionTable = "crucible_version"
	DefaultLockTimeout  = time.Minute
)

// Runner applies the revisions of a [Set] to one database: upgrade,
// downgrade, stamp, current, check and autogenerate. Commands that change
// the database take a PostgreSQL advisory lock first (waiting at most the
// lock timeout, then failing with [ErrLocked]), so runners started at the
// same time apply each revision once, behind PgBouncer's transaction
// pooling too (the lock is held by an open transaction on a second pool
// connection; a pool of one connection is refused). Each revision runs in its own
// transaction, which also writes the version table, so a failed revision
// leaves the database at the previous one. A Runner is safe for concurrent
// use; commands serialise on the lock.
type Runner struct {
	pool         *pgxpool.Pool
	set          *Set
	meta         *schema.Metadata
	scope        Scope
	ddl          DDL
	versionTable string
	lockTimeout  time.Duration
	log          io.Writer
}

// Option configures a [Runner].
type Option func(*Runner)

// WithMetadata gives the models' metadata, which [Runner.Check] and
// [Runner.Autogenerate] compare the database with.
func WithMetadata(m *schema.Metadata) Option { return func(r *Runner) { r.meta = m } }

// WithDDL replaces the PostgreSQL dialect that renders the ops.
func WithDDL(d DDL) Option { return func(r *Runner) { r.ddl = d } }

// WithVersionTable names the table holding the applied head revisions
// (default [DefaultVersionTable]): TABLE in the search path's schema, or
// SCHEMA.TABLE. The runner creates the table, but not its schema, which
// must exist before the first revision runs.
func WithVersionTable(name string) Option { return func(r *Runner) { r.versionTable = name } }

// WithLockTimeout bounds the wait for the migration lock (default
// [DefaultLockTimeout]); zero means one attempt.
func WithLockTimeout(d time.Duration) Option { return func(r *Runner) { r.lockTimeout = d } }

// WithLog receives one line per revision applied or undone (default:
// nowhere).
func WithLog(w io.Writer) Option { return func(r *Runner) { r.log = w } }

// NewRunner returns a runner of set on the database of pool.
func NewRunner(pool *pgxpool.Pool, set *Set, opts ...Option) *Runner {
	r := &Runner{pool: pool, set: set, ddl: defaultDDL(), versionTable: DefaultVersionTable,
		lockTimeout: DefaultLockTimeout, log: io.Discard}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Set returns the runner's revisions.
func (r *Runner) Set() *Set { return r.set }

// Upgrade applies the revisions up to target: [Head], [Heads], "+N" (the
// next N revisions towards the head) or a revision id (or a unique prefix
// of one); a revision below the database's heads is refused, as that is a
// downgrade. It returns the revisions applied, in order; on failure, those
// applied before the failing one, and an *OpError naming the revision and
// the op.
func (r *Runner) Upgrade(ctx context.Context, target string) ([]*Revision, error) {
	return r.move(ctx, target, Up)
}

// Downgrade undoes the revisions above target: [Base] (all of them), "-N"
// (the last N) or an applied revision id, which stays applied. It refuses,
// before changing anything, a plan holding an [Irreversible] op. It returns
// the revisions undone, in order.
func (r *Runner) Downgrade(ctx context.Context, target string) ([]*Revision, error) {
	return r.move(ctx, target, Down)
}

// move plans the way to target under the lock, renders all of it, then
// applies the revisions one transaction each.
func (r *Runner) move(ctx context.Context, target string, dir Direction) ([]*Revision, error) {
	var done []*Revision
	err := r.locked(ctx, func(s *session) error {
		plan, err := r.set.plan(s.heads, target, dir)
		if err != nil {
			return err
		}
		if err := r.prepare(plan, dir); err != nil {
			return err
		}
		for _, rev := range plan {
			if err := s.apply(ctx, rev, dir); err != nil {
				return err
			}
			done = append(done, rev)
		}
		return nil
	})
	return done, err
}

// prepare renders every op of the plan before anything runs, so that an
// irreversible op or a rendering error stops the command with nothing
// written.
func (r *Runner) prepare(plan []*Revision, dir Direction) error {
	for _, rev := range plan {
		if _, err := r.segments(rev, dir); err != nil {
			return err
		}
	}
	return nil
}

// Current returns the head revisions recorded in the database: none at
// base, one normally, several for unmerged branches.
func (r *Runner) Current(ctx context.Context) ([]string, error) {
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("current: %w", err)
	}
	defer conn.Release()
	return readVersion(ctx, conn, r.ddl, r.versionTable)
}

// Stamp records target ([Base], [Head], [Heads] or a revision) as the
// database's version without running any op: for a database whose schema
// was made some other way.
func (r *Runner) Stamp(ctx context.Context, target string) error {
	return r.locked(ctx, func(s *session) error {
		heads, err := r.stampHeads(target)
		if err != nil {
			return err
		}
		return s.writeHeads(ctx, heads)
	})
}

func (r *Runner) stampHeads(target string) ([]string, error) {
	if err := r.set.Err(); err != nil {
		return nil, err
	}
	switch target {
	case Base:
		return nil, nil
	case Heads:
		return r.set.Heads(), nil
	case Head:
		h, err := r.set.Head()
		if h == "" || err != nil {
			return nil, err
		}
		return []string{h}, nil
	}
	id, err := r.set.lookup(target)
	return []string{id}, err
}

// locked runs fn on one connection while another holds the migration
// lock (see lock.go), with the version table created and read. The pool
// must allow two connections.
func (r *Runner) locked(ctx context.Context, fn func(*session) error) error {
	if err := r.set.Err(); err != nil {
		return err
	}
	if n := r.pool.Stat().MaxConns(); n < 2 {
		return fmt.Errorf("the pool allows %d connection, the runner needs 2: one holds the migration lock", n)
	}
	conn, err := r.pool.Acquire(ctx) // before the lock's, so a holder never waits for the pool
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	lock, err := r.lock(ctx)
	if err != nil {
		return err
	}
	defer lock.release(context.WithoutCancel(ctx))
	s := &session{r: r, conn: conn.Conn(), lock: lock}
	if err := s.open(ctx); err != nil {
		return err
	}
	return fn(s)
}

// errLocked wraps a lock timeout into ErrLocked.
func errLocked(err error) error {
	return fmt.Errorf("%w: %w", ErrLocked, err)
}
