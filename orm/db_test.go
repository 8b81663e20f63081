package orm_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

func TestOpenOptions(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	hookRan := false
	db, err := orm.Open(ctx, url, registry(),
		orm.WithMaxConns(3), orm.WithMinConns(1),
		orm.WithConnectTimeout(7*time.Second),
		orm.WithMaxConnLifetime(time.Hour), orm.WithMaxConnIdleTime(time.Minute),
		orm.WithPoolConfig(func(c *pgxpool.Config) {
			hookRan = true
			require.Equal(t, int32(3), c.MaxConns, "the hook runs after the other options")
			c.ConnConfig.RuntimeParams["application_name"] = "crucible-test"
		}))
	require.NoError(t, err)
	defer db.Close()
	require.True(t, hookRan)
	pc := db.Pool().Config()
	require.Equal(t, int32(3), pc.MaxConns)
	require.Equal(t, int32(1), pc.MinConns)
	require.Equal(t, 7*time.Second, pc.ConnConfig.ConnectTimeout)
	require.Equal(t, time.Hour, pc.MaxConnLifetime)
	require.Equal(t, time.Minute, pc.MaxConnIdleTime)

	var name string
	require.NoError(t, db.Pool().QueryRow(ctx, "SHOW application_name").Scan(&name))
	require.Equal(t, "crucible-test", name, "the hook's change reached the connections")
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := orm.Open(ctx, "postgres://%zz", registry())
	require.Error(t, err, "unparsable URL")

	_, err = orm.Open(ctx, "host=127.0.0.1 port=1 user=nobody connect_timeout=1", registry())
	require.Error(t, err, "nothing listens: the ping fails and Open returns no DB")

	_, err = orm.Open(ctx, pgtest.New(t), nil)
	require.ErrorIs(t, err, orm.ErrUnknownModel)
}

// TestNewBorrowsThePool: a DB around the caller's pool leaves the pool open
// on Close, and its options still set the sessions' behaviour.
func TestNewBorrowsThePool(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	db, err := orm.New(pool, registry(), orm.WithAutoflush(false))
	require.NoError(t, err)
	require.NoError(t, db.CreateAll(ctx))

	s := db.Session()
	s.Add(&Author{Name: "pending"})
	n, err := orm.Query[Author](s).Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "WithAutoflush(false): the query does not flush")
	require.NoError(t, s.Commit(ctx))
	require.NoError(t, s.Close())

	db.Close()
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM authors").Scan(&n), "pool still open")
	require.Equal(t, int64(1), n)
}
