package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment variables read when the server is found.
const (
	envTestURL = "CRUCIBLE_TEST_DATABASE_URL" // checked first
	envURL     = "DATABASE_URL"
	envForce   = "CRUCIBLE_PGTEST_FORCE" // "env", "docker" or "local": try only that source
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
	source   string       // "env", "docker" or "local"
	adminURL string       // a database to run CREATE DATABASE from
	stop     func() error // stops a server this process started; nil for "env"
	dir      string       // the throwaway cluster's directory ("local" only)
	port     int          // the throwaway cluster's port ("local" only)
}

// source is one way to get a server. Its find returns an *unavailableError
// when the source is absent, so the search moves on to the next one.
type source struct {
	name string
	find func(ctx context.Context) (*server, error)
}

// sources in the order they are tried.
var sources = []source{
	{"env", fromEnv},
	{"docker", startDocker},
	{"local", startLocal},
}

// unavailableError says why a source cannot provide a server.
type unavailableError struct{ reason string }

func (e *unavailableError) Error() string { return e.reason }

func unavailable(format string, args ...any) error {
	return &unavailableError{reason: fmt.Sprintf(format, args...)}
}

// process holds the server found by this process and an admin pool on it.
type process struct {
	mu    sync.Mutex // guards the fields below and serialises finding
	srv   *server
	admin *pgxpool.Pool
	err   error // a failed search, returned again to every caller
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
	srv, admin, err := connect(ctx)
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
	srv := p.srv
	p.srv, p.admin, p.err = nil, nil, nil
	if srv == nil || srv.stop == nil {
		return nil
	}
	return srv.stop()
}

// Shutdown stops a throwaway server (local cluster or Docker container) this
// process started, after closing the helper's own connections; with a server
// from DATABASE_URL it only closes those. Databases still in use are lost
// with the server. A later [New] or [CreateDatabase] finds a server again.
// [Main] calls it; programs using [CreateDatabase] call it before exiting
// (a local cluster also stops by itself when the process exits).
func Shutdown() {
	if err := active().shutdown(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: shutdown: %v\n", err)
	}
}

// connect finds a server and opens the admin pool on it.
func connect(ctx context.Context) (*server, *pgxpool.Pool, error) {
	srv, err := find(ctx)
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
func find(ctx context.Context) (*server, error) {
	force := os.Getenv(envForce)
	var reasons []string
	for _, src := range sources {
		if force != "" && force != src.name {
			continue
		}
		srv, err := src.find(ctx)
		var absent *unavailableError
		switch {
		case err == nil:
			return srv, nil
		case errors.As(err, &absent):
			reasons = append(reasons, src.name+": "+absent.reason)
		default:
			return nil, fmt.Errorf("%s server: %w", src.name, err)
		}
	}
	return nil, notFound(force, reasons)
}

// notFound is the error that tells the user how to provide a server.
func notFound(force string, reasons []string) error {
	if force != "" && len(reasons) == 0 {
		return fmt.Errorf("no PostgreSQL server: %s=%q is not one of env, docker, local", envForce, force)
	}
	return fmt.Errorf("no PostgreSQL server for tests; provide one of:\n"+
		"  - set %s (or %s) to a server URL whose user may create databases,\n"+
		"    e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable\n"+
		"  - install the PostgreSQL server binaries (initdb and postgres on PATH\n"+
		"    or under /usr/lib/postgresql/*/bin) for a throwaway cluster\n"+
		"  - run a Docker engine\n"+
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
