package pgdocker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest/pgdocker"
)

func TestRunOptions(t *testing.T) {
	settings := []string{"listen_addresses=127.0.0.1", "fsync=off"}
	tests := []struct {
		name            string
		src             pgdocker.Source
		repository, tag string
	}{
		{name: "zero value", repository: "postgres", tag: "17-alpine"},
		{name: "own tag", src: pgdocker.Source{Tag: "15"}, repository: "postgres", tag: "15"},
		{name: "own image", src: pgdocker.Source{Repository: "example/pg", Tag: "x"}, repository: "example/pg", tag: "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo, tag, env, cmd, labels := tc.src.RunOptions(settings)
			assert.Equal(t, tc.repository, repo)
			assert.Equal(t, tc.tag, tag)
			assert.Equal(t, []string{"postgres", "-c", "fsync=off"}, cmd, "the settings, but listen_addresses: a container listens on its own network")
			assert.Contains(t, env, "POSTGRES_HOST_AUTH_METHOD=trust")
			expires, err := strconv.ParseInt(labels[pgdocker.ExpiryLabel], 10, 64)
			require.NoError(t, err)
			assert.Greater(t, expires, time.Now().Unix(), "a fresh container is not expired")
		})
	}
}

// silentEngine listens on loopback and never answers.
func silentEngine(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return "tcp://" + l.Addr().String()
}

// refusedAddr is a loopback address nothing listens on.
func refusedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "tcp://" + addr
}

// TestAbsentEngine: a missing, refusing or silent engine makes the source
// unavailable (pgtest moves on) within a couple of seconds.
func TestAbsentEngine(t *testing.T) {
	tests := []struct {
		name string
		host func(t *testing.T) string
	}{
		{name: "no socket", host: func(*testing.T) string { return "unix:///nonexistent/docker.sock" }},
		{name: "refused", host: refusedAddr},
		{name: "silent", host: silentEngine},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", tc.host(t))
			start := time.Now()
			_, stop, err := pgdocker.Source{}.Start(context.Background(), nil)
			require.Error(t, err)
			assert.Nil(t, stop)
			var absent interface{ Unavailable() bool }
			require.True(t, errors.As(err, &absent) && absent.Unavailable(), "unavailable: %v", err)
			assert.Less(t, time.Since(start), 2500*time.Millisecond)
		})
	}
}

// The source pgtest.NewHelper(pgdocker.Source{}) tries after the
// environment: its name is the one CRUCIBLE_PGTEST_FORCE takes.
func ExampleSource() {
	src := pgdocker.Source{Tag: "16-alpine"}
	fmt.Println(src.Name())
	// Output: docker
}
