package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Timeouts for the helpers that have no context of their own.
const (
	setupTimeout = 5 * time.Minute // finding a server may pull a Docker image
	dropTimeout  = time.Minute
)

// New returns the connection URL of a fresh, uniquely named database created
// for t. The database is dropped (WITH (FORCE), so open connections do not
// block it) in t.Cleanup. New calls t.Fatal when no server can be found or
// the database cannot be created. It is safe to call from parallel tests.
// It is [Helper.New] of a Helper with no [Source] of its own.
func New(t testing.TB) string {
	t.Helper()
	return defaultHelper().New(t)
}

// NewPool returns a pool connected to a fresh database made by [New]. In
// t.Cleanup the pool is closed first, then the database is dropped.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return defaultHelper().NewPool(t)
}

// Main is meant for TestMain: it runs the tests, stops a throwaway server
// this process started (see [Shutdown]) and exits with the tests' code.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) { defaultHelper().Main(m) }

// CreateDatabase creates a fresh database named prefix_<random> on the
// server of this process (found on first use, see the package doc) and
// returns its connection URL and a function that drops it. It is for
// programs without a testing.T, such as a demo or an Example function; the
// caller must call drop, and [Shutdown] before exiting to stop a server
// the process started. It is safe for concurrent use.
func CreateDatabase(ctx context.Context, prefix string) (dbURL string, drop func(context.Context) error, err error) {
	return defaultHelper().CreateDatabase(ctx, prefix)
}

// Shutdown stops a throwaway server (a local cluster) this process
// started, and the pair of [NewReplicated], after closing the helper's own
// connections; with a server from
// DATABASE_URL it only closes those. Databases still in use are lost with
// the server. A later [New] or [CreateDatabase] finds a server again.
// [Main] calls it; programs using [CreateDatabase] call it before exiting
// (a local cluster also stops by itself when the process exits).
func Shutdown() { defaultHelper().Shutdown() }

// defaultHelper is the Helper of the package-level functions.
func defaultHelper() *Helper { return &Helper{p: active()} }

// createUnique creates a database named prefix_<random>, retrying with a
// new name on a collision and with the same name while template0 is busy.
func createUnique(ctx context.Context, admin *pgxpool.Pool, prefix string) (string, error) {
	for attempt := 0; ; attempt++ {
		name := prefix + "_" + randomSuffix()
		err := createDatabase(ctx, admin, name)
		if err == nil {
			return name, nil
		}
		if !retryable(err) || attempt >= 50 {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
		if err := sleep(ctx, time.Duration(attempt+1)*20*time.Millisecond); err != nil {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
}

// createDatabase copies template0, which nobody can connect to, so parallel
// creations do not fail with "source database is being accessed by other
// users" the way copies of template1 do.
func createDatabase(ctx context.Context, admin *pgxpool.Pool, name string) error {
	_, err := admin.Exec(ctx, "CREATE DATABASE "+quote(name)+" TEMPLATE template0")
	return err
}

// dropDatabase drops name, disconnecting its sessions first.
func dropDatabase(ctx context.Context, admin *pgxpool.Pool, name string) error {
	_, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+quote(name)+" WITH (FORCE)")
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// retryable reports a name collision (42P04 duplicate_database) or a busy
// template (55006 object_in_use).
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "55006")
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func quote(name string) string { return pgx.Identifier{name}.Sanitize() }

// randomSuffix returns 12 random hex digits: names from parallel processes
// do not collide (and a collision is retried).
func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// identPrefix turns prefix into lower-case letters, digits and underscores,
// at most 40 bytes, so prefix_<random> is a plain identifier within
// PostgreSQL's 63-byte limit.
func identPrefix(prefix string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(prefix) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" {
		return "crucible"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "db_" + s
	}
	return s
}

// binaryName is the test binary's name without ".test" ("orm" for orm.test),
// which names the package under test.
func binaryName() string {
	name := filepath.Base(os.Args[0])
	name = strings.TrimSuffix(name, ".exe")
	return strings.TrimSuffix(name, ".test")
}

// withDatabase returns the connection string conn with its database
// replaced by name. conn is a URL (postgres://...) or a keyword/value string.
func withDatabase(conn, name string) (string, error) {
	if !isURL(conn) {
		return conn + " dbname=" + name, nil // a later keyword wins
	}
	u, err := url.Parse(conn)
	if err != nil {
		return "", fmt.Errorf("parse server url: %w", err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}
