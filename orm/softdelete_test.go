package orm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// A blog is soft-deletable, and so are its entries; its jots are not.
type Blog struct {
	ID        int64      `orm:"pk"`
	Name      string     `orm:"unique"`
	DeletedAt *time.Time `orm:"soft_delete"`
	Entries   []*Entry   `rel:"one_to_many,back_populates:Blog,cascade:all|delete-orphan,order_by:id"`
	Jots      []*Jot     `rel:"one_to_many,back_populates:Blog,cascade:all"`
}

type Entry struct {
	ID        int64 `orm:"pk"`
	BlogID    int64 `orm:"fk:blogs.id"`
	Title     string
	Version   int64      `orm:"version"`
	DeletedAt *time.Time `orm:"soft_delete"`
	Blog      *Blog      `rel:"many_to_one,back_populates:Entries"`
}

type Jot struct {
	ID     int64 `orm:"pk"`
	BlogID int64 `orm:"fk:blogs.id"`
	Text   string
	Blog   *Blog `rel:"many_to_one,back_populates:Jots"`
}

func blogEnv(t *testing.T) (*env, map[string]*Blog) {
	e := setup(t, orm.MustRegistry(&Blog{}, &Entry{}, &Jot{}))
	s := e.db.Session()
	defer s.Close()
	blogs := map[string]*Blog{}
	for _, n := range []string{"go", "sql", "old"} {
		b := &Blog{Name: n, Entries: []*Entry{{Title: n + "1"}, {Title: n + "2"}}, Jots: []*Jot{{Text: n}}}
		blogs[n] = b
		s.Add(b)
	}
	require.NoError(t, s.Commit(e.ctx))
	e.cap.reset()
	return e, blogs
}

func TestSoftDeleteCascades(t *testing.T) {
	e, blogs := blogEnv(t)
	s := e.db.Session()
	defer s.Close()
	b, err := orm.Query[Blog](s).Where("name = ?", "go").Load("Entries", "Jots").One(e.ctx)
	require.NoError(t, err)
	e.cap.reset()
	s.Delete(b)
	require.NoError(t, s.Commit(e.ctx))

	for _, q := range e.cap.sqls() {
		require.NotContains(t, q, "DELETE", "a soft delete deletes no row")
	}
	require.NotNil(t, b.DeletedAt, "the time is read back")
	require.Equal(t, orm.Transient, s.Status(b))
	require.Equal(t, [][]any{{"go", true}, {"old", false}, {"sql", false}}, e.rows("SELECT name, deleted_at IS NOT NULL FROM blogs ORDER BY name"))
	require.Equal(t, [][]any{{"go1", true, int64(2)}, {"go2", true, int64(2)}, {"old1", false, int64(1)}},
		e.rows("SELECT title, deleted_at IS NOT NULL, version FROM entries WHERE title IN ('go1', 'go2', 'old1') ORDER BY title"),
		"the delete cascade soft-deletes the soft-deletable children (an UPDATE: the version counts)")
	require.Equal(t, int64(3), e.count("jots"), "children that cannot be soft-deleted stay: their parent's row is still there")
	_ = blogs
}

func TestSoftDeletedRowsAreHidden(t *testing.T) {
	e, blogs := blogEnv(t)
	s := e.db.Session()
	s.Delete(mustGet[Blog](t, e, s, blogs["old"].ID))
	require.NoError(t, s.Commit(e.ctx))
	require.NoError(t, s.Close())
	oldID := blogs["old"].ID

	cases := []struct {
		name string
		run  func(s *orm.Session) (any, error)
		want any
	}{
		{"query", func(s *orm.Session) (any, error) { return blogNames(orm.Query[Blog](s).OrderBy("Name").All(e.ctx)) }, []string{"go", "sql"}},
		{"with deleted", func(s *orm.Session) (any, error) {
			return blogNames(orm.Query[Blog](s).WithDeleted().OrderBy("Name").All(e.ctx))
		}, []string{"go", "old", "sql"}},
		{"only deleted", func(s *orm.Session) (any, error) { return blogNames(orm.Query[Blog](s).OnlyDeleted().All(e.ctx)) }, []string{"old"}},
		{"count", func(s *orm.Session) (any, error) { return orm.Query[Entry](s).Count(e.ctx) }, int64(4)},
		{"get", func(s *orm.Session) (any, error) {
			_, err := orm.Get[Blog](e.ctx, s, oldID)
			return err != nil && strings.Contains(err.Error(), "no rows"), nil
		}, true},
		{"relationship load", func(s *orm.Session) (any, error) {
			b, err := orm.Query[Blog](s).WithDeleted().Where("name = ?", "old").Load("Entries").One(e.ctx)
			if err != nil {
				return nil, err
			}
			return len(b.Entries), nil
		}, 0},
		{"joined load", func(s *orm.Session) (any, error) {
			j, err := orm.Query[Jot](s).Where("text = ?", "old").LoadJoined("Blog").One(e.ctx)
			if err != nil {
				return nil, err
			}
			return j.Blog == nil, nil
		}, true},
		{"join", func(s *orm.Session) (any, error) { return orm.Query[Jot](s).Join("Blog").Count(e.ctx) }, int64(2)},
		{"join with deleted", func(s *orm.Session) (any, error) { return orm.Query[Jot](s).Join("Blog").WithDeleted().Count(e.ctx) }, int64(3)},
		{"has", func(s *orm.Session) (any, error) { return orm.Query[Jot](s).Has("Blog").Count(e.ctx) }, int64(2)},
		{"projection", func(s *orm.Session) (any, error) {
			n, err := orm.Select[int64](orm.Query[Entry](s), orm.CountAll()).One(e.ctx)
			return *n, err
		}, int64(4)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			got, err := tc.run(s)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func blogNames(bs []*Blog, err error) ([]string, error) {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Name
	}
	return out, err
}

func TestHardDelete(t *testing.T) {
	e, blogs := blogEnv(t)
	s := e.db.Session()
	defer s.Close()
	// One entry is soft-deleted already: the real delete of its blog must
	// remove it too.
	en := mustGet[Entry](t, e, s, blogs["sql"].Entries[0].ID)
	s.Delete(en)
	require.NoError(t, s.Commit(e.ctx))
	e.cap.reset()

	s.HardDelete(mustGet[Blog](t, e, s, blogs["sql"].ID))
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{"go"}, {"old"}}, e.rows("SELECT name FROM blogs ORDER BY name"))
	require.Equal(t, int64(4), e.count("entries"), "its entries are gone, the soft-deleted one too")
	require.Equal(t, int64(2), e.count("jots"))
}

func TestSoftDeleteStatements(t *testing.T) {
	e, _ := blogEnv(t)
	s := e.db.Session()
	defer s.Close()
	n, err := orm.Delete[Entry](s).Where("title LIKE ?", "go%").Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	n, err = orm.Delete[Entry](s).Where("title LIKE ?", "go%").Exec(e.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "soft-deleted rows are left out")
	n, err = orm.Update[Entry](s).Set("Title", "x").AllRows().Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(4), n, "so are they from a bulk update")
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(6), e.count("entries"))

	n, err = orm.Delete[Entry](s).WithDeleted().Hard().Where("deleted_at IS NOT NULL").Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), n, "a purge")
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(4), e.count("entries"))
}

func TestSoftDeleteUndoneAndUndeleted(t *testing.T) {
	e, blogs := blogEnv(t)
	s := e.db.Session()
	defer s.Close()
	b := mustGet[Blog](t, e, s, blogs["go"].ID)
	s.Delete(b)
	s.Add(&Blog{Name: "sql"}) // unique violation: the flush fails
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrUniqueViolation)
	require.Nil(t, b.DeletedAt, "the failed flush puts the column back")
	require.Equal(t, orm.Persistent, s.Status(b))
	require.Equal(t, [][]any{{false}}, e.rows("SELECT deleted_at IS NOT NULL FROM blogs WHERE name = 'go'"))

	s2 := e.db.Session()
	defer s2.Close()
	s2.Delete(mustGet[Blog](t, e, s2, blogs["go"].ID))
	require.NoError(t, s2.Commit(e.ctx))
	back, err := orm.Query[Blog](s2).OnlyDeleted().Where("name = ?", "go").One(e.ctx)
	require.NoError(t, err)
	require.NoError(t, s2.Refresh(e.ctx, back), "Refresh reads a soft-deleted row")
	back.DeletedAt = nil // undelete: an ordinary change
	require.NoError(t, s2.Commit(e.ctx))
	got, err := orm.Get[Blog](e.ctx, s2, blogs["go"].ID)
	require.NoError(t, err)
	require.Same(t, back, got)
}

type twoSoftDeletes struct {
	ID        int64      `orm:"pk"`
	DeletedAt *time.Time `orm:"soft_delete"`
	RemovedAt *time.Time `orm:"soft_delete"`
}

func TestSoftDeleteRegistration(t *testing.T) {
	_, err := orm.NewRegistry(&twoSoftDeletes{})
	require.ErrorContains(t, err, "second soft_delete column")
}

// Member's email is unique among the live rows only: a partial unique
// index, which upserts can target.
type Member struct {
	ID        int64      `orm:"pk"`
	Email     string     `orm:"unique_index:uq_members_live_email,where:deleted_at IS NULL"`
	Visits    int64      `orm:"default:1"`
	DeletedAt *time.Time `orm:"soft_delete"`
}

func TestSoftDeleteWithPartialUniqueIndex(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Member{}))
	s := e.db.Session()
	defer s.Close()
	old := &Member{Email: "a@x"}
	s.Add(old)
	require.NoError(t, s.Commit(e.ctx))
	s.Delete(old)
	require.NoError(t, s.Commit(e.ctx))

	again := &Member{Email: "a@x"} // the deleted row does not hold the email
	s.Add(again)
	require.NoError(t, s.Commit(e.ctx))

	e.cap.reset()
	res, err := orm.Insert(s, &Member{Email: "a@x", Visits: 5}).OnConflict("Email").
		Set("Visits", orm.SQL("members.visits + EXCLUDED.visits")).Exec(e.ctx)
	require.NoError(t, err)
	require.Same(t, again, res.Rows[0], "the live row, held by the session")
	require.Equal(t, int64(6), again.Visits)
	require.Contains(t, e.cap.sqls()[len(e.cap.sqls())-1], `ON CONFLICT ("email") WHERE deleted_at IS NULL DO UPDATE`)
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{true, int64(1)}, {false, int64(6)}},
		e.rows("SELECT deleted_at IS NOT NULL, visits FROM members ORDER BY id"))
}
