package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
)

// TestMain stops a throwaway server pgtest may have started.
func TestMain(m *testing.M) { pgtest.Main(m) }

// The dialect is what orm and migrate render with by default.
var (
	_ dialect.Dialect = postgres.New()
	_ dialect.Dialect = postgres.Dialect{}
	_ migrate.DDL     = postgres.New()
)

var pg postgres.Dialect

func TestName(t *testing.T) {
	require.Equal(t, "postgres", postgres.New().Name())
}

// execAll runs the statements in order, failing the test on the first
// error with the statement that caused it.
func execAll(t *testing.T, pool *pgxpool.Pool, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := pool.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s\n%v", s, err)
		}
	}
}

// must returns s or fails the test on err.
func must[T any](t *testing.T) func(s T, err error) T {
	return func(s T, err error) T {
		t.Helper()
		require.NoError(t, err)
		return s
	}
}

// column is one column as the catalogs describe it.
type column struct {
	Name, Type, Default string
	NotNull             bool
	Identity            string
}

// columns reads a table's columns from pg_attribute.
func columns(t *testing.T, pool *pgxpool.Pool, table string) []column {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT a.attname, format_type(a.atttypid, a.atttypmod),
		       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attnotnull, a.attidentity::text
		FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`, regclass(t, table))
	require.NoError(t, err)
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		err := r.Scan(&c.Name, &c.Type, &c.Default, &c.NotNull, &c.Identity)
		return c, err
	})
	require.NoError(t, err)
	return cols
}

// constraints reads a table's constraints as "name: definition".
func constraints(t *testing.T, pool *pgxpool.Pool, table string) []string {
	t.Helper()
	return strs(t, pool, `SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = $1::regclass ORDER BY conname`, regclass(t, table))
}

// indexDefs reads a table's index definitions (constraint indexes too).
func indexDefs(t *testing.T, pool *pgxpool.Pool, table string) []string {
	t.Helper()
	return strs(t, pool, `SELECT pg_get_indexdef(indexrelid) FROM pg_index
		WHERE indrelid = $1::regclass ORDER BY indexrelid::regclass::text`, regclass(t, table))
}

// strs runs a query that returns one text column.
func strs(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}

// str runs a query that returns one text value.
func str(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) string {
	t.Helper()
	var s string
	require.NoError(t, pool.QueryRow(context.Background(), sql, args...).Scan(&s))
	return s
}

// regclass quotes "table" or "schema.table" for a ::regclass cast.
func regclass(t *testing.T, name string) string {
	if nsp, table, ok := strings.Cut(name, "."); ok {
		return quote(t, nsp) + "." + quote(t, table)
	}
	return quote(t, name)
}

func quote(t *testing.T, name string) string {
	t.Helper()
	return must[string](t)(pg.QuoteIdent(name))
}
