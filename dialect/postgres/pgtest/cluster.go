//go:build unix

package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Limits of the throwaway cluster.
const (
	startAttempts = 3                // a port taken between choosing and binding is retried
	readyTimeout  = time.Minute      // from starting postgres to the first connection
	stopTimeout   = 30 * time.Second // from closing the watchdog's stdin to its exit
)

// watchdog runs a server process (postgres, pgbouncer) and owns its
// lifetime: when its stdin reaches EOF (the test process closed it in
// Shutdown, or exited or was killed, which closes it too) it sends the
// process its stop signal, then SIGKILL ten seconds later, and removes the
// process's directory. If the process exits by itself (a taken port, say)
// its log goes to stderr for the error message. Arguments: stop signal,
// log file, directory, then the command and its arguments.
//
// Background jobs of a non-interactive shell read /dev/null, hence fd 3.
const watchdog = `exec 3<&0
sig=$1 log=$2 dir=$3
shift 3
"$@" >"$log" 2>&1 </dev/null &
pid=$!
(read -r _ <&3; kill -"$sig" "$pid"; sleep 10; kill -KILL "$pid") >/dev/null 2>&1 &
guard=$!
exec 3<&-
wait "$pid"
kill "$guard" 2>/dev/null
tail -n 20 "$log" >&2
rm -rf "$dir"
`

// daemon is a server process running under the watchdog.
type daemon struct {
	dir    string         // temporary directory of the process; gone after stop
	cmd    *exec.Cmd      // the watchdog shell
	stdin  io.WriteCloser // closing it stops the process
	stderr bytes.Buffer   // the watchdog's stderr; read only after exited
	exited chan struct{}  // closed when the watchdog has exited
}

// cluster is a running throwaway cluster.
type cluster struct {
	daemon
	port int // TCP port on 127.0.0.1
}

// startLocal starts a throwaway cluster from local PostgreSQL binaries.
func startLocal(ctx context.Context) (*server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	c, err := retryStart(ctx, func() (*cluster, error) {
		return startCluster(ctx, bin, cred, settings, func(dir string) error { return initdb(ctx, bin, dir, cred) })
	})
	if err != nil {
		return nil, err
	}
	return &server{source: "local", adminURL: c.url(), stop: c.stop, dir: c.dir, port: c.port}, nil
}

// retryStart calls start until it succeeds, fails for another reason
// than the daemon exiting (a port taken between choosing and binding), or
// has been tried startAttempts times.
func retryStart[T any](ctx context.Context, start func() (T, error)) (T, error) {
	var errs []error
	for range startAttempts {
		c, err := start()
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil || !errors.Is(err, errExited) {
			break
		}
	}
	var none T
	return none, errors.Join(errs...)
}

var errExited = errors.New("exited")

// startCluster makes a new temporary directory, has create fill its data/
// subdirectory (initdb, or a base backup), then runs postgres with conf
// (postgresql.conf settings, name=value) under the watchdog, and waits
// until it accepts connections.
func startCluster(ctx context.Context, bin string, cred *syscall.Credential, conf []string, create func(dir string) error) (*cluster, error) {
	dir, err := makeDir(cred)
	if err != nil {
		return nil, err
	}
	if err := create(dir); err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	port, err := freePort()
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	c := &cluster{daemon: daemon{dir: dir}, port: port}
	args := []string{filepath.Join(bin, "postgres"), "-D", filepath.Join(dir, "data"),
		"-p", strconv.Itoa(port), "-k", dir}
	for _, s := range conf {
		args = append(args, "-c", s)
	}
	if err := c.start(cred, "QUIT", "postgres.log", args...); err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	if err := c.waitReady(ctx, c.url(), "postgres"); err != nil {
		return nil, errors.Join(err, c.stop())
	}
	return c, nil
}

// makeDir creates the cluster's directory, owned by the user postgres
// runs as.
func makeDir(cred *syscall.Credential) (string, error) {
	dir, err := os.MkdirTemp(tempBase(cred), "crucible-pgtest-")
	if err != nil {
		return "", fmt.Errorf("cluster directory: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return "", errors.Join(fmt.Errorf("cluster directory: %w", err), os.RemoveAll(dir))
		}
	}
	return dir, nil
}

// tempBase is os.TempDir(), unless postgres could not use it: a path too
// long for the unix socket in it, or (as root) a directory where the
// unprivileged user cannot reach or delete its cluster directory, such as
// /root/tmp. Then it is /tmp.
func tempBase(cred *syscall.Credential) string {
	base := os.TempDir()
	if len(base) > 64 || (cred != nil && !usable(base, cred)) {
		return "/tmp"
	}
	return base
}

// usable reports whether the user of cred may search dir and its parents
// and delete entries of dir.
func usable(dir string, cred *syscall.Credential) bool {
	dir = filepath.Clean(dir)
	if !permits(dir, cred, 0o3) { // write and search
		return false
	}
	for d := dir; d != filepath.Dir(d); {
		d = filepath.Dir(d)
		if !permits(d, cred, 0o1) { // search
			return false
		}
	}
	return true
}

// permits reports whether the user of cred has the rwx bits in want
// (0o1 search, 0o2 write, 0o4 read) on path.
func permits(path string, cred *syscall.Credential, want os.FileMode) bool {
	info, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	perm := info.Mode().Perm()
	switch {
	case st.Uid == cred.Uid:
		perm >>= 6
	case st.Gid == cred.Gid:
		perm >>= 3
	}
	return perm&want == want
}

func initdb(ctx context.Context, bin, dir string, cred *syscall.Credential) error {
	return runTool(ctx, bin, dir, cred, "initdb", "-D", filepath.Join(dir, "data"),
		"-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
}

// runTool runs the PostgreSQL program name of bin in dir, as the user of
// cred; its output is in the error.
func runTool(ctx context.Context, bin, dir string, cred *syscall.Credential, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, bytes.TrimSpace(out))
	}
	return nil
}

// start runs argv under the watchdog, in its own process group, so a
// terminal's Ctrl-C reaches the test process, whose exit then stops the
// daemon with signal (QUIT, TERM). Its output goes to logName in d.dir.
func (d *daemon) start(cred *syscall.Credential, signal, logName string, argv ...string) error {
	args := append([]string{"-c", watchdog, "pgtest-watchdog", signal, filepath.Join(d.dir, logName), d.dir}, argv...)
	d.exited = make(chan struct{})
	d.cmd = exec.Command("/bin/sh", args...)
	d.cmd.Dir = d.dir
	d.cmd.Stderr = &d.stderr
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	stdin, err := d.cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("start %s: %w", filepath.Base(argv[0]), err)
	}
	d.stdin = stdin
	if err := d.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", filepath.Base(argv[0]), err)
	}
	go func() {
		_ = d.cmd.Wait() // the outcome is in stderr and the log
		close(d.exited)
	}()
	return nil
}

func (c *cluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// waitReady polls url until the daemon (named what) accepts a connection.
func (d *daemon) waitReady(ctx context.Context, url, what string) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var last error
	for {
		conn, err := pgconn.Connect(ctx, url+"&connect_timeout=5")
		if err == nil {
			return conn.Close(ctx)
		}
		last = err
		select {
		case <-d.exited:
			return fmt.Errorf("%s %w:\n%s", what, errExited, bytes.TrimSpace(d.stderr.Bytes()))
		case <-ctx.Done():
			return fmt.Errorf("%s did not accept connections: %w", what, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop closes the watchdog's stdin and waits until it has stopped the
// daemon and removed the directory; if it cannot, the directory is
// removed here.
func (d *daemon) stop() error {
	_ = d.stdin.Close() // an error means it is closed already
	select {
	case <-d.exited:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
	}
	return os.RemoveAll(d.dir)
}

// credential returns the unprivileged user to run initdb and postgres as
// when this process is root (they refuse to run as root): the "postgres"
// system user if there is one, else "nobody". It is nil otherwise.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
		}
	}
	return nil, fmt.Errorf("running as root, and no \"postgres\" or \"nobody\" user to run initdb and postgres as")
}

// findBinaries returns a directory holding initdb, postgres and the
// other programs named by also: the one of initdb on PATH, else the
// newest of binGlobs.
func findBinaries(also ...string) (string, error) {
	need := append([]string{"initdb", "postgres"}, also...)
	if p, err := exec.LookPath("initdb"); err == nil {
		if dir := serverDir(p, need); dir != "" {
			return dir, nil
		}
	}
	dirs := globDirs()
	for _, dir := range dirs {
		if hasAll(dir, need) {
			return dir, nil
		}
	}
	return "", unavailable("no %s on PATH or under %s", strings.Join(need, ", "), strings.Join(binGlobs, ", "))
}

// serverDir returns the directory of initdb (following a symlink if
// needed) when the programs of need are next to it.
func serverDir(initdb string, need []string) string {
	dir := filepath.Dir(initdb)
	if hasAll(dir, need) {
		return dir
	}
	if real, err := filepath.EvalSymlinks(initdb); err == nil && hasAll(filepath.Dir(real), need) {
		return filepath.Dir(real)
	}
	return ""
}

func hasAll(dir string, names []string) bool {
	for _, name := range names {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.IsDir() {
			return false
		}
	}
	return true
}

// globDirs expands binGlobs, newest PostgreSQL version first.
func globDirs() []string {
	var dirs []string
	for _, g := range binGlobs {
		m, _ := filepath.Glob(g) // the patterns are valid
		dirs = append(dirs, m...)
	}
	slices.SortStableFunc(dirs, func(a, b string) int {
		return slices.Compare(version(b), version(a))
	})
	return dirs
}

// version parses the version in a directory such as
// /usr/lib/postgresql/15/bin or /usr/pgsql-9.6/bin.
func version(binDir string) []int {
	name := filepath.Base(filepath.Dir(binDir))
	name = strings.TrimLeft(name, "abcdefghijklmnopqrstuvwxyz-")
	var v []int
	for _, part := range strings.Split(name, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			break
		}
		v = append(v, n)
	}
	return v
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
