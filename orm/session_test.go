package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func TestEndToEnd(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "ann"}
	s.Add(a)
	require.NoError(t, s.Commit(e.ctx))
	require.NotZero(t, a.ID)
	require.False(t, a.CreatedAt.IsZero())
	require.Equal(t, int64(7), a.Rank)
	require.NotNil(t, a.Bio)
	require.Equal(t, "none", *a.Bio)
	t.Log(e.cap.sqls())

	got, err := orm.Get[Author](e.ctx, s, a.ID)
	require.NoError(t, err)
	require.Same(t, a, got)

	s2 := e.db.Session()
	defer s2.Close()
	got2, err := orm.Get[Author](e.ctx, s2, a.ID)
	require.NoError(t, err)
	require.Equal(t, "ann", got2.Name)
	all, err := orm.Query[Author](s2).Where("name = ?", "ann").All(e.ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Same(t, got2, all[0])
	t.Log(e.cap.sqls())
}

// TestIdentityAfterFlushAndExpunge: objects a flush inserted and objects a
// query loaded are found by key without a query (the identity map takes
// them in on first lookup), and an expunged object is never found again,
// whether or not its key was looked up before.
func TestIdentityAfterFlushAndExpunge(t *testing.T) {
	e := setup(t, registry())
	cases := []struct {
		name    string
		obtain  func(t *testing.T, s *orm.Session) *Author
		expunge bool
	}{
		{name: "inserted, then looked up", obtain: insertAuthor("i1")},
		{name: "inserted, then expunged", obtain: insertAuthor("i2"), expunge: true},
		{name: "loaded, then expunged", expunge: true, obtain: func(t *testing.T, s *orm.Session) *Author {
			insertAuthor("l1")(t, e.db.Session())
			all, err := orm.Query[Author](s).Where("name = ?", "l1").All(e.ctx)
			require.NoError(t, err)
			return all[0]
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			a := tc.obtain(t, s)
			if tc.expunge {
				s.Expunge(a)
			}
			e.cap.reset()
			got, err := orm.Get[Author](e.ctx, s, a.ID)
			require.NoError(t, err)
			if tc.expunge {
				require.NotSame(t, a, got, "an expunged object is not the session's any more")
				require.Len(t, e.cap.sqls(), 1, "loaded again")
				return
			}
			require.Same(t, a, got)
			require.Empty(t, e.cap.sqls(), "no query")
		})
	}
}

func insertAuthor(name string) func(t *testing.T, s *orm.Session) *Author {
	return func(t *testing.T, s *orm.Session) *Author {
		a := &Author{Name: name}
		s.Add(a)
		require.NoError(t, s.Commit(context.Background()))
		return a
	}
}
