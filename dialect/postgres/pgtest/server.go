package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment variables read when the server is found.
const (
	envTestURL = "CRUCIBLE_TEST_DATABASE_URL" // checked first
	envURL     = "DATABASE_URL"
	envForce   = "CRUCIBLE_PGTEST_FORCE" // "env", "local" or a Source's Name: try only that source
)

// settings make the throwaway cluster fast and private: no durability,
// TCP on 127.0.0.1 only, no background work that tests do not need.
var settings = []string{
	"listen_addresses=127.0.0.1",
	"fsync=off",
	"synchronous_commit=off",
	"full_page_writes=off",
	"wal_level=minimal",
	"max_wal_senders=0",
	"autovacuum=off",
	"max_connections=200",
	"shared_buffers=64MB",
	"log_min_messages=warning",
}

// binGlobs are searched, newest version first, when initdb is not on PATH.
var binGlobs = []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"}

// server is a PostgreSQL server the helper creates databases on.
type server struct {
	source   string       // "env", "local" or a Source's Name
	adminURL string       // a database to run CREATE DATABASE from
	stop     func() error // stops a server this process started; nil for "env"
	dir      string       // the throwaway cluster's directory ("local" only)
	port     int          // the throwaway cluster's port ("local" only)
}

// source is one way to get a server. Its find returns an error with an
// Unavailable() method reporting true when the source is absent, so the
// search moves on to the next one.
type source struct {
	name string
	find func(ctx context.Context) (*server, error)
}

// sourcesOf lists the sources in the order they are tried: the
// environment, a Helper's own sources, the local binaries.
func sourcesOf(extra []Source) []source {
	all := []source{{"env", fromEnv}}
	for _, src := range extra {
		all = append(all, source{src.Name(), startSource(src)})
	}
	return append(all, source{"local", startLocal})
}

// startSource adapts a Source to the search.
func startSource(src Source) func(context.Context) (*server, error) {
	return func(ctx context.Context) (*server, error) {
		adminURL, stop, err := src.Start(ctx, slices.Clone(settings))
		if err != nil {
			return nil, err
		}
		return &server{source: src.Name(), adminURL: adminURL, stop: stop}, nil
	}
}

// unavailableError says why a source cannot provide a server.
type unavailableError struct{ reason string }

func (e *unavailableError) Error() string { return e.reason }

// Unavailable reports true: the source is absent, try the next.
func (e *unavailableError) Unavailable() bool { return true }

func unavailable(format string, args ...any) error {
	return &unavailableError{reason: fmt.Sprintf(format, args...)}
}

// process holds the server found by a Helper and an admin pool on it.
type process struct {
	extra []Source   // tried between the environment and the local binaries; fixed
	mu    sync.Mutex // guards the fields below and serialises finding
	srv   *server
	admin *pgxpool.Pool
	err   error // a failed search, returned again to every caller

	bouncer *bouncer // the PgBouncer of CRUCIBLE_PGTEST_PGBOUNCER, started on first use
}

var (
	stdMu sync.Mutex // guards std
	std   = &process{}
)

func active() *process {
	stdMu.Lock()
	defer stdMu.Unlock()
	return std
}

// current returns the server of this process, finding it on first use.
func current(ctx context.Context) (*server, *pgxpool.Pool, error) {
	return active().get(ctx)
}

func (p *process) get(ctx context.Context) (*server, *pgxpool.Pool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.srv != nil || p.err != nil {
		return p.srv, p.admin, p.err
	}
	srv, admin, err := connect(ctx, p.extra)
	if err != nil && ctx.Err() != nil {
		return nil, nil, err // the caller gave up: let the next one try again
	}
	p.srv, p.admin, p.err = srv, admin, err
	return srv, admin, err
}

// shutdown closes the admin pool and stops a server p started. A later
// call of get finds a server again.
func (p *process) shutdown() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.admin != nil {
		p.admin.Close()
	}
	var errs []error
	if p.bouncer != nil {
		errs = append(errs, p.bouncer.stop())
	}
	srv := p.srv
	p.srv, p.admin, p.err, p.bouncer = nil, nil, nil, nil
	if srv != nil && srv.stop != nil {
		errs = append(errs, srv.stop())
	}
	return errors.Join(errs...)
}

// connect finds a server and opens the admin pool on it.
func connect(ctx context.Context, extra []Source) (*server, *pgxpool.Pool, error) {
	srv, err := find(ctx, extra)
	if err != nil {
		return nil, nil, err
	}
	admin, err := openAdmin(ctx, srv.adminURL)
	if err != nil {
		err = fmt.Errorf("connect to the %s server: %w", srv.source, err)
		if srv.stop != nil {
			err = errors.Join(err, srv.stop())
		}
		return nil, nil, err
	}
	return srv, admin, nil
}

func openAdmin(ctx context.Context, adminURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// find tries each source in order (only the forced one when
// CRUCIBLE_PGTEST_FORCE is set) and returns the first server. An absent
// source is skipped; any other failure ends the search.
func find(ctx context.Context, extra []Source) (*server, error) {
	force := os.Getenv(envForce)
	var reasons, names []string
	for _, src := range sourcesOf(extra) {
		names = append(names, src.name)
		if force != "" && force != src.name {
			continue
		}
		srv, err := src.find(ctx)
		var absent interface{ Unavailable() bool }
		switch {
		case err == nil:
			return srv, nil
		case errors.As(err, &absent) && absent.Unavailable():
			reasons = append(reasons, src.name+": "+err.Error())
		default:
			return nil, fmt.Errorf("%s server: %w", src.name, err)
		}
	}
	if force != "" && len(reasons) == 0 {
		return nil, fmt.Errorf("no PostgreSQL server: %s=%q is not one of %s", envForce, force, strings.Join(names, ", "))
	}
	return nil, notFound(reasons)
}

// notFound is the error that tells the user how to provide a server.
func notFound(reasons []string) error {
	return fmt.Errorf("no PostgreSQL server for tests; provide one of:\n"+
		"  - set %s (or %s) to a server URL whose user may create databases,\n"+
		"    e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable\n"+
		"  - install the PostgreSQL server binaries (initdb and postgres on PATH\n"+
		"    or under /usr/lib/postgresql/*/bin) for a throwaway cluster\n"+
		"  - run a Docker engine and give your tests a Docker source:\n"+
		"    pgtest.NewHelper(pgdocker.Source{}) with the module\n"+
		"    github.com/crucible-orm/crucible/dialect/postgres/pgtest/pgdocker\n"+
		"tried:\n  %s", envURL, envTestURL, strings.Join(reasons, "\n  "))
}

// fromEnv uses CRUCIBLE_TEST_DATABASE_URL or DATABASE_URL as the admin
// connection.
func fromEnv(context.Context) (*server, error) {
	for _, name := range []string{envTestURL, envURL} {
		if v := os.Getenv(name); v != "" {
			return &server{source: "env", adminURL: v}, nil
		}
	}
	return nil, unavailable("%s and %s are not set", envTestURL, envURL)
}
