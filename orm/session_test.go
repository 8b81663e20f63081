package orm_test

import (
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
