package orm_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func TestTransactionClosure(t *testing.T) {
	e := setup(t, registry())
	boom := errors.New("boom")
	cases := []struct {
		name string
		fn   func(s *orm.Session) error
		err  error
		rows int64
	}{
		{"commit on nil", func(s *orm.Session) error { s.Add(&Author{Name: "a"}); return nil }, nil, 1},
		{"rollback on error", func(s *orm.Session) error {
			s.Add(&Author{Name: "b"})
			if err := s.Flush(e.ctx); err != nil {
				return err
			}
			return boom
		}, boom, 1},
		{"rollback on a failed flush", func(s *orm.Session) error {
			s.Add(&Author{Name: "c"}, &Author{Name: "a"})
			return s.Flush(e.ctx)
		}, orm.ErrUniqueViolation, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := e.db.Transaction(e.ctx, tc.fn)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.rows, e.count("authors"))
		})
	}
	t.Run("rollback on panic", func(t *testing.T) {
		require.PanicsWithValue(t, "oops", func() {
			_ = e.db.Transaction(e.ctx, func(s *orm.Session) error {
				s.Add(&Author{Name: "d"})
				require.NoError(t, s.Flush(e.ctx))
				panic("oops")
			})
		})
		require.Equal(t, int64(1), e.count("authors"))
	})
	t.Run("reads and writes share the transaction", func(t *testing.T) {
		e.cap.reset()
		require.NoError(t, e.db.Transaction(e.ctx, func(s *orm.Session) error {
			a, err := orm.Query[Author](s).Where("name = ?", "a").ForUpdate().One(e.ctx)
			if err != nil {
				return err
			}
			a.Rank = 42
			return nil
		}))
		sqls := e.cap.sqls()
		require.Equal(t, "BEGIN", sqls[0])
		require.Contains(t, sqls[1], "FOR UPDATE")
		require.Contains(t, sqls[2], `UPDATE "authors" SET "rank"`)
		require.Equal(t, "COMMIT", sqls[3])
		require.Len(t, sqls, 4)
	})
}

func TestNested(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	outer := &Author{Name: "outer"}
	s.Add(outer)
	var inner *Author
	err := s.Nested(e.ctx, func(s *orm.Session) error {
		inner = &Author{Name: "inner"}
		s.Add(inner)
		if err := s.Flush(e.ctx); err != nil {
			return err
		}
		outer.Rank = 99
		return errors.New("undo the inner part")
	})
	require.Error(t, err)
	require.Equal(t, orm.Transient, s.Status(inner), "what fn added is gone")
	require.Zero(t, inner.ID)
	require.Equal(t, orm.Persistent, s.Status(outer), "the flush before the savepoint stays")
	require.Equal(t, int64(7), outer.Rank, "what fn changed is undone")

	ok := &Author{Name: "kept"}
	require.NoError(t, s.Nested(e.ctx, func(s *orm.Session) error { s.Add(ok); return nil }))
	require.Equal(t, orm.Persistent, s.Status(ok))

	require.NoError(t, s.Nested(e.ctx, func(s *orm.Session) error { return nil }), "an empty savepoint costs nothing")
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{"kept", int64(7)}, {"outer", int64(7)}}, e.rows(`SELECT name, rank FROM authors ORDER BY name`))

	t.Run("a failed flush inside rolls back to the savepoint only", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		before := &Author{Name: "before"}
		s.Add(before)
		require.NoError(t, s.Flush(e.ctx))
		dup := &Author{Name: "kept"}
		err := s.Nested(e.ctx, func(s *orm.Session) error {
			s.Add(dup)
			return s.Flush(e.ctx)
		})
		require.ErrorIs(t, err, orm.ErrUniqueViolation)
		require.Equal(t, orm.Persistent, s.Status(before))
		require.Equal(t, orm.Transient, s.Status(dup), "fn returned the error: undone")
		require.NoError(t, s.Commit(e.ctx))
		require.Equal(t, int64(3), e.count("authors"))
	})
}

func TestNestedRetryInside(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	s.Add(&Author{Name: "taken"})
	require.NoError(t, s.Flush(e.ctx))
	err := s.Nested(e.ctx, func(s *orm.Session) error {
		dup := &Author{Name: "taken"}
		s.Add(dup)
		if err := s.Flush(e.ctx); !errors.Is(err, orm.ErrUniqueViolation) {
			return fmt.Errorf("want a unique violation, got %v", err)
		}
		require.Equal(t, orm.Pending, s.Status(dup), "a failed flush keeps the object for a retry")
		dup.Name = "free"
		return s.Flush(e.ctx)
	})
	require.NoError(t, err)
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{"free"}, {"taken"}}, e.rows(`SELECT name FROM authors ORDER BY name`))
}

func TestRollbackDiscardsChanges(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "a", Tags: []string{"x"}, Meta: map[string]any{"k": "v"}}
	s.Add(a)
	require.NoError(t, s.Commit(e.ctx))
	b := &Author{Name: "b"}
	s.Add(b)
	a.Rank = 50
	require.NoError(t, s.Flush(e.ctx))
	require.NotZero(t, b.ID)
	s.Delete(a)
	require.NoError(t, s.Flush(e.ctx))
	require.Equal(t, orm.Deleted, s.Status(a))
	a.Tags[0] = "changed in place"
	a.Meta["k"] = "changed"
	c := &Author{Name: "c"}
	s.Add(c)

	require.NoError(t, s.Rollback(e.ctx))
	require.Equal(t, orm.Transient, s.Status(b), "inserted in the rolled back transaction: gone")
	require.Equal(t, orm.Transient, s.Status(c), "pending: gone")
	require.Zero(t, b.ID, "its key cleared")
	require.Equal(t, orm.Persistent, s.Status(a), "deleted in the transaction: back, unmarked")
	require.Equal(t, int64(7), a.Rank, "values the database has")
	require.Equal(t, []string{"x"}, a.Tags)
	require.Equal(t, map[string]any{"k": "v"}, a.Meta)
	e.cap.reset()
	require.NoError(t, s.Commit(e.ctx))
	require.Empty(t, e.cap.sqls(), "nothing left to write")
	require.Equal(t, [][]any{{"a", int64(7)}}, e.rows(`SELECT name, rank FROM authors`))
}

func TestIsolationLevel(t *testing.T) {
	e := setup(t, registry(), orm.WithIsolation(pgx.Serializable))
	s := e.db.Session()
	defer s.Close()
	_, err := orm.Query[Author](s).Count(e.ctx)
	require.NoError(t, err)
	s.Add(&Author{Name: "a"})
	require.NoError(t, s.Commit(e.ctx))
	sqls := e.cap.sqls()
	require.Equal(t, "BEGIN ISOLATION LEVEL serializable", sqls[0], "reads join the transaction")
	require.Equal(t, "COMMIT", sqls[len(sqls)-1])

	s2 := e.db.Session()
	defer s2.Close()
	e.cap.reset()
	s2.Add(&Author{Name: "b"})
	require.NoError(t, s2.Commit(e.ctx))
	require.Equal(t, "BEGIN ISOLATION LEVEL serializable", e.cap.sqls()[0], "a lone write keeps its isolation level")
}

// TestNestedPanic: a panic inside Nested rolls back to the savepoint and
// is passed on; the outer transaction stays usable.
func TestNestedPanic(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	outer := &Author{Name: "outer"}
	s.Add(outer)
	inner := &Author{Name: "inner"}
	require.PanicsWithValue(t, "oops", func() {
		_ = s.Nested(e.ctx, func(s *orm.Session) error {
			s.Add(inner)
			require.NoError(t, s.Flush(e.ctx))
			outer.Rank = 99
			panic("oops")
		})
	})
	require.Equal(t, orm.Transient, s.Status(inner))
	require.Zero(t, inner.ID, "the key from the undone flush is cleared")
	require.Equal(t, int64(7), outer.Rank, "what fn changed is undone")
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{"outer", int64(7)}}, e.rows(`SELECT name, rank FROM authors`))
}
