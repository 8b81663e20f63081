package pgtest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// databaseName returns the database a connection string points at.
func databaseName(t testing.TB, conn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(conn)
	require.NoError(t, err)
	return cfg.Database
}

// exists reports whether the server has a database called name.
func exists(t testing.TB, name string) bool {
	t.Helper()
	ctx := context.Background()
	info, err := pgtest.Server(ctx)
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, info.AdminURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var found bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&found)
	require.NoError(t, err)
	return found
}

func TestNewGivesUniqueDatabases(t *testing.T) {
	a, b := databaseName(t, pgtest.New(t)), databaseName(t, pgtest.New(t))
	assert.NotEqual(t, a, b)
	for _, name := range []string{a, b} {
		assert.Regexp(t, `^crucible_pgtest_[0-9a-f]{12}$`, name)
		assert.True(t, exists(t, name), name)
	}
}

func TestNewDropsOnCleanup(t *testing.T) {
	ctx := context.Background()
	var name string
	var open *pgx.Conn
	t.Run("use", func(t *testing.T) {
		url := pgtest.New(t)
		name = databaseName(t, url)
		var err error
		open, err = pgx.Connect(ctx, url) // still open at cleanup: WITH (FORCE) must not care
		require.NoError(t, err)
		require.True(t, exists(t, name))
	})
	defer open.Close(ctx)
	assert.False(t, exists(t, name), "database %s is still there after cleanup", name)
}

func TestNewPool(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := pool.Exec(ctx, "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "INSERT INTO notes VALUES ($1, $2)", 1, "hello")
	require.NoError(t, err)
	var body string
	require.NoError(t, pool.QueryRow(ctx, "SELECT body FROM notes WHERE id = $1", 1).Scan(&body))
	assert.Equal(t, "hello", body)
}

func TestCreateDatabaseConcurrently(t *testing.T) {
	ctx := context.Background()
	const n = 8
	names := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			url, drop, err := pgtest.CreateDatabase(ctx, "crucible_concurrent")
			if err != nil {
				errs[i] = err
				return
			}
			names[i] = databaseName(t, url)
			errs[i] = drop(ctx)
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		require.NoError(t, errs[i])
		assert.False(t, seen[names[i]], "duplicate name %s", names[i])
		seen[names[i]] = true
		assert.False(t, exists(t, names[i]))
	}
}

func TestCreateDatabaseDropIsIdempotent(t *testing.T) {
	ctx := context.Background()
	url, drop, err := pgtest.CreateDatabase(ctx, "demo")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(databaseName(t, url), "demo_"))
	require.NoError(t, drop(ctx))
	require.NoError(t, drop(ctx))
}

func TestIdentPrefix(t *testing.T) {
	tests := []struct {
		name, prefix, want string
	}{
		{name: "plain", prefix: "crucible_orm", want: "crucible_orm"},
		{name: "upper case and punctuation", prefix: "My-Demo!", want: "my_demo"},
		{name: "leading digit", prefix: "1st", want: "db_1st"},
		{name: "empty", prefix: "", want: "crucible"},
		{name: "only punctuation", prefix: "--", want: "crucible"},
		{name: "quote and space", prefix: `a"b c`, want: "a_b_c"},
		{name: "long", prefix: strings.Repeat("x", 100), want: strings.Repeat("x", 40)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, pgtest.IdentPrefix(tc.prefix))
		})
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		name, conn, want string
	}{
		{
			name: "url",
			conn: "postgres://u:p@h:5432/admin?sslmode=disable",
			want: "postgres://u:p@h:5432/x_1?sslmode=disable",
		},
		{name: "url without database", conn: "postgresql://h", want: "postgresql://h/x_1"},
		{name: "keyword/value", conn: "host=h dbname=admin", want: "host=h dbname=admin dbname=x_1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pgtest.WithDatabase(tc.conn, "x_1")
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, "x_1", databaseName(t, got))
		})
	}
}

func ExampleCreateDatabase() {
	ctx := context.Background()
	defer pgtest.Shutdown()
	url, drop, err := pgtest.CreateDatabase(ctx, "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer drop(ctx)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close(ctx)
	var db string
	_ = conn.QueryRow(ctx, "SELECT current_database()").Scan(&db)
	fmt.Println(strings.HasPrefix(db, "example_"))
	// Output: true
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "name taken", err: &pgconn.PgError{Code: "42P04"}, want: true},
		{name: "template busy", err: &pgconn.PgError{Code: "55006"}, want: true},
		{name: "wrapped", err: fmt.Errorf("exec: %w", &pgconn.PgError{Code: "55006"}), want: true},
		{name: "permission denied", err: &pgconn.PgError{Code: "42501"}},
		{name: "not from the server", err: errors.New("connection reset")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, pgtest.Retryable(tc.err))
		})
	}
}
