package orm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

type slept struct{ Slept string }

// TestCancel: a statement whose context ends returns the context's error
// under each cancellation setting, and the pool goes on serving. A cancel
// request keeps the connection (the server ends the statement); closing
// on cancel drops it. Behind PgBouncer 1.18 neither takes the pooler down.
func TestCancel(t *testing.T) {
	cases := []struct {
		name  string
		opts  []orm.Option
		keeps bool // the connection survives the cancellation
	}{
		{name: "default: cancel request", keeps: true},
		{name: "cancel request, long grace", opts: []orm.Option{orm.WithCancelRequest(5 * time.Second)}, keeps: true},
		{name: "close on cancel", opts: []orm.Option{orm.WithCloseOnCancel()}},
	}
	url := pgtest.New(t)
	pooled := behindPooler(context.Background(), t, url) // server connections change hands
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := orm.Open(ctx, url, registry(), append(tc.opts, orm.WithMaxConns(1))...)
			require.NoError(t, err)
			defer db.Close()
			s := db.Session()
			defer s.Close()
			var pid int32
			require.NoError(t, db.Pool().QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))

			short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err = orm.Raw[slept](s, "SELECT pg_sleep(30)::text AS slept").All(short)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Less(t, time.Since(start), 10*time.Second, "the statement ended with its context")

			var again int32
			require.NoError(t, db.Pool().QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&again), "the pool serves on")
			if !pooled {
				require.Equal(t, tc.keeps, again == pid, "the same connection")
			}
			rows, err := orm.Raw[slept](s, "SELECT 'ok' AS slept").All(ctx)
			require.NoError(t, err)
			require.Equal(t, "ok", rows[0].Slept)
		})
	}
}
