package orm_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// withURLParam returns the connection string conn with the parameter key
// set to value (a URL's query, or one more keyword of a key=value DSN).
func withURLParam(t *testing.T, conn, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(conn, "postgres://") && !strings.HasPrefix(conn, "postgresql://") {
		return conn + " " + key + "=" + value
	}
	u, err := url.Parse(conn)
	require.NoError(t, err)
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// preparedStatements counts the named prepared statements of the pool's
// one connection: pgx's statement cache leaves them, the other modes none.
func preparedStatements(t *testing.T, db *orm.DB) int64 {
	t.Helper()
	var n int64
	err := db.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM pg_prepared_statements", pgx.QueryExecModeExec).Scan(&n)
	require.NoError(t, err)
	return n
}

// TestExecModeOption: Open honours the URL's default_query_exec_mode, the
// option wins over it, and the mode reaches the connections (statements
// are prepared only in the caching modes).
func TestExecModeOption(t *testing.T) {
	ctx := context.Background()
	base := pgtest.New(t)
	create, err := orm.Open(ctx, base, registry())
	require.NoError(t, err)
	require.NoError(t, create.CreateAll(ctx))
	create.Close()
	cases := []struct {
		name  string
		param string // default_query_exec_mode in the URL, if any
		opts  []orm.Option
		want  pgx.QueryExecMode
	}{
		{name: "pgx default", want: pgx.QueryExecModeCacheStatement},
		{name: "URL parameter", param: "exec", want: pgx.QueryExecModeExec},
		{name: "URL simple protocol", param: "simple_protocol", want: pgx.QueryExecModeSimpleProtocol},
		{name: "option", opts: []orm.Option{orm.WithExecMode(pgx.QueryExecModeDescribeExec)}, want: pgx.QueryExecModeDescribeExec},
		{name: "option wins over URL", param: "exec",
			opts: []orm.Option{orm.WithExecMode(pgx.QueryExecModeCacheDescribe)}, want: pgx.QueryExecModeCacheDescribe},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn := base
			if tc.param != "" {
				conn = withURLParam(t, base, "default_query_exec_mode", tc.param)
			}
			db, err := orm.Open(ctx, conn, registry(), append(tc.opts, orm.WithMaxConns(1))...)
			require.NoError(t, err)
			defer db.Close()
			require.Equal(t, tc.want, db.ExecMode())

			s := db.Session()
			defer s.Close()
			_, err = orm.Query[Author](s).Where("name = ?", "nobody").All(ctx)
			require.NoError(t, err)
			n := preparedStatements(t, db)
			if tc.want == pgx.QueryExecModeCacheStatement {
				require.Positive(t, n, "the statement cache prepares statements")
			} else {
				require.Zero(t, n, "no named statement is left on the connection")
			}
		})
	}
}
