//go:build unix

package pgtest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

// forceLocal makes t use a throwaway cluster of its own, whatever
// DATABASE_URL or Docker offer; it is shut down at cleanup.
func forceLocal(t *testing.T) {
	if _, err := pgtest.FindBinaries(); err != nil {
		t.Skipf("no local PostgreSQL binaries: %v", err)
	}
	pgtest.Isolate(t)
	t.Setenv("CRUCIBLE_PGTEST_FORCE", "local")
}

func answers(port int) bool {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err == nil {
		conn.Close()
	}
	return err == nil
}

func TestLocalCluster(t *testing.T) {
	forceLocal(t)
	ctx := context.Background()
	t.Run("use", func(t *testing.T) {
		pool := pgtest.NewPool(t)
		_, err := pool.Exec(ctx, "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)")
		require.NoError(t, err)
		var id int64
		require.NoError(t, pool.QueryRow(ctx, "INSERT INTO items (name) VALUES ($1) RETURNING id", "cup").Scan(&id))
		var name string
		require.NoError(t, pool.QueryRow(ctx, "SELECT name FROM items WHERE id = $1", id).Scan(&name))
		assert.Equal(t, "cup", name)
	})
	info, err := pgtest.Server(ctx)
	require.NoError(t, err)
	require.Equal(t, "local", info.Source)
	assert.True(t, answers(info.Port))
	assert.DirExists(t, info.Dir)
	t.Run("settings", func(t *testing.T) {
		pool := pgtest.NewPool(t)
		for setting, want := range map[string]string{
			"listen_addresses":        "127.0.0.1",
			"unix_socket_directories": info.Dir,
			"fsync":                   "off",
			"server_encoding":         "UTF8",
		} {
			var got string
			require.NoError(t, pool.QueryRow(ctx, "SELECT current_setting($1)", setting).Scan(&got))
			assert.Equal(t, want, got, setting)
		}
	})

	pgtest.Shutdown()
	assert.False(t, answers(info.Port), "port %d still answers after Shutdown", info.Port)
	assert.NoDirExists(t, info.Dir)
}

// TestLocalClusterStopsWithProcess runs a process that starts a cluster
// and exits without Shutdown: the watchdog must stop the cluster and remove
// its directory by itself.
func TestLocalClusterStopsWithProcess(t *testing.T) {
	forceLocal(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLeaveCluster$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PGTEST_HELPER=leave-cluster")
	out, err := cmd.Output()
	require.NoError(t, err, "helper: %s", out)

	var dir string
	var port int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if n, _ := fmt.Sscanf(sc.Text(), "cluster %s %d", &dir, &port); n == 2 {
			break
		}
	}
	require.NotEmpty(t, dir, "helper output: %s", out)
	assert.Eventually(t, func() bool {
		_, err := os.Stat(dir)
		return os.IsNotExist(err) && !answers(port)
	}, 30*time.Second, 100*time.Millisecond, "cluster in %s on port %d outlived its process", dir, port)
}

// TestHelperLeaveCluster is the process of TestLocalClusterStopsWithProcess.
func TestHelperLeaveCluster(t *testing.T) {
	if os.Getenv("PGTEST_HELPER") != "leave-cluster" {
		t.Skip("helper process of TestLocalClusterStopsWithProcess")
	}
	ctx := context.Background()
	if _, _, err := pgtest.CreateDatabase(ctx, "leave"); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	info, err := pgtest.Server(ctx)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("cluster %s %d\n", info.Dir, info.Port)
	os.Exit(0) // neither Main nor Shutdown: the watchdog must clean up
}

func TestFindBinariesNewestFirst(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "15", "10", "16"} {
		bin := filepath.Join(root, v, "bin")
		require.NoError(t, os.MkdirAll(bin, 0o755))
		for _, name := range []string{"initdb", "postgres"} {
			require.NoError(t, os.WriteFile(filepath.Join(bin, name), nil, 0o755))
		}
	}
	require.NoError(t, os.Remove(filepath.Join(root, "16", "bin", "postgres"))) // incomplete: skipped
	t.Setenv("PATH", "")
	pgtest.SetBinGlobs(t, []string{filepath.Join(root, "*", "bin")})
	dir, err := pgtest.FindBinaries()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "15", "bin"), dir)
}

func TestFindBinariesOnPath(t *testing.T) {
	bin := t.TempDir()
	for _, name := range []string{"initdb", "postgres"} {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), nil, 0o755))
	}
	t.Setenv("PATH", bin)
	dir, err := pgtest.FindBinaries()
	require.NoError(t, err)
	assert.Equal(t, bin, dir)
}

func TestTempBase(t *testing.T) {
	root, err := os.MkdirTemp("/tmp", "pgtest-tempbase-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	dirs := map[string]os.FileMode{
		"private":     0o700, // like /root: nobody else gets in
		"private/tmp": 0o777,
		"shared":      0o1777, // like /tmp
		"read-only":   0o755,
	}
	for _, name := range []string{"private", "private/tmp", "shared", "read-only"} {
		path := filepath.Join(root, name)
		require.NoError(t, os.Mkdir(path, 0o700))
		require.NoError(t, os.Chmod(path, dirs[name])) // past the umask
	}
	require.NoError(t, os.Chmod(root, 0o755))
	private, shared, readOnly := filepath.Join(root, "private"), filepath.Join(root, "shared"), filepath.Join(root, "read-only")
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534}
	tests := []struct {
		name   string
		tmpdir string
		cred   *syscall.Credential
		want   string
	}{
		{name: "usable", tmpdir: "/tmp", want: "/tmp"},
		{name: "own private directory", tmpdir: private, want: private},
		{name: "socket path too long", tmpdir: "/tmp/" + strings.Repeat("d", 70), want: "/tmp"},
		{name: "unreachable for the postgres user", tmpdir: filepath.Join(private, "tmp"), cred: nobody, want: "/tmp"},
		{name: "missing", tmpdir: "/nonexistent/tmp", cred: nobody, want: "/tmp"},
		{name: "shared like /tmp", tmpdir: shared, cred: nobody, want: shared},
		{name: "read-only for the postgres user", tmpdir: readOnly, cred: nobody, want: "/tmp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TMPDIR", tc.tmpdir)
			assert.Equal(t, tc.want, pgtest.TempBase(tc.cred))
		})
	}
}

// TestLocalClusterStartFailure checks that a server that does not start
// gives its log in the error and leaves no directory behind.
func TestLocalClusterStartFailure(t *testing.T) {
	forceLocal(t)
	tmp, err := os.MkdirTemp("/tmp", "pgtest-failure-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(tmp) })
	require.NoError(t, os.Chmod(tmp, 0o1777)) // usable by the postgres user when root, like /tmp
	t.Setenv("TMPDIR", tmp)
	pgtest.AddSetting(t, "no_such_setting=1")

	_, _, err = pgtest.CreateDatabase(context.Background(), "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "postgres exited")
	assert.Contains(t, err.Error(), "no_such_setting")
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left)
}
