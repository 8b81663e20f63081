package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Source is a way to get a PostgreSQL server, tried by a [Helper] after
// CRUCIBLE_TEST_DATABASE_URL and DATABASE_URL and before the local
// binaries. Its methods use standard types only, so a package can
// implement it without importing pgtest: the Docker source,
// github.com/crucible-orm/crucible/dialect/postgres/pgtest/pgdocker, is a
// module of its own that does not, and projects that do not use it never
// download the Docker client libraries.
type Source interface {
	// Name names the source in messages and for CRUCIBLE_PGTEST_FORCE
	// ("docker").
	Name() string
	// Start starts or finds a server. settings are postgresql.conf
	// settings ("fsync=off", name=value) for a server the source starts:
	// durability off and the like, for speed. It returns the URL of a
	// database on the server that is never dropped ("postgres"), as a
	// user who may create databases, and a function that stops the
	// server (nil when the server outlives the process), which Shutdown
	// calls. A source that cannot give a server on this machine (no
	// engine, no credentials) returns an error with an Unavailable() bool
	// method that reports true, such as one made by [Unavailable]: the
	// search then moves on to the next source. Any other error ends the
	// search.
	Start(ctx context.Context, settings []string) (adminURL string, stop func() error, err error)
}

// Unavailable returns the error a [Source] returns when it cannot give a
// server on this machine, saying why: the search moves on to the next
// source, and the reason is listed if none gives a server.
func Unavailable(format string, args ...any) error { return unavailable(format, args...) }

// Helper finds a server, once per Helper, and creates databases on it.
// The package-level functions ([New], [NewPool], [CreateDatabase], [Main],
// [Shutdown]) use a Helper with no [Source] of its own; a test package that
// wants one, such as a Docker container, declares its own Helper:
//
//	var pg = pgtest.NewHelper(pgdocker.Source{})
//
//	func TestMain(m *testing.M) { pg.Main(m) }
//
//	func TestInsert(t *testing.T) {
//		pool := pg.NewPool(t)
//		...
//	}
//
// Make one with [NewHelper]; its methods are safe for concurrent use.
type Helper struct{ p *process }

// NewHelper returns a Helper that tries CRUCIBLE_TEST_DATABASE_URL and
// DATABASE_URL, then sources in order, then local PostgreSQL binaries. It
// finds its server on first use and keeps it until [Helper.Shutdown].
func NewHelper(sources ...Source) *Helper {
	return &Helper{p: &process{extra: slices.Clone(sources)}}
}

// New returns the connection URL of a fresh, uniquely named database created
// for t and dropped in t.Cleanup; see the package function [New].
func (h *Helper) New(t testing.TB) string {
	t.Helper()
	return h.newDatabase(t, h.CreateDatabase)
}

// creator creates a database named prefix_<random> and returns its URL
// and a function that drops it.
type creator func(ctx context.Context, prefix string) (dbURL string, drop func(context.Context) error, err error)

// newDatabase creates a database for t with create and drops it in
// t.Cleanup.
func (h *Helper) newDatabase(t testing.TB, create creator) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	dbURL, drop, err := create(ctx, "crucible_"+binaryName())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		if err := drop(ctx); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return dbURL
}

// NewPool returns a pool connected to a fresh database made by
// [Helper.New]. In t.Cleanup the pool is closed first, then the database
// is dropped.
func (h *Helper) NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dbURL := h.New(t) // registered first, so its cleanup runs after Close
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Main is meant for TestMain: it runs the tests, calls [Helper.Shutdown]
// and exits with the tests' code.
func (h *Helper) Main(m *testing.M) {
	code := m.Run()
	h.Shutdown()
	os.Exit(code)
}

// CreateDatabase creates a fresh database named prefix_<random> on the
// Helper's server and returns its connection URL and a function that drops
// it; see the package function [CreateDatabase].
func (h *Helper) CreateDatabase(ctx context.Context, prefix string) (dbURL string, drop func(context.Context) error, err error) {
	dbURL, drop, err = h.createDirect(ctx, prefix)
	if err != nil {
		return "", nil, err
	}
	routed, err := h.p.routed(ctx, dbURL)
	if err != nil {
		return "", nil, errors.Join(err, drop(ctx))
	}
	return routed, drop, nil
}

// createDirect creates a database like CreateDatabase, and returns its
// URL on the server itself, whatever CRUCIBLE_PGTEST_PGBOUNCER says.
func (h *Helper) createDirect(ctx context.Context, prefix string) (dbURL string, drop func(context.Context) error, err error) {
	srv, admin, err := h.p.get(ctx)
	if err != nil {
		return "", nil, err
	}
	name, err := createUnique(ctx, admin, identPrefix(prefix))
	if err != nil {
		return "", nil, err
	}
	dbURL, err = withDatabase(srv.adminURL, name)
	if err != nil {
		return "", nil, errors.Join(err, dropDatabase(ctx, admin, name))
	}
	return dbURL, func(ctx context.Context) error { return dropDatabase(ctx, admin, name) }, nil
}

// Shutdown closes the Helper's connections and stops the server it
// started, if any (its Source's stop function, or the local cluster), and
// the primary and replica of [NewReplicated].
// Databases still in use are lost with the server. A later call finds a
// server again.
func (h *Helper) Shutdown() {
	if err := errors.Join(h.p.shutdown(), stopPair()); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: shutdown: %v\n", err)
	}
}
