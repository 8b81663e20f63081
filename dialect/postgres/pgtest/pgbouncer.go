package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Environment variables that route the databases of [New], [NewPool] and
// [CreateDatabase] through a pooler and choose pgx's exec mode.
const (
	// envBouncer set to "transaction" (or "1") or "session" makes every
	// database URL a helper returns go through a PgBouncer in that pool
	// mode, started once per process in front of the server.
	envBouncer = "CRUCIBLE_PGTEST_PGBOUNCER"
	// envExecMode adds default_query_exec_mode=<value> to every database
	// URL. Behind transaction pooling it defaults to "exec".
	envExecMode = "CRUCIBLE_PGTEST_EXEC_MODE"
)

// PoolMode is PgBouncer's pool_mode: when a server connection goes back
// to the pool.
type PoolMode string

// The pool modes a test PgBouncer runs in.
const (
	// TransactionPooling gives a client a server connection for one
	// transaction (or one statement outside any): session state such as
	// prepared statements, LISTEN, SET and session advisory locks does not
	// last beyond it.
	TransactionPooling PoolMode = "transaction"
	// SessionPooling gives a client a server connection until it
	// disconnects.
	SessionPooling PoolMode = "session"
)

// NewBouncer returns the connection URL of a fresh database (see [New])
// reached through a PgBouncer in mode, started for t in front of the
// server and stopped in t.Cleanup (after the database's pools, before the
// database is dropped). The URL names no exec mode: a test behind
// [TransactionPooling] adds one that works there, such as
// "&default_query_exec_mode=exec". NewBouncer skips t, saying why, when no
// pgbouncer binary is found (on PATH or /usr/sbin).
func NewBouncer(t testing.TB, mode PoolMode) string {
	t.Helper()
	return defaultHelper().NewBouncer(t, mode)
}

// NewBouncer returns the URL of a fresh database of h's server reached
// through a PgBouncer started for t; see the package function [NewBouncer].
func (h *Helper) NewBouncer(t testing.TB, mode PoolMode) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	srv, _, err := h.p.get(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if _, err := findBouncer(); err != nil {
		t.Skipf("pgtest: no PgBouncer for this test: %v (Debian: apt-get install pgbouncer)", err)
	}
	dbURL := h.newDatabase(t, h.createDirect) // registered first, so the database is dropped after the bouncer stops
	b, err := startBouncer(ctx, srv.adminURL, mode)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := b.stop(); err != nil {
			t.Errorf("pgtest: stop pgbouncer: %v", err)
		}
	})
	bounced, err := withAddress(dbURL, "127.0.0.1", b.port)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return bounced
}

// NeedSession skips t when CRUCIBLE_PGTEST_PGBOUNCER routes the databases
// of this package through PgBouncer's transaction pooling, where a
// connection's session state does not outlast a transaction. why says
// what the test needs (LISTEN, a session advisory lock, cached prepared
// statements, a SET).
func NeedSession(t testing.TB, why string) {
	t.Helper()
	if mode, _ := bouncerMode(); mode == TransactionPooling {
		t.Skipf("needs session state (%s), which PgBouncer's transaction pooling (%s) does not keep", why, envBouncer)
	}
}

// bouncerMode reads CRUCIBLE_PGTEST_PGBOUNCER: the pool mode to route
// databases through, "" for none.
func bouncerMode() (PoolMode, error) {
	switch v := os.Getenv(envBouncer); strings.ToLower(v) {
	case "", "0", "off":
		return "", nil
	case "1", "on", string(TransactionPooling):
		return TransactionPooling, nil
	case string(SessionPooling):
		return SessionPooling, nil
	default:
		return "", fmt.Errorf("%s=%q: want transaction (or 1), session, or nothing", envBouncer, v)
	}
}

// execMode is the default_query_exec_mode every URL gets: the one of
// CRUCIBLE_PGTEST_EXEC_MODE, else "exec" behind transaction pooling, else
// none.
func execMode(mode PoolMode) string {
	if v := os.Getenv(envExecMode); v != "" {
		return v
	}
	if mode == TransactionPooling {
		return "exec"
	}
	return ""
}

// routed returns dbURL as this process's environment wants it: through
// the process's PgBouncer (started on first use) and with its exec mode.
func (p *process) routed(ctx context.Context, dbURL string) (string, error) {
	mode, err := bouncerMode()
	if err != nil {
		return "", err
	}
	if mode != "" {
		port, err := p.bouncerPort(ctx, mode)
		if err != nil {
			return "", err
		}
		if dbURL, err = withAddress(dbURL, "127.0.0.1", port); err != nil {
			return "", err
		}
	}
	if m := execMode(mode); m != "" {
		return withParam(dbURL, "default_query_exec_mode", m)
	}
	return dbURL, nil
}

// bouncerPort returns the port of the process's PgBouncer in front of
// its server, starting it on first use; [Helper.Shutdown] stops it.
func (p *process) bouncerPort(ctx context.Context, mode PoolMode) (int, error) {
	srv, _, err := p.get(ctx)
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bouncer == nil {
		b, err := startBouncer(ctx, srv.adminURL, mode)
		if err != nil {
			return 0, fmt.Errorf("%s=%s: %w", envBouncer, mode, err)
		}
		p.bouncer = b
	}
	return p.bouncer.port, nil
}

// withAddress returns the connection string conn pointing at host:port
// without TLS (a test PgBouncer has none). conn is a URL or a
// keyword/value string.
func withAddress(conn, host string, port int) (string, error) {
	if !isURL(conn) {
		return fmt.Sprintf("%s host=%s port=%d sslmode=disable", conn, host, port), nil // a later keyword wins
	}
	u, err := url.Parse(conn)
	if err != nil {
		return "", fmt.Errorf("parse database url: %w", err)
	}
	u.Host = host + ":" + strconv.Itoa(port)
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// withParam returns the connection string conn with key set to value.
func withParam(conn, key, value string) (string, error) {
	if !isURL(conn) {
		return conn + " " + key + "=" + value, nil
	}
	u, err := url.Parse(conn)
	if err != nil {
		return "", fmt.Errorf("parse database url: %w", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func isURL(conn string) bool {
	return strings.HasPrefix(conn, "postgres://") || strings.HasPrefix(conn, "postgresql://")
}
