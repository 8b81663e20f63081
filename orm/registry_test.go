package orm_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
	"github.com/crucible-orm/crucible/schema"
)

type noKey struct {
	Name string
}

type badVersion struct {
	ID      int64  `orm:"pk"`
	Version string `orm:"version"`
}

func TestRegistryErrors(t *testing.T) {
	cases := []struct {
		name   string
		models []any
		want   []error
	}{
		{"not a pointer", []any{Author{}}, []error{orm.ErrUnknownModel}},
		{"nil", []any{nil}, []error{orm.ErrUnknownModel}},
		{"no primary key", []any{&noKey{}}, []error{orm.ErrNoPrimaryKey}},
		{"version not an integer", []any{&badVersion{}}, []error{schema.ErrBadValue}},
		{"all mistakes at once", []any{&noKey{}, &badVersion{}}, []error{orm.ErrNoPrimaryKey, schema.ErrBadValue}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := orm.NewRegistry(tc.models...)
			require.Nil(t, reg)
			for _, w := range tc.want {
				require.ErrorIs(t, err, w)
			}
			require.Panics(t, func() { orm.MustRegistry(tc.models...) })
		})
	}
}

func TestRegistryLookups(t *testing.T) {
	reg := registry()
	require.Equal(t, "authors", reg.Table(&Author{}).Name)
	require.Equal(t, "books", reg.Table(Book{}).Name)
	require.Nil(t, reg.Table(&noKey{}))
	require.NotNil(t, reg.Metadata().Table("nodes"))
	require.NotNil(t, reg.Relations())

	_, err := orm.New(nil, nil)
	require.ErrorIs(t, err, orm.ErrUnknownModel)
}

func TestUnregisteredAndClosed(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	s.Add(&noKey{})
	require.ErrorIs(t, s.Flush(e.ctx), orm.ErrUnknownModel)
	_, err := orm.Get[noKey](e.ctx, s, 1)
	require.ErrorIs(t, err, orm.ErrUnknownModel)
	_, err = orm.Query[noKey](s).All(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownModel)
	_, err = orm.Update[noKey](s).Set("Name", "x").Where("true").Exec(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownModel)
	_, err = orm.Delete[noKey](s).Where("true").Exec(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownModel)
	plain, err := orm.Raw[noKey](s, "SELECT 'x' AS name").One(e.ctx) // any struct: scanned, untracked
	require.NoError(t, err)
	require.Equal(t, "x", plain.Name)
	_, err = orm.Query[noKey](s).OrderBy("x").Load("Y").Count(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownModel)
	_, err = orm.Get[Author](e.ctx, s, "not an int")
	require.ErrorIs(t, err, orm.ErrBadKey)
	s.Delete(&Author{Name: "never added"})
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrNotPersistent)

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close twice")
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrSessionClosed)
	_, err = orm.Query[Author](s).All(e.ctx)
	require.ErrorIs(t, err, orm.ErrSessionClosed)
}

func TestCreateDropAll(t *testing.T) {
	e := setup(t, registry())
	require.NoError(t, e.db.DropAll(e.ctx))
	require.Equal(t, [][]any{{int64(0)}}, e.rows(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`))
	require.NoError(t, e.db.CreateAll(e.ctx))
	require.Equal(t, [][]any{{int64(3)}}, e.rows(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`))
	require.Error(t, e.db.CreateAll(e.ctx), "the tables exist: all or nothing")
	require.Equal(t, [][]any{{int64(3)}}, e.rows(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`))
}

// TestConcurrentSessions shares one DB between goroutines, each with its
// own sessions (run with -race).
func TestConcurrentSessions(t *testing.T) {
	e := setup(t, registry())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				errs <- e.db.Transaction(context.Background(), func(s *orm.Session) error {
					s.Add(&Author{Name: "g" + string(rune('a'+g)) + string(rune('0'+i))})
					_, err := orm.Query[Author](s).Count(context.Background())
					return err
				})
			}
		}()
	}
	go func() { wg.Wait(); close(errs) }()
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(40), e.count("authors"))
}
