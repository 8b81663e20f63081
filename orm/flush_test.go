package orm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func TestUpdateSendsOnlyChangedColumns(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "ann", Tags: []string{"x"}, Meta: map[string]any{"k": "v"}}
	s.Add(a)
	require.NoError(t, s.Commit(e.ctx))

	cases := []struct {
		name   string
		change func()
		want   string // expected SET clause, "" for no statement
	}{
		{"unchanged costs nothing", func() {}, ""},
		{"one field", func() { a.Name = "bob" }, `SET "name" = $1 WHERE`},
		{"slice changed in place", func() { a.Tags[0] = "y" }, `SET "tags" = $1 WHERE`},
		{"slice appended", func() { a.Tags = append(a.Tags, "z") }, `SET "tags" = $1 WHERE`},
		{"map changed in place", func() { a.Meta["k"] = "w" }, `SET "meta" = $1 WHERE`},
		{"pointer set", func() { s := "a@b"; a.Email = &s }, `SET "email" = $1 WHERE`},
		{"pointee changed in place", func() { *a.Email = "c@d" }, `SET "email" = $1 WHERE`},
		{"two fields", func() { a.Name, a.Rank = "cy", 9 }, `SET "name" = $1, "rank" = $2 WHERE`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			tc.change()
			require.NoError(t, s.Commit(e.ctx))
			sqls := e.cap.sqls()
			if tc.want == "" {
				require.Empty(t, sqls)
				return
			}
			// one statement, its own transaction: no BEGIN, no COMMIT
			require.Len(t, sqls, 1, sqls)
			require.Contains(t, sqls[0], tc.want)
		})
	}
	row := e.rows(`SELECT name, rank, tags, meta->>'k', email FROM authors`)[0]
	require.Equal(t, []any{"cy", int64(9), []any{"y", "z"}, "w", "c@d"}, row)
}

func TestOnUpdateAndVersion(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "ann"}
	b := &Book{Title: "t1", Pages: 10}
	s.Add(a)
	require.NoError(t, s.Flush(e.ctx))
	b.AuthorID = a.ID
	s.Add(b)
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(1), b.Version)
	first := b.UpdatedAt
	require.False(t, first.IsZero())

	time.Sleep(2 * time.Millisecond)
	e.cap.reset()
	b.Pages = 11
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(2), b.Version)
	require.True(t, b.UpdatedAt.After(first), "onupdate value read back")
	require.Equal(t, []string{`UPDATE "books" SET "pages" = $1, "version" = $2, "updated_at" = now() WHERE "id" = $3 AND "version" = $4 RETURNING "updated_at"`}, e.cap.sqls())
	require.Equal(t, [][]any{{int32(11), int64(2)}}, e.rows(`SELECT pages, version FROM books`))
}

func TestStaleVersion(t *testing.T) {
	e := setup(t, registry())
	cases := []struct {
		name string
		act  func(s *orm.Session, a *Author, b *Book)
		op   string
	}{
		{"update in a pipeline with another statement", func(_ *orm.Session, a *Author, b *Book) { b.Pages = 99; a.Name += "!" }, "update"},
		{"update alone", func(_ *orm.Session, _ *Author, b *Book) { b.Pages = 98 }, "update"},
		{"delete in a pipeline with another statement", func(s *orm.Session, a *Author, b *Book) { s.Delete(b); a.Name += "!" }, "delete"},
		{"delete alone", func(s *orm.Session, _ *Author, b *Book) { s.Delete(b) }, "delete"},
		{"in an explicit transaction", func(s *orm.Session, a *Author, b *Book) {
			require.NoError(t, s.Begin(e.ctx))
			_, err := orm.Query[Author](s).Count(e.ctx)
			require.NoError(t, err)
			b.Pages = 97
		}, "update"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			a := &Author{Name: fmt.Sprintf("ann%d", i)}
			s.Add(a)
			require.NoError(t, s.Flush(e.ctx))
			b := &Book{AuthorID: a.ID, Title: "t1", Pages: 10}
			s.Add(b)
			require.NoError(t, s.Commit(e.ctx))

			e.exec(`UPDATE books SET version = version + 1 WHERE id = $1`, b.ID) // another transaction wins
			tc.act(s, a, b)
			err := s.Commit(e.ctx)
			require.ErrorIs(t, err, orm.ErrStaleData)
			var stale *orm.StaleDataError
			require.ErrorAs(t, err, &stale)
			require.Equal(t, "books", stale.Table)
			require.Equal(t, tc.op, stale.Op)
			// nothing written: neither the author's change in the same flush
			// nor the book's
			require.Equal(t, [][]any{{a.ID, fmt.Sprintf("ann%d", i), int32(10), int64(2)}},
				e.rows(`SELECT a.id, a.name, b.pages, b.version FROM authors a JOIN books b ON b.author_id = a.id WHERE a.id = $1`, a.ID))
			require.Equal(t, int64(1), b.Version, "version restored")
			// fix: reload and retry
			a.Name = fmt.Sprintf("ann%d", i)
			require.NoError(t, s.Refresh(e.ctx, b))
			require.Equal(t, int64(2), b.Version)
			tc.act(s, a, b)
			require.NoError(t, s.Commit(e.ctx))
		})
	}
}

func TestFailedFlushRestoresSession(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	ok := &Author{Name: "taken"}
	s.Add(ok)
	require.NoError(t, s.Commit(e.ctx))

	a1 := &Author{Name: "fine"}
	a2 := &Author{Name: "taken"} // unique violation
	ok.Rank = 100
	s.Add(a1, a2)
	err := s.Commit(e.ctx)
	require.Error(t, err)
	var ce *orm.ConstraintError
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, orm.ErrUniqueViolation)
	require.Equal(t, "uq_authors_name", ce.Constraint)

	// the session is as before the flush
	require.Zero(t, a1.ID, "key assigned by the failed flush is cleared")
	require.Zero(t, a2.ID)
	require.Zero(t, a1.Rank, "client default applied by the failed flush is cleared")
	require.Nil(t, a1.Bio)
	require.Equal(t, orm.Pending, s.Status(a1))
	require.Equal(t, orm.Pending, s.Status(a2))
	require.Equal(t, int64(1), e.count("authors"))
	require.Equal(t, [][]any{{int64(7)}}, e.rows(`SELECT rank FROM authors`))

	// fix and retry
	a2.Name = "other"
	require.NoError(t, s.Commit(e.ctx))
	require.NotZero(t, a1.ID)
	require.NotZero(t, a2.ID)
	require.Equal(t, orm.Persistent, s.Status(a2))
	require.Equal(t, int64(3), e.count("authors"))
	require.Equal(t, [][]any{{int64(100)}}, e.rows(`SELECT rank FROM authors WHERE name = 'taken'`))
}

func TestCancelledContext(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "ann"}
	s.Add(a)
	require.NoError(t, s.Commit(e.ctx))

	t.Run("before the flush", func(t *testing.T) {
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		a.Name = "x"
		e.cap.reset()
		err := s.Commit(ctx)
		require.ErrorIs(t, err, context.Canceled)
		require.Empty(t, e.cap.sqls(), "nothing sent")
		a.Name = "ann"
	})
	t.Run("while waiting on a lock", func(t *testing.T) {
		lock, err := e.db.Pool().Begin(e.ctx)
		require.NoError(t, err)
		defer lock.Rollback(e.ctx)
		_, err = lock.Exec(e.ctx, `SELECT 1 FROM authors FOR UPDATE`)
		require.NoError(t, err)

		b := &Author{Name: "new"}
		s.Add(b)
		a.Name = "blocked"
		ctx, cancel := context.WithTimeout(e.ctx, 200*time.Millisecond)
		defer cancel()
		err = s.Commit(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var unknown *orm.UnknownOutcomeError
		require.False(t, errors.As(err, &unknown), "the server cancelled the statement: known not committed")
		require.Zero(t, b.ID)
		require.Equal(t, orm.Pending, s.Status(b))
		require.NoError(t, lock.Rollback(e.ctx))
		require.NoError(t, s.Commit(e.ctx))
		require.NotZero(t, b.ID)
		require.Equal(t, [][]any{{"blocked"}, {"new"}}, e.rows(`SELECT name FROM authors ORDER BY id`))
	})
}

func TestDeleteAndNotFound(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "ann"}
	s.Add(a)
	require.NoError(t, s.Commit(e.ctx))
	a.ID++
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrKeyChanged)
	a.ID--
	s.Delete(a)
	s.Add(a) // changed my mind
	e.cap.reset()
	require.NoError(t, s.Commit(e.ctx))
	require.Empty(t, e.cap.sqls())
	s.Delete(a)
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, orm.Transient, s.Status(a))
	require.Equal(t, int64(0), e.count("authors"))
	_, err := orm.Get[Author](e.ctx, s, a.ID)
	require.ErrorIs(t, err, orm.ErrNotFound)
	require.ErrorIs(t, err, pgx.ErrNoRows)
}

func TestCommitOutcomeUnknown(t *testing.T) {
	e := setup(t, registry())
	// A deferred trigger makes COMMIT itself slow, and ignores the cancel
	// request: the context ends while the server is committing and the
	// client gives up on the connection, so it cannot know the outcome.
	e.exec(`CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			FOR i IN 1..6 LOOP
				BEGIN PERFORM pg_sleep(0.5); EXCEPTION WHEN query_canceled THEN NULL; END;
			END LOOP;
			RETURN NULL;
		END $$`)
	e.exec(`CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON authors DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`)
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "maybe"}
	s.Add(a)
	// Cancel only once the server is inside COMMIT (the deferred trigger is
	// sleeping), however slow the machine is.
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	watch, err := pgx.Connect(e.ctx, e.url)
	require.NoError(t, err)
	defer watch.Close(e.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		for ctx.Err() == nil {
			var sleeping bool
			err := watch.QueryRow(e.ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
				WHERE wait_event = 'PgSleep' AND datname = current_database())`).Scan(&sleeping)
			if err != nil || sleeping {
				return
			}
			time.Sleep(25 * time.Millisecond)
		}
	}()
	err = s.Commit(ctx)
	cancel()
	<-done
	var unknown *orm.UnknownOutcomeError
	require.ErrorAs(t, err, &unknown, "%v", err)
	require.Equal(t, orm.Pending, s.Status(a), "the session does not guess: the object is left as before")
	require.Zero(t, a.ID)
	time.Sleep(3 * time.Second)
	require.Contains(t, []int64{0, 1}, e.count("authors"), "either outcome is possible")
}

// TestViolationMidFlush fails the second statement of a flush, after the
// first has inserted a row and its generated key was written into the
// struct: everything is undone, in the database and in the session.
func TestViolationMidFlush(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "a"}
	s.Add(a)
	require.NoError(t, s.Flush(e.ctx))
	require.NoError(t, s.Commit(e.ctx))

	b := &Author{Name: "b"}
	bad := &Book{AuthorID: a.ID, Title: ""} // violates ck_books_title
	a.Rank = 1
	s.Add(b, bad)
	e.cap.reset()
	err := s.Commit(e.ctx)
	require.ErrorIs(t, err, orm.ErrCheckViolation)
	var ce *orm.ConstraintError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "books", ce.Table)
	require.Equal(t, "ck_books_title", ce.Constraint)
	sqls := e.cap.sqls()
	require.Len(t, sqls, 3, "authors insert, authors update, then the failing books insert: %v", sqls)

	require.Zero(t, b.ID, "the key the first statement returned is cleared")
	require.True(t, b.CreatedAt.IsZero(), "the server default read back is cleared")
	require.Zero(t, bad.Version, "the version the flush set is cleared")
	require.Equal(t, int64(1), a.Rank, "the caller's change is kept")
	require.Equal(t, [][]any{{"a", int64(7)}}, e.rows(`SELECT name, rank FROM authors`))

	bad.Title = "fixed"
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{"a", int64(1)}, {"b", int64(7)}}, e.rows(`SELECT name, rank FROM authors ORDER BY name`))
	require.Equal(t, int64(1), e.count("books"))
}

// TestLostConnection kills the session's connection in the middle of its
// transaction: the commit fails, the session puts back what the lost
// transaction had flushed, and a retry on a new connection succeeds.
func TestLostConnection(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "a"}
	s.Add(a)
	require.NoError(t, s.Flush(e.ctx)) // the transaction is open, a has a key
	require.NotZero(t, a.ID)
	killed := e.rows(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND state = 'idle in transaction'`)
	require.Len(t, killed, 1)

	b := &Author{Name: "b"}
	s.Add(b)
	err := s.Commit(e.ctx)
	require.Error(t, err)
	require.Equal(t, orm.Pending, s.Status(a), "the lost transaction's insert is pending again")
	require.Zero(t, a.ID)
	require.Equal(t, orm.Pending, s.Status(b))
	require.Equal(t, int64(0), e.count("authors"))

	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(2), e.count("authors"))
}
