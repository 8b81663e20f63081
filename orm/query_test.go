package orm_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func seedAuthors(t *testing.T, e *env, n int) []*Author {
	t.Helper()
	s := e.db.Session()
	defer s.Close()
	out := make([]*Author, n)
	for i := range out {
		out[i] = &Author{Name: fmt.Sprintf("a%02d", i), Rank: int64(i%3 + 1)}
		s.Add(out[i])
	}
	require.NoError(t, s.Commit(e.ctx))
	e.cap.reset()
	return out
}

func names(as []*Author) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

func TestQuery(t *testing.T) {
	e := setup(t, registry())
	seedAuthors(t, e, 6)
	s := e.db.Session()
	defer s.Close()
	cases := []struct {
		name string
		q    func() ([]*Author, error)
		want []string
		err  error
	}{
		{"order desc with limit", func() ([]*Author, error) { return orm.Query[Author](s).OrderBy("-name").Limit(2).All(e.ctx) }, []string{"a05", "a04"}, nil},
		{"field name and offset", func() ([]*Author, error) {
			return orm.Query[Author](s).OrderBy("Rank", "-Name").Offset(4).All(e.ctx)
		}, []string{"a05", "a02"}, nil},
		{"where with two conditions", func() ([]*Author, error) {
			return orm.Query[Author](s).Where("rank = ?", 2).Where("name <> ?", "a01").All(e.ctx)
		}, []string{"a04"}, nil},
		{"any of a slice", func() ([]*Author, error) {
			return orm.Query[Author](s).Where("name = ANY(?)", []string{"a01", "a03"}).OrderBy("name").All(e.ctx)
		}, []string{"a01", "a03"}, nil},
		{"question mark in a string is not a placeholder", func() ([]*Author, error) {
			return orm.Query[Author](s).Where("name <> '?' AND name = ?", "a00").All(e.ctx)
		}, []string{"a00"}, nil},
		{"unknown order column", func() ([]*Author, error) { return orm.Query[Author](s).OrderBy("nope").All(e.ctx) }, nil, orm.ErrUnknownColumn},
		{"sql in order by is refused", func() ([]*Author, error) {
			return orm.Query[Author](s).OrderBy("name; DROP TABLE authors").All(e.ctx)
		}, nil, orm.ErrUnknownColumn},
		{"too few arguments", func() ([]*Author, error) { return orm.Query[Author](s).Where("name = ? OR name = ?", "x").All(e.ctx) }, nil, orm.ErrPlaceholders},
		{"dollar parameter refused", func() ([]*Author, error) { return orm.Query[Author](s).Where("name = $1", "x").All(e.ctx) }, nil, orm.ErrSyntax},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			got, err := tc.q()
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Empty(t, e.cap.sqls(), "nothing sent")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, names(got))
		})
	}
}

func TestQueryShapes(t *testing.T) {
	e := setup(t, registry())
	seedAuthors(t, e, 3)
	s := e.db.Session()
	defer s.Close()

	n, err := orm.Query[Author](s).Where("rank > ?", 1).Count(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	ok, err := orm.Query[Author](s).Where("name = ?", "a02").Exists(e.ctx)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = orm.Query[Author](s).Where("name = ?", "zz").Exists(e.ctx)
	require.NoError(t, err)
	require.False(t, ok)

	one, err := orm.Query[Author](s).Where("name = ?", "a01").One(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "a01", one.Name)
	_, err = orm.Query[Author](s).One(e.ctx)
	require.ErrorIs(t, err, orm.ErrMultipleRows)
	_, err = orm.Query[Author](s).Where("name = ?", "zz").One(e.ctx)
	require.ErrorIs(t, err, orm.ErrNotFound)
	first, err := orm.Query[Author](s).OrderBy("-name").First(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "a02", first.Name)
	require.Same(t, first, mustGet[Author](t, e, s, first.ID), "identity map")
}

func mustGet[T any](t *testing.T, e *env, s *orm.Session, key ...any) *T {
	t.Helper()
	v, err := orm.Get[T](e.ctx, s, key...)
	require.NoError(t, err)
	return v
}

func TestIdentityMapMerge(t *testing.T) {
	e := setup(t, registry())
	seedAuthors(t, e, 2)
	s := e.db.Session()
	defer s.Close()
	s.SetAutoflush(false)
	all, err := orm.Query[Author](s).OrderBy("name").All(e.ctx)
	require.NoError(t, err)
	a0, a1 := all[0], all[1]
	e.exec(`UPDATE authors SET rank = 50`)
	a0.Name = "unflushed"

	again, err := orm.Query[Author](s).OrderBy("id").All(e.ctx)
	require.NoError(t, err)
	require.Same(t, a0, again[0])
	require.Same(t, a1, again[1])
	require.Equal(t, "unflushed", a0.Name, "an object with unflushed changes is not overwritten")
	require.Equal(t, int64(1), a0.Rank)
	require.Equal(t, int64(50), a1.Rank, "a clean object takes the loaded values")

	_, err = orm.Query[Author](s).Refresh().All(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "a00", a0.Name, "Refresh overwrites")
	require.Equal(t, int64(50), a0.Rank)

	e.cap.reset()
	got, err := orm.Get[Author](e.ctx, s, a1.ID)
	require.NoError(t, err)
	require.Same(t, a1, got)
	require.Empty(t, e.cap.sqls(), "Get of a held object sends nothing")
}

func TestAutoflush(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	s.Add(&Author{Name: "pending"})
	n, err := orm.Query[Author](s).Count(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "the query sees the pending object")
	require.NoError(t, s.Rollback(e.ctx))
	require.Equal(t, int64(0), e.count("authors"))

	s.SetAutoflush(false)
	n, err = orm.Query[Author](s).Count(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(0), n, "autoflush off")
}

func TestIter(t *testing.T) {
	e := setup(t, registry())
	seedAuthors(t, e, 5)
	s := e.db.Session()
	defer s.Close()
	held, err := orm.Get[Author](e.ctx, s, int64(2))
	require.NoError(t, err)
	var seen []string
	for a, err := range orm.Query[Author](s).OrderBy("id").Iter(e.ctx) {
		require.NoError(t, err)
		seen = append(seen, a.Name)
		if a.ID == 2 {
			require.Same(t, held, a, "held rows come back as the held object")
		} else {
			require.Equal(t, orm.Transient, s.Status(a), "streamed rows are not tracked")
		}
		if len(seen) == 4 {
			break
		}
	}
	require.Equal(t, []string{"a00", "a01", "a02", "a03"}, seen)
	for _, err := range orm.Query[Author](s).OrderBy("nope").Iter(e.ctx) {
		require.ErrorIs(t, err, orm.ErrUnknownColumn)
	}
}

func TestBulkUpdateDelete(t *testing.T) {
	e := setup(t, registry())
	seedAuthors(t, e, 4)
	s := e.db.Session()
	defer s.Close()
	all, err := orm.Query[Author](s).OrderBy("id").All(e.ctx)
	require.NoError(t, err)

	n, err := orm.Update[Author](s).Where("rank = ?", 1).Set("Rank", 10).Set("bio", orm.SQL("name || '!'")).Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	require.Equal(t, int64(10), all[0].Rank, "held objects take the new values")
	require.Equal(t, "a00!", *all[0].Bio)
	require.Equal(t, int64(10), all[3].Rank)
	require.Equal(t, int64(2), all[1].Rank)
	e.cap.reset()
	require.NoError(t, s.Flush(e.ctx))
	require.Empty(t, e.cap.sqls(), "the bulk update left no dirty objects")

	n, err = orm.Update[Author](s).Where("id = ?", all[1].ID).Set("bio", orm.Default).Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	require.Equal(t, "none", *all[1].Bio)

	n, err = orm.Delete[Author](s).Where("rank = ?", 10).Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	require.Equal(t, orm.Deleted, s.Status(all[0]))
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(2), e.count("authors"))
	require.Equal(t, orm.Transient, s.Status(all[0]))

	_, err = orm.Delete[Author](s).Exec(e.ctx)
	require.ErrorIs(t, err, orm.ErrNoCondition)
	_, err = orm.Update[Author](s).Set("nope", 1).Where("true").Exec(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownColumn)
	n, err = orm.Delete[Author](s).AllRows().Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	require.NoError(t, s.Rollback(e.ctx))
	require.Equal(t, int64(2), e.count("authors"))
}

func TestRawAndRepository(t *testing.T) {
	e := setup(t, registry())
	seedAuthors(t, e, 3)
	s := e.db.Session()
	defer s.Close()
	full, err := orm.Raw[Author](s, "SELECT * FROM authors WHERE name = ?", "a01").One(e.ctx)
	require.NoError(t, err)
	require.Equal(t, orm.Persistent, s.Status(full))
	part, err := orm.Raw[Author](s, "SELECT id, name FROM authors ORDER BY id").All(e.ctx)
	require.NoError(t, err)
	require.Len(t, part, 3)
	require.Equal(t, orm.Transient, s.Status(part[0]), "partial rows stay out of the identity map")
	_, err = orm.Raw[Author](s, "SELECT 1 AS nope").All(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownColumn)

	n, err := s.Exec(e.ctx, "UPDATE authors SET rank = ? WHERE name = ?", 5, "a02")
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	require.NoError(t, s.Commit(e.ctx))

	repo := orm.NewRepository[Author](s)
	got, err := repo.Find(e.ctx, "rank = ?", 5)
	require.NoError(t, err)
	require.Equal(t, []string{"a02"}, names(got))
	repo.Add(&Author{Name: "new"})
	repo.Delete(got[0])
	require.NoError(t, s.Commit(e.ctx))
	all, err := repo.Find(e.ctx, "")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a00", "a01", "new"}, names(all))
	byKey, err := repo.Get(e.ctx, all[0].ID)
	require.NoError(t, err)
	require.Same(t, all[0], byKey)
}
