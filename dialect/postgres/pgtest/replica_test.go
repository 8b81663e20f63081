package pgtest_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

func count(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM items").Scan(&n))
	return n
}

func TestReplicated(t *testing.T) {
	ctx := context.Background()
	r := pgtest.NewReplicated(t)
	primary, replica := openPool(t, r.PrimaryURL), openPool(t, r.ReplicaURL)

	var recovery bool
	require.NoError(t, replica.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovery))
	assert.True(t, recovery, "the replica is a standby")
	require.NoError(t, primary.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovery))
	assert.False(t, recovery, "the primary is not")
	pu, ru := mustParse(t, r.PrimaryURL), mustParse(t, r.ReplicaURL)
	assert.Equal(t, pu.Path, ru.Path, "one database on both")
	assert.NotEqual(t, pu.Port(), ru.Port())

	_, err := primary.Exec(ctx, "CREATE TABLE items (id int)")
	require.NoError(t, err)
	_, err = primary.Exec(ctx, "INSERT INTO items VALUES (1)")
	require.NoError(t, err)
	r.CatchUp(t)
	assert.Equal(t, 1, count(t, replica), "caught up")

	r.Pause(t)
	_, err = primary.Exec(ctx, "INSERT INTO items VALUES (2)")
	require.NoError(t, err)
	assert.Equal(t, 2, count(t, primary))
	assert.Equal(t, 1, count(t, replica), "replay paused: the replica lags")
	r.Resume(t)
	assert.Equal(t, 2, count(t, replica), "resumed and caught up")

	_, err = replica.Exec(ctx, "INSERT INTO items VALUES (3)")
	assert.ErrorContains(t, err, "read-only transaction")

	t.Run("second database shares the pair", func(t *testing.T) {
		r2 := pgtest.NewReplicated(t)
		assert.Equal(t, pu.Port(), mustParse(t, r2.PrimaryURL).Port())
		assert.NotEqual(t, pu.Path, mustParse(t, r2.PrimaryURL).Path)
	})
	t.Run("cleanup resumes replay", func(t *testing.T) {
		pgtest.NewReplicated(t).Pause(t)
	})
	r.CatchUp(t) // would fail had the subtest left replay paused
}

func TestReplicatedShutdown(t *testing.T) {
	pgtest.NewReplicated(t)
	dirs := pgtest.PairDirs()
	require.Len(t, dirs, 2)
	for _, d := range dirs {
		assert.DirExists(t, d)
	}
	pgtest.Shutdown() // the database's cleanup then has nothing to drop
	for _, d := range dirs {
		assert.NoDirExists(t, d)
	}
	r := pgtest.NewReplicated(t)
	assert.NotEqual(t, dirs, pgtest.PairDirs(), "started again")
	var recovery bool
	require.NoError(t, openPool(t, r.ReplicaURL).QueryRow(context.Background(), "SELECT pg_is_in_recovery()").Scan(&recovery))
	assert.True(t, recovery)
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestReplicatedStopReplica(t *testing.T) {
	ctx := context.Background()
	r := pgtest.NewReplicated(t)
	dirs := pgtest.PairDirs()
	primary, replica := openPool(t, r.PrimaryURL), openPool(t, r.ReplicaURL)
	require.NoError(t, replica.Ping(ctx))
	r.StopReplica(t)
	assert.NoDirExists(t, dirs[1], "the replica is gone")
	assert.Error(t, replica.Ping(ctx))
	assert.NoError(t, primary.Ping(ctx), "the primary stays up")

	t.Run("the next NewReplicated starts a new pair", func(t *testing.T) {
		r2 := pgtest.NewReplicated(t)
		assert.NotEqual(t, dirs, pgtest.PairDirs())
		assert.NoDirExists(t, dirs[0], "the old primary was stopped")
		var recovery bool
		require.NoError(t, openPool(t, r2.ReplicaURL).QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&recovery))
		assert.True(t, recovery)
	})
}
