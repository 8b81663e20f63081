package pgtest_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

// backendPID returns the server process behind conn's next statement.
func backendPID(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var pid int
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid))
	return pid
}

// TestNewBouncer checks each pool mode by whether a second client, while
// the first is still connected, gets the first one's server connection:
// with transaction pooling it does, with session pooling it does not.
func TestNewBouncer(t *testing.T) {
	ctx := context.Background()
	info, err := pgtest.Server(ctx)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		mode  pgtest.PoolMode
		share bool
	}{
		{"transaction pooling", pgtest.TransactionPooling, true},
		{"session pooling", pgtest.SessionPooling, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbURL := pgtest.NewBouncer(t, tc.mode)
			cfg, err := pgconn.ParseConfig(dbURL)
			require.NoError(t, err)
			server, err := pgconn.ParseConfig(info.AdminURL)
			require.NoError(t, err)
			assert.NotEqual(t, server.Port, cfg.Port, "the URL goes to the server itself")
			assert.Regexp(t, `^crucible_pgtest_[0-9a-f]{12}$`, cfg.Database)
			opts := "&default_query_exec_mode=exec"
			a, err := pgx.Connect(ctx, dbURL+opts)
			require.NoError(t, err)
			defer a.Close(ctx)
			b, err := pgx.Connect(ctx, dbURL+opts)
			require.NoError(t, err)
			defer b.Close(ctx)
			first := backendPID(t, a)
			assert.Equal(t, tc.share, backendPID(t, b) == first)
			_, err = a.Exec(ctx, "CREATE TABLE notes (body text)")
			require.NoError(t, err)
			_, err = b.Exec(ctx, "INSERT INTO notes VALUES ($1)", "through the pooler")
			require.NoError(t, err)
		})
	}
}

// TestBouncerEnvironment routes the databases of New through PgBouncer's
// transaction pooling, with the exec mode that works there.
func TestBouncerEnvironment(t *testing.T) {
	ctx := context.Background()
	info, err := pgtest.Server(ctx)
	require.NoError(t, err)
	pgtest.Isolate(t)
	t.Setenv("CRUCIBLE_TEST_DATABASE_URL", info.AdminURL) // the same server, found again
	t.Setenv("CRUCIBLE_PGTEST_PGBOUNCER", "transaction")
	if _, err := pgtest.FindBouncer(); err != nil {
		t.Skipf("no pgbouncer: %v", err)
	}
	t.Run("routed", func(t *testing.T) {
		dbURL := pgtest.New(t)
		u, err := url.Parse(dbURL)
		require.NoError(t, err)
		assert.Equal(t, "exec", u.Query().Get("default_query_exec_mode"))
		server, err := pgconn.ParseConfig(info.AdminURL)
		require.NoError(t, err)
		assert.NotEqual(t, strconv.Itoa(int(server.Port)), u.Port())
		pool := pgtest.NewPool(t)
		var n int
		require.NoError(t, pool.QueryRow(ctx, "SELECT $1::int + 1", 41).Scan(&n))
		assert.Equal(t, 42, n)
	})
	t.Run("NewBouncer has its own", func(t *testing.T) {
		u, err := url.Parse(pgtest.NewBouncer(t, pgtest.SessionPooling))
		require.NoError(t, err)
		assert.Empty(t, u.Query().Get("default_query_exec_mode"), "the test chooses its exec mode")
		pool := pgtest.NewPool(t)
		var n int
		require.NoError(t, pool.QueryRow(ctx, "SELECT 1").Scan(&n))
	})
	t.Run("NeedSession skips", func(t *testing.T) {
		ran := false
		t.Run("listen", func(t *testing.T) {
			pgtest.NeedSession(t, "LISTEN")
			ran = true
		})
		assert.False(t, ran)
	})
	t.Run("exec mode chosen", func(t *testing.T) {
		t.Setenv("CRUCIBLE_PGTEST_EXEC_MODE", "simple_protocol")
		u, err := url.Parse(pgtest.New(t))
		require.NoError(t, err)
		assert.Equal(t, "simple_protocol", u.Query().Get("default_query_exec_mode"))
	})
	t.Run("bad value", func(t *testing.T) {
		t.Setenv("CRUCIBLE_PGTEST_PGBOUNCER", "statement")
		_, _, err := pgtest.CreateDatabase(ctx, "bad")
		require.ErrorContains(t, err, `CRUCIBLE_PGTEST_PGBOUNCER="statement": want transaction`)
	})
}

func TestWithAddress(t *testing.T) {
	for _, tc := range []struct {
		name, conn, want string
	}{
		{"url", "postgres://u:p@db.example:5432/x?sslmode=require&application_name=a",
			"postgres://u:p@127.0.0.1:6432/x?application_name=a&sslmode=disable"},
		{"keyword/value", "host=db.example dbname=x", "host=db.example dbname=x host=127.0.0.1 port=6432 sslmode=disable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pgtest.WithAddress(tc.conn, "127.0.0.1", 6432)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			cfg, err := pgconn.ParseConfig(got)
			require.NoError(t, err)
			assert.Equal(t, "127.0.0.1", cfg.Host)
			assert.Equal(t, uint16(6432), cfg.Port)
		})
	}
}

func TestWithParam(t *testing.T) {
	got, err := pgtest.WithParam("postgres://u@h/x?sslmode=disable", "default_query_exec_mode", "exec")
	require.NoError(t, err)
	assert.Equal(t, "postgres://u@h/x?default_query_exec_mode=exec&sslmode=disable", got)
	got, err = pgtest.WithParam("host=h dbname=x", "default_query_exec_mode", "exec")
	require.NoError(t, err)
	assert.Equal(t, "host=h dbname=x default_query_exec_mode=exec", got)
}
