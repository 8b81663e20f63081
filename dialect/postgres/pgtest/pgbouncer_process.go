//go:build unix

package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// bouncerPath is where Debian's and most packages install pgbouncer,
// outside an unprivileged user's PATH.
const bouncerPath = "/usr/sbin/pgbouncer"

// bouncer is a running PgBouncer in front of a server.
type bouncer struct {
	daemon
	port int // TCP port on 127.0.0.1
}

// findBouncer returns the pgbouncer binary: the one on PATH, else
// bouncerPath.
func findBouncer() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	if info, err := os.Stat(bouncerPath); err == nil && !info.IsDir() {
		return bouncerPath, nil
	}
	return "", unavailable("no pgbouncer on PATH or at %s", bouncerPath)
}

// startBouncer starts a PgBouncer in mode on a free port of 127.0.0.1, in
// front of the server of adminURL: every database of the server, any user
// the server knows (looked up with the admin user), no client
// authentication. It retries when the port was taken meanwhile.
func startBouncer(ctx context.Context, adminURL string, mode PoolMode) (*bouncer, error) {
	bin, err := findBouncer()
	if err != nil {
		return nil, err
	}
	target, err := pgconn.ParseConfig(adminURL)
	if err != nil {
		return nil, fmt.Errorf("pgbouncer: parse server url: %w", err)
	}
	cred, err := credential() // pgbouncer refuses to run as root, like postgres
	if err != nil {
		return nil, err
	}
	return retryStart(ctx, func() (*bouncer, error) { return runBouncer(ctx, bin, target, mode, cred) })
}

// runBouncer writes the configuration in a new directory, starts
// pgbouncer under the watchdog and waits until it accepts connections.
func runBouncer(ctx context.Context, bin string, target *pgconn.Config, mode PoolMode, cred *syscall.Credential) (*bouncer, error) {
	dir, err := makeDir(cred)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	b := &bouncer{daemon: daemon{dir: dir}, port: port}
	ini := filepath.Join(dir, "pgbouncer.ini")
	if err := b.configure(ini, target, mode, cred); err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	// SIGTERM: immediate shutdown, whatever the clients are doing.
	if err := b.start(cred, "TERM", "pgbouncer.log", bin, ini); err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	url := fmt.Sprintf("postgres://%s@127.0.0.1:%d/postgres?sslmode=disable", target.User, port)
	if err := b.waitReady(ctx, url, "pgbouncer"); err != nil {
		return nil, errors.Join(err, b.stop())
	}
	return b, nil
}

// configure writes pgbouncer.ini and the auth file, owned by the user
// pgbouncer runs as.
func (b *bouncer) configure(ini string, target *pgconn.Config, mode PoolMode, cred *syscall.Credential) error {
	users := filepath.Join(b.dir, "users.txt")
	files := map[string]string{
		users: iniQuote(target.User) + " " + iniQuote(target.Password) + "\n",
		ini:   bouncerConfig(target, b.port, mode, users),
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			return fmt.Errorf("pgbouncer config: %w", err)
		}
		if cred != nil {
			if err := os.Chown(path, int(cred.Uid), int(cred.Gid)); err != nil {
				return fmt.Errorf("pgbouncer config: %w", err)
			}
		}
	}
	return nil
}

// bouncerConfig is pgbouncer.ini: a wildcard database forwarding every
// database name to the server; the auth file holds the admin user, whose
// auth_query finds the others; pools sized for a test package's
// parallel tests, and idle server connections of dropped databases let
// go soon.
func bouncerConfig(target *pgconn.Config, port int, mode PoolMode, users string) string {
	lines := []string{
		"[databases]",
		fmt.Sprintf("* = host=%s port=%d", connQuote(target.Host), target.Port),
		"[pgbouncer]",
		"listen_addr = 127.0.0.1",
		fmt.Sprintf("listen_port = %d", port),
		"unix_socket_dir =",
		"pool_mode = " + string(mode),
		"auth_type = trust",
		"auth_file = " + users,
		"auth_user = " + target.User,
		"max_client_conn = 1000",
		"default_pool_size = 20",
		"server_idle_timeout = 10",
		"autodb_idle_timeout = 10",
		"ignore_startup_parameters = extra_float_digits",
		"log_connections = 0",
		"log_disconnections = 0",
	}
	return strings.Join(lines, "\n") + "\n"
}

// iniQuote quotes s for the auth file: in double quotes, doubled inside.
func iniQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// connQuote quotes s as a value of a database's connection string.
func connQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
