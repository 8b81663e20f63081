package orm_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// replicated is a DB on a primary whose reads go to its streaming replica.
type replicated struct {
	*pgtest.Replicated
	db  *orm.DB
	ctx context.Context
}

func setupReplicated(t *testing.T, opts ...orm.Option) *replicated {
	t.Helper()
	r := pgtest.NewReplicated(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	opts = append([]orm.Option{orm.WithReplicas(r.ReplicaURL), orm.WithMaxConns(4)}, opts...)
	db, err := orm.Open(ctx, r.PrimaryURL, registry(), opts...)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	require.NoError(t, db.CreateAll(ctx))
	r.CatchUp(t)
	return &replicated{Replicated: r, db: db, ctx: ctx}
}

// server says which server answers the session's reads, asked through
// the same routed path as its queries.
func server(t *testing.T, ctx context.Context, s *orm.Session) string {
	t.Helper()
	standby, err := orm.Raw[bool](s, "SELECT pg_is_in_recovery()").One(ctx)
	require.NoError(t, err)
	if *standby {
		return "replica"
	}
	return "primary"
}

func TestReplicaRouting(t *testing.T) {
	r := setupReplicated(t)
	ctx := r.ctx
	tests := []struct {
		name  string
		ctx   func() context.Context
		setup func(t *testing.T, s *orm.Session)
		want  string
	}{
		{name: "read", want: "replica"},
		{name: "OnPrimary", ctx: func() context.Context { return orm.OnPrimary(ctx) }, want: "primary"},
		{name: "UsePrimary", setup: func(_ *testing.T, s *orm.Session) { s.UsePrimary() }, want: "primary"},
		{name: "Begin", setup: func(t *testing.T, s *orm.Session) { require.NoError(t, s.Begin(ctx)) }, want: "primary"},
		{name: "after a flush", setup: func(t *testing.T, s *orm.Session) {
			s.Add(&Author{Name: "flushed"})
			require.NoError(t, s.Flush(ctx))
		}, want: "primary"},
		{name: "after a commit", setup: func(t *testing.T, s *orm.Session) {
			s.Add(&Author{Name: "committed"})
			require.NoError(t, s.Commit(ctx))
		}, want: "primary"},
		{name: "after a rollback", setup: func(t *testing.T, s *orm.Session) {
			s.Add(&Author{Name: "rolled back"})
			require.NoError(t, s.Flush(ctx))
			require.NoError(t, s.Rollback(ctx))
		}, want: "primary"},
		{name: "nothing to flush", setup: func(t *testing.T, s *orm.Session) {
			require.NoError(t, s.Flush(ctx))
			require.NoError(t, s.Commit(ctx))
		}, want: "replica"},
		{name: "after Merge", setup: func(t *testing.T, s *orm.Session) {
			_, err := orm.Merge(ctx, s, &Author{Name: "merged"})
			require.NoError(t, err)
		}, want: "primary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := r.db.Session()
			defer s.Close()
			if tc.setup != nil {
				tc.setup(t, s)
			}
			c := ctx
			if tc.ctx != nil {
				c = tc.ctx()
			}
			assert.Equal(t, tc.want, server(t, c, s))
		})
	}
	t.Run("transaction", func(t *testing.T) {
		require.NoError(t, r.db.Transaction(ctx, func(s *orm.Session) error {
			assert.Equal(t, "primary", server(t, ctx, s))
			return nil
		}))
	})
}

func TestReplicaLagging(t *testing.T) {
	r := setupReplicated(t)
	ctx, db := r.ctx, r.db
	seed := db.Session()
	defer seed.Close()
	author := &Author{Name: "ann"}
	seed.Add(author)
	require.NoError(t, seed.Commit(ctx))
	book := &Book{AuthorID: author.ID, Title: "first", Pages: 10}
	seed.Add(book)
	require.NoError(t, seed.Commit(ctx))
	r.CatchUp(t)

	r.Pause(t)
	late := &Author{Name: "late"}
	seed.Add(late)
	book.Title = "second"
	require.NoError(t, seed.Commit(ctx)) // the book's version is 2 on the primary only
	require.Equal(t, int64(2), book.Version)

	count := func(ctx context.Context, s *orm.Session) int64 {
		t.Helper()
		n, err := orm.Query[Author](s).Where("name = ?", "late").Count(ctx)
		require.NoError(t, err)
		return n
	}

	t.Run("a read outside a session's writes may be stale", func(t *testing.T) {
		s := db.Session()
		defer s.Close()
		assert.Equal(t, int64(0), count(ctx, s))
		_, err := orm.Get[Author](ctx, s, late.ID)
		assert.ErrorIs(t, err, orm.ErrNotFound)
		b, err := orm.Get[Book](ctx, s, book.ID)
		require.NoError(t, err)
		assert.Equal(t, "first", b.Title)
	})
	t.Run("OnPrimary sees the commit", func(t *testing.T) {
		s := db.Session()
		defer s.Close()
		assert.Equal(t, int64(1), count(orm.OnPrimary(ctx), s))
		got, err := orm.Get[Author](orm.OnPrimary(ctx), s, late.ID)
		require.NoError(t, err)
		assert.Equal(t, "late", got.Name)
	})
	t.Run("read-your-writes", func(t *testing.T) {
		s := db.Session()
		defer s.Close()
		assert.Equal(t, int64(0), count(ctx, s), "before the session's first write")
		s.Add(&Author{Name: "mine"})
		require.NoError(t, s.Flush(ctx))
		assert.Equal(t, int64(1), count(ctx, s), "in the session's transaction")
		mine, err := orm.Query[Author](s).Where("name = ?", "mine").Count(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(1), mine)
		require.NoError(t, s.Commit(ctx))
		assert.Equal(t, int64(1), count(ctx, s), "after its commit")
		mine, err = orm.Query[Author](s).Where("name = ?", "mine").Count(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(1), mine)
	})
	t.Run("Merge of a stale copy", func(t *testing.T) {
		reader := db.Session()
		defer reader.Close()
		stale, err := orm.Get[Book](ctx, reader, book.ID)
		require.NoError(t, err)
		require.Equal(t, int64(1), stale.Version, "read from the lagging replica")
		stale.Title = "overwritten"

		s := db.Session()
		defer s.Close()
		_, err = orm.Merge(ctx, s, stale)
		var se *orm.StaleDataError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, int64(1), se.Version)
		assert.Equal(t, int64(2), se.Stored)
		require.NoError(t, s.Commit(ctx))
		assert.Equal(t, "second", titleOnPrimary(t, r, book.ID), "nothing written")
	})
	t.Run("a write from a stale read", func(t *testing.T) {
		s := db.Session()
		defer s.Close()
		stale, err := orm.Get[Book](ctx, s, book.ID)
		require.NoError(t, err)
		stale.Title = "overwritten"
		err = s.Commit(ctx)
		assert.ErrorIs(t, err, orm.ErrStaleData)
		assert.Equal(t, "second", titleOnPrimary(t, r, book.ID), "nothing written")
		require.NoError(t, s.Refresh(ctx, stale))
		assert.Equal(t, int64(2), stale.Version, "the failed write sent the session to the primary")
		assert.Equal(t, "second", stale.Title)
	})

	t.Run("a table the replica has not replayed yet", func(t *testing.T) {
		_, err := db.Pool().Exec(ctx, "CREATE TABLE fresh (n int); INSERT INTO fresh VALUES (7)")
		require.NoError(t, err)
		s := db.Session()
		defer s.Close()
		n, err := orm.Raw[int](s, "SELECT n FROM fresh").One(ctx)
		require.NoError(t, err, "read on the primary")
		assert.Equal(t, 7, *n)
		_, err = orm.Raw[int](s, "SELECT n FROM missing").One(ctx)
		assert.ErrorContains(t, err, `relation "missing" does not exist`, "the primary's error")
		assert.Equal(t, "replica", server(t, ctx, s), "the replica stays in")
	})

	r.Resume(t)
	s := db.Session()
	defer s.Close()
	assert.Equal(t, "replica", server(t, ctx, s))
	assert.Equal(t, int64(1), count(ctx, s), "caught up")
}

func titleOnPrimary(t *testing.T, r *replicated, id int64) string {
	t.Helper()
	var title string
	require.NoError(t, r.db.Pool().QueryRow(r.ctx, "SELECT title FROM books WHERE id = $1", id).Scan(&title))
	return title
}

// dropping accepts connections and closes them at once: a replica that
// cannot answer.
func dropping(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return "postgres://postgres@" + l.Addr().String() + "/postgres?sslmode=disable&connect_timeout=5"
}

// logBuffer collects log records; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func TestReplicaDown(t *testing.T) {
	ctx := context.Background()
	url := pgtest.New(t)
	tests := []struct {
		name      string
		retry     time.Duration
		fallbacks int // of 6 reads
	}{
		{name: "left out", retry: time.Hour, fallbacks: 1},
		{name: "tried again", retry: 0, fallbacks: 6},
	}
	plain, err := orm.Open(ctx, url, registry())
	require.NoError(t, err)
	require.NoError(t, plain.CreateAll(ctx))
	plain.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			db, err := orm.Open(ctx, url, registry(), orm.WithReplicas(dropping(t)), orm.WithReplicaRetry(tc.retry),
				orm.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
			require.NoError(t, err, "a replica that is down does not fail Open")
			defer db.Close()
			for range 3 {
				s := db.Session()
				assert.Equal(t, "primary", server(t, ctx, s), "fell back, no error")
				n, err := orm.Query[Author](s).Count(ctx)
				require.NoError(t, err)
				assert.Zero(t, n)
				s.Close()
			}
			assert.Equal(t, tc.fallbacks, logs.count("replica failed, reading from the primary"))
			assert.Zero(t, logs.count("level=ERROR"))
		})
	}
	t.Run("statement errors are not fallbacks", func(t *testing.T) {
		r := setupReplicated(t)
		s := r.db.Session()
		defer s.Close()
		_, err := orm.Raw[int64](s, "SELECT 1/0").One(r.ctx)
		require.ErrorContains(t, err, "division by zero")
		assert.Equal(t, "replica", server(t, r.ctx, s))
	})
}

func TestReplicaStopped(t *testing.T) {
	r := setupReplicated(t)
	ctx := r.ctx
	for range 2 { // pooled replica connections
		s := r.db.Session()
		assert.Equal(t, "replica", server(t, ctx, s))
		s.Close()
	}
	r.StopReplica(t)
	for range 3 {
		s := r.db.Session()
		assert.Equal(t, "primary", server(t, ctx, s), "fell back, no error")
		n, err := orm.Query[Author](s).Count(ctx)
		require.NoError(t, err)
		assert.Zero(t, n)
		s.Close()
	}
}

func TestReplicaLostConnections(t *testing.T) {
	r := setupReplicated(t)
	ctx := r.ctx
	admin, err := pgx.Connect(ctx, r.ReplicaURL)
	require.NoError(t, err)
	defer admin.Close(ctx)
	var dbname string
	require.NoError(t, r.db.Pool().QueryRow(ctx, "SELECT current_database()").Scan(&dbname))
	for range 3 {
		s := r.db.Session()
		_, err := orm.Query[Author](s).Count(ctx) // pooled replica connections
		require.NoError(t, err)
		s.Close()
		_, err = admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", dbname)
		require.NoError(t, err)
	}
	s := r.db.Session()
	defer s.Close()
	n, err := orm.Query[Author](s).Count(ctx)
	require.NoError(t, err, "a lost replica connection falls back or reconnects")
	assert.Zero(t, n)
}

func TestReplicaRoundRobin(t *testing.T) {
	r := setupReplicated(t)
	ctx := r.ctx
	var pools []*pgxpool.Pool
	for range 2 {
		p, err := pgxpool.New(ctx, r.ReplicaURL)
		require.NoError(t, err)
		defer p.Close()
		pools = append(pools, p)
	}
	db, err := orm.New(r.db.Pool(), registry(), orm.WithReplicaPools(pools...))
	require.NoError(t, err)
	defer db.Close()
	primaryBefore := r.db.Pool().Stat().AcquireCount()
	for range 6 {
		s := db.Session()
		_, err := orm.Query[Author](s).Count(ctx)
		require.NoError(t, err)
		s.Close()
	}
	for i, p := range pools {
		assert.Equal(t, int64(3), p.Stat().AcquireCount(), "pool %d", i)
	}
	assert.Equal(t, primaryBefore, r.db.Pool().Stat().AcquireCount(), "no read on the primary")
	db.Close()
	for _, p := range pools {
		assert.NoError(t, p.Ping(ctx), "the caller's pools stay open")
	}
}

func TestReplicaBadURL(t *testing.T) {
	_, err := orm.Open(context.Background(), pgtest.New(t), registry(), orm.WithReplicas("postgres://%zz"))
	assert.ErrorContains(t, err, "replica 1")
}

func TestReplicaConcurrentReads(t *testing.T) {
	r := pgtest.NewReplicated(t)
	ctx := context.Background()
	db, err := orm.Open(ctx, r.PrimaryURL, registry(), orm.WithReplicas(r.ReplicaURL, dropping(t)),
		orm.WithReplicaRetry(time.Millisecond), orm.WithMaxConns(8))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.CreateAll(ctx))
	r.CatchUp(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8*20)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				s := db.Session()
				_, err := orm.Query[Author](s).Count(ctx)
				s.Close()
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
