package pgtest_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

func TestDockerRunOptions(t *testing.T) {
	opts := pgtest.RunOptions()
	assert.Equal(t, "postgres", opts.Repository)
	assert.Equal(t, "postgres", opts.Cmd[0])
	assert.Contains(t, opts.Cmd, "fsync=off")
	assert.NotContains(t, opts.Cmd, "listen_addresses=127.0.0.1", "a container must listen on its own network")
	assert.Contains(t, opts.Env, "POSTGRES_HOST_AUTH_METHOD=trust")
	expires, err := strconv.ParseInt(opts.Labels[pgtest.DockerLabel], 10, 64)
	require.NoError(t, err)
	assert.Greater(t, expires, time.Now().Unix(), "a fresh container is not expired")
}
