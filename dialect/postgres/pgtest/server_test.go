package pgtest_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

// noServer leaves t no way to find a server.
func noServer(t *testing.T) {
	pgtest.Isolate(t)
	pgtest.SetBinGlobs(t, nil)
	for _, name := range []string{"CRUCIBLE_TEST_DATABASE_URL", "DATABASE_URL", "CRUCIBLE_PGTEST_FORCE", "PATH"} {
		t.Setenv(name, "")
	}
}

func TestNoServer(t *testing.T) {
	noServer(t)
	_, _, err := pgtest.CreateDatabase(context.Background(), "x")
	require.Error(t, err)
	for _, hint := range []string{"DATABASE_URL", "CRUCIBLE_TEST_DATABASE_URL", "initdb", "/usr/lib/postgresql/*/bin", "Docker",
		"pgtest.NewHelper(pgdocker.Source{})", "env: ", "local: "} {
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
	assert.Contains(t, err.Error(), `CRUCIBLE_PGTEST_FORCE="cloud" is not one of env, local`)
}

func TestBadDatabaseURL(t *testing.T) {
	pgtest.Isolate(t)
	t.Setenv("CRUCIBLE_PGTEST_FORCE", "")
	t.Setenv("CRUCIBLE_TEST_DATABASE_URL", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2")
	_, _, err := pgtest.CreateDatabase(context.Background(), "x")
	require.Error(t, err, "an unusable DATABASE_URL is an error, not a reason to look elsewhere")
	assert.Contains(t, err.Error(), "connect to the env server")
}
