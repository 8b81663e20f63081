package orm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// TestCommitOutcome breaks the connection at each point of a commit's
// replies through the fault proxy and checks what Commit (or Flush)
// reports against what the server did: once COMMIT's reply was read the
// unit of work succeeded, whatever the connection does next; a lost reply
// is an *UnknownOutcomeError; a failure the server reported before the
// commit is a plain error with nothing written. Never is a committed unit
// of work reported as failed.
func TestCommitOutcome(t *testing.T) {
	type outcome int
	const (
		committed outcome = iota // nil error
		unknown                  // *UnknownOutcomeError, the server committed
		failed                   // a plain error, nothing written
	)
	cases := []struct {
		name  string
		opts  []orm.Option
		flush bool // Flush first, arming the fault for the Commit after it
		only  bool // the fault is armed for a Flush, not a Commit
		tag   string
		act   faultAction
		want  outcome
	}{
		{name: "flush then commit, FATAL after COMMIT's reply", flush: true, tag: "COMMIT", act: fatalAfter, want: committed},
		{name: "flush then commit, closed after COMMIT's reply", flush: true, tag: "COMMIT", act: closeAfter, want: committed},
		{name: "one round trip, FATAL after COMMIT's reply", tag: "COMMIT", act: fatalAfter, want: committed,
			opts: []orm.Option{orm.WithIsolation(pgx.RepeatableRead)}},
		{name: "flush then commit, COMMIT's reply lost", flush: true, tag: "COMMIT", act: dropReply, want: unknown},
		{name: "flush then commit, FATAL in place of COMMIT's reply", flush: true, tag: "COMMIT", act: fatalInstead, want: unknown},
		{name: "implicit transaction, FATAL after the last result", tag: "INSERT", act: fatalAfter, want: unknown},
		{name: "implicit transaction, reply lost", tag: "INSERT", act: dropReply, want: unknown},
		{name: "flush, FATAL in place of the INSERT's reply", only: true, tag: "INSERT", act: fatalInstead, want: failed},
		{name: "flush, reply lost", only: true, tag: "INSERT", act: dropReply, want: failed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			base := pgtest.New(t)
			proxy := newFaultProxy(t, base)
			db, err := orm.Open(ctx, proxy.url(t, base), registry(), append(tc.opts, orm.WithMaxConns(2))...)
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.CreateAll(ctx))
			check := func() int64 {
				var n int64
				require.NoError(t, db.Pool().QueryRow(ctx, "SELECT count(*) FROM authors WHERE name = 'ann'").Scan(&n))
				return n
			}

			s := db.Session()
			defer s.Close()
			ann := &Author{Name: "ann"}
			s.Add(ann)
			if tc.flush {
				require.NoError(t, s.Flush(ctx))
			}
			fired := proxy.arm(tc.tag, tc.act)
			if tc.only {
				err = s.Flush(ctx) // no COMMIT: the server rolls back when the connection goes
			} else {
				err = s.Commit(ctx)
			}
			select {
			case <-fired:
			default:
				t.Fatal("the fault did not fire")
			}
			var unknownErr *orm.UnknownOutcomeError
			switch tc.want {
			case committed:
				require.NoError(t, err)
				require.Equal(t, orm.Persistent, s.Status(ann))
				require.NotZero(t, ann.ID)
				require.Equal(t, int64(1), check())
				ann.Name = "ann"
				ann.Rank = 8 // the session goes on, on another connection
				require.NoError(t, s.Commit(ctx))
			case unknown:
				require.ErrorAs(t, err, &unknownErr)
				require.Equal(t, int64(1), check(), "the server committed")
				require.Equal(t, orm.Pending, s.Status(ann), "the session is as before the commit")
			case failed:
				require.Error(t, err)
				require.False(t, errors.As(err, &unknownErr), "not unknown: %v", err)
				require.Zero(t, check())
				require.Equal(t, orm.Pending, s.Status(ann))
				require.NoError(t, s.Commit(ctx), "a retry writes the row once")
				require.Equal(t, int64(1), check())
			}
		})
	}
}

// TestErrorBeforeSend: a value that cannot be encoded fails the commit
// before anything is sent, in every exec mode and on every path (a lone
// statement, a pipeline with BEGIN and COMMIT, an unnest batch, a flush
// in an open transaction): a plain error, never an outcome unknown,
// nothing written, and the session as before, so that fixing the value
// and committing again writes the rows once.
func TestErrorBeforeSend(t *testing.T) {
	cases := []struct {
		name  string
		opts  []orm.Option
		n     int  // objects added
		flush bool // a flush in an open transaction fails
	}{
		{name: "lone statement", n: 1},
		{name: "unnest batch", n: 3},
		{name: "pipeline with BEGIN and COMMIT", n: 2, opts: []orm.Option{orm.WithIsolation(pgx.RepeatableRead)}},
		{name: "flush in an open transaction", n: 2, flush: true},
	}
	eachExecMode(t, func(ctx context.Context, t *testing.T, base string, m execMode) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				db, err := orm.Open(ctx, withURLParam(t, base, "default_query_exec_mode", m.name), registry(), tc.opts...)
				require.NoError(t, err)
				defer db.Close()
				_, err = db.Pool().Exec(ctx, "DROP TABLE IF EXISTS books, nodes, authors")
				require.NoError(t, err)
				require.NoError(t, db.CreateAll(ctx))
				s := db.Session()
				defer s.Close()
				var objs []*Author
				for i := range tc.n {
					a := &Author{Name: "a" + string(rune('0'+i)), Meta: map[string]any{"i": i}}
					objs = append(objs, a)
					s.Add(a)
				}
				if tc.flush {
					require.NoError(t, s.Flush(ctx))
					objs[0].Meta["bad"] = make(chan int) // json cannot encode a channel
				} else {
					objs[len(objs)-1].Meta["bad"] = func() {}
				}
				err = s.Commit(ctx)
				require.Error(t, err)
				var unknown *orm.UnknownOutcomeError
				require.False(t, errors.As(err, &unknown), "nothing was sent: %v", err)
				var n int64
				require.NoError(t, db.Pool().QueryRow(ctx, "SELECT count(*) FROM authors").Scan(&n))
				require.Zero(t, n)
				for _, a := range objs {
					require.Equal(t, orm.Pending, s.Status(a))
					delete(a.Meta, "bad")
				}
				require.NoError(t, s.Commit(ctx))
				require.NoError(t, db.Pool().QueryRow(ctx, "SELECT count(*) FROM authors").Scan(&n))
				require.Equal(t, int64(tc.n), n)
			})
		}
	})
}
