package orm_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func TestSessionOnCallersTransaction(t *testing.T) {
	e := setup(t, registry())
	tx, err := e.db.Pool().Begin(e.ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(e.ctx) }()
	_, err = tx.Exec(e.ctx, "INSERT INTO authors (name, rank, tags, meta) VALUES ('caller', 7, '{}', '{}')")
	require.NoError(t, err)
	e.cap.reset()

	s := e.db.SessionOn(tx)
	defer s.Close()
	seen, err := orm.Query[Author](s).Where("name = ?", "caller").One(e.ctx)
	require.NoError(t, err, "the session reads inside the caller's transaction")
	seen.Rank = 9
	s.Add(&Author{Name: "session"})
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, []string{
		"SAVEPOINT crucible_session",
		`SELECT "authors"."id", "authors"."name", "authors"."email", "authors"."bio", "authors"."created_at", "authors"."rank", "authors"."tags", "authors"."meta" FROM "authors" WHERE (name = $1) LIMIT $2`,
	}, e.cap.sqls()[:2])
	last := e.cap.sqls()[len(e.cap.sqls())-1]
	require.Equal(t, "RELEASE SAVEPOINT crucible_session", last, "Commit releases the savepoint, never COMMITs")
	require.Zero(t, e.count("authors"), "nothing committed yet: the caller's transaction is open")

	var n int
	require.NoError(t, tx.QueryRow(e.ctx, "SELECT count(*) FROM authors WHERE rank = 9 OR name = 'session'").Scan(&n))
	require.Equal(t, 2, n, "the caller sees what the session flushed")
	require.NoError(t, tx.Commit(e.ctx))
	require.Equal(t, [][]any{{"caller", int64(9)}, {"session", int64(7)}}, e.rows("SELECT name, rank FROM authors ORDER BY name"))
}

func TestSessionOnFailureKeepsCallersWork(t *testing.T) {
	e := setup(t, registry())
	cases := []struct {
		name string
		end  func(s *orm.Session) error
	}{
		{"failed flush", func(s *orm.Session) error {
			s.Add(&Author{Name: "caller"}) // unique violation
			return s.Commit(e.ctx)
		}},
		{"rollback", func(s *orm.Session) error { return s.Rollback(e.ctx) }},
		{"close", func(s *orm.Session) error { return s.Close() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.exec("TRUNCATE authors CASCADE")
			tx, err := e.db.Pool().Begin(e.ctx)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback(e.ctx) }()
			_, err = tx.Exec(e.ctx, "INSERT INTO authors (name, rank, tags, meta) VALUES ('caller', 7, '{}', '{}')")
			require.NoError(t, err)

			s := e.db.SessionOn(tx)
			defer s.Close()
			s.Add(&Author{Name: "flushed"})
			require.NoError(t, s.Flush(e.ctx))
			err = tc.end(s)
			if tc.name == "failed flush" {
				require.ErrorIs(t, err, orm.ErrUniqueViolation)
			} else {
				require.NoError(t, err)
			}
			// The caller's transaction is usable and holds its own row only.
			_, err = tx.Exec(e.ctx, "INSERT INTO authors (name, rank, tags, meta) VALUES ('after', 7, '{}', '{}')")
			require.NoError(t, err)
			require.NoError(t, tx.Commit(e.ctx))
			require.Equal(t, [][]any{{"after"}, {"caller"}}, e.rows("SELECT name FROM authors ORDER BY name"))
		})
	}
}

func TestSessionOnRetryAfterFailedFlush(t *testing.T) {
	e := setup(t, registry())
	tx, err := e.db.Pool().Begin(e.ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(e.ctx) }()
	_, err = tx.Exec(e.ctx, "INSERT INTO authors (name, rank, tags, meta) VALUES ('taken', 7, '{}', '{}')")
	require.NoError(t, err)
	s := e.db.SessionOn(tx)
	defer s.Close()
	dup := &Author{Name: "taken"}
	s.Add(dup)
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrUniqueViolation)
	require.Equal(t, orm.Pending, s.Status(dup))
	dup.Name = "free"
	require.NoError(t, s.Commit(e.ctx))
	require.NoError(t, tx.Commit(e.ctx))
	require.Equal(t, [][]any{{"free"}, {"taken"}}, e.rows("SELECT name FROM authors ORDER BY name"))
}

func TestSessionTx(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "pending"}
	s.Add(a)
	tx, err := s.Tx(e.ctx)
	require.NoError(t, err)
	require.NotZero(t, a.ID, "pending changes are flushed first")

	n, err := tx.CopyFrom(e.ctx, pgx.Identifier{"books"}, []string{"author_id", "title", "pages", "version"},
		pgx.CopyFromRows([][]any{{a.ID, "copied one", int32(1), int64(1)}, {a.ID, "copied two", int32(2), int64(1)}}))
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	var b pgx.Batch
	b.Queue("UPDATE books SET pages = pages * 10")
	require.NoError(t, tx.SendBatch(e.ctx, &b).Close())

	nested, err := tx.Begin(e.ctx)
	require.NoError(t, err)
	_, err = nested.Exec(e.ctx, "INSERT INTO books (author_id, title, pages, version) VALUES (0, 'no author', 1, 1)")
	require.ErrorContains(t, err, "foreign key")
	require.NoError(t, nested.Rollback(e.ctx), "a nested transaction is a savepoint")

	require.ErrorIs(t, tx.Commit(e.ctx), orm.ErrTxOwned)
	require.ErrorIs(t, tx.Rollback(e.ctx), orm.ErrTxOwned)
	same, err := s.Tx(e.ctx)
	require.NoError(t, err)
	require.Same(t, tx, same, "one handle per transaction")
	require.Zero(t, e.count("books"), "not committed yet")

	books, err := orm.Query[Book](s).OrderBy("Title").All(e.ctx)
	require.NoError(t, err)
	require.Len(t, books, 2, "the session reads in its transaction")
	require.Equal(t, int32(10), books[0].Pages)

	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(2), e.count("books"))
	require.Equal(t, int64(1), e.count("authors"))
	_, err = tx.Exec(e.ctx, "SELECT 1")
	require.ErrorIs(t, err, pgx.ErrTxClosed, "the handle ends with the transaction")
}

func TestSessionTxRolledBackWithTheSession(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	tx, err := s.Tx(e.ctx)
	require.NoError(t, err)
	_, err = tx.Exec(e.ctx, "INSERT INTO authors (name, rank, tags, meta) VALUES ('through tx', 7, '{}', '{}')")
	require.NoError(t, err)
	require.NoError(t, s.Rollback(e.ctx))
	require.Zero(t, e.count("authors"))
	_, err = tx.Exec(e.ctx, "SELECT 1")
	require.ErrorIs(t, err, pgx.ErrTxClosed)

	// A session on a caller's transaction hands out its savepoint's
	// transaction the same way.
	outer, err := e.db.Pool().Begin(e.ctx)
	require.NoError(t, err)
	defer func() { _ = outer.Rollback(e.ctx) }()
	on := e.db.SessionOn(outer)
	defer on.Close()
	inner, err := on.Tx(e.ctx)
	require.NoError(t, err)
	_, err = inner.Exec(e.ctx, "INSERT INTO authors (name, rank, tags, meta) VALUES ('inner', 7, '{}', '{}')")
	require.NoError(t, err)
	require.NoError(t, on.Commit(e.ctx))
	require.NoError(t, outer.Commit(e.ctx))
	require.Equal(t, [][]any{{"inner"}}, e.rows("SELECT name FROM authors"))
}
