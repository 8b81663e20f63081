package pgtest_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

// noServer leaves t no way to find a server.
func noServer(t *testing.T) {
	pgtest.Isolate(t)
	pgtest.DisableDocker(t)
	pgtest.SetBinGlobs(t, nil)
	for _, name := range []string{"CRUCIBLE_TEST_DATABASE_URL", "DATABASE_URL", "CRUCIBLE_PGTEST_FORCE", "PATH"} {
		t.Setenv(name, "")
	}
}

func TestNoServer(t *testing.T) {
	noServer(t)
	_, _, err := pgtest.CreateDatabase(context.Background(), "x")
	require.Error(t, err)
	for _, hint := range []string{"DATABASE_URL", "CRUCIBLE_TEST_DATABASE_URL", "initdb", "/usr/lib/postgresql/*/bin", "Docker", "docker: disabled"} {
		assert.Contains(t, err.Error(), hint)
	}
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as testing.T's does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = format
	if len(args) > 0 {
		r.msg = args[0].(error).Error()
	}
	runtime.Goexit()
}

func TestNewFailsWithoutServer(t *testing.T) {
	noServer(t)
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pgtest.New(rec)
		t.Error("New returned without a server")
	}()
	<-done
	assert.Contains(t, rec.msg, "set DATABASE_URL")
}

func TestForceUnknownSource(t *testing.T) {
	pgtest.Isolate(t)
	t.Setenv("CRUCIBLE_PGTEST_FORCE", "cloud")
	_, _, err := pgtest.CreateDatabase(context.Background(), "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `CRUCIBLE_PGTEST_FORCE="cloud"`)
}

func TestBadDatabaseURL(t *testing.T) {
	pgtest.Isolate(t)
	t.Setenv("CRUCIBLE_PGTEST_FORCE", "")
	t.Setenv("CRUCIBLE_TEST_DATABASE_URL", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2")
	_, _, err := pgtest.CreateDatabase(context.Background(), "x")
	require.Error(t, err, "an unusable DATABASE_URL is an error, not a reason to look elsewhere")
	assert.Contains(t, err.Error(), "connect to the env server")
}

// TestDockerAbsentIsFast checks that a missing or silent engine costs at
// most a couple of seconds.
func TestDockerAbsentIsFast(t *testing.T) {
	tests := []struct {
		name, host string
	}{
		{name: "no socket", host: "unix:///nonexistent/docker.sock"},
		{name: "refused", host: "tcp://127.0.0.1:1"},
		{name: "silent", host: "tcp://10.255.255.1:2375"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", tc.host)
			start := time.Now()
			_, err := pgtest.DockerPool(context.Background())
			require.Error(t, err)
			assert.Less(t, time.Since(start), 2500*time.Millisecond)
		})
	}
}
