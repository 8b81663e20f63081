package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// Note implements every lifecycle hook: each records its call in the log
// the context carries, and fails (or panics) when its Fail field names it.
type Note struct {
	ID      int64 `orm:"pk"`
	Title   string
	Slug    string
	Edits   int64
	Fail    string `orm:"-"`
	Loaded  bool   `orm:"-"`
	Deleted bool   `orm:"-"`
}

type logKey struct{}

var errHook = errors.New("hook says no")

func (n *Note) hook(ctx context.Context, name string) error {
	if log, ok := ctx.Value(logKey{}).(*[]string); ok {
		*log = append(*log, fmt.Sprintf("%s %s #%d", name, n.Title, n.ID))
	}
	switch n.Fail {
	case name:
		return errHook
	case "panic " + name:
		panic("hook panic")
	}
	return nil
}

func (n *Note) BeforeInsert(ctx context.Context) error {
	n.Slug = strings.ToLower(strings.ReplaceAll(n.Title, " ", "-"))
	return n.hook(ctx, "BeforeInsert")
}
func (n *Note) AfterInsert(ctx context.Context) error { return n.hook(ctx, "AfterInsert") }
func (n *Note) BeforeUpdate(ctx context.Context) error {
	n.Slug = strings.ToLower(strings.ReplaceAll(n.Title, " ", "-"))
	n.Edits++
	return n.hook(ctx, "BeforeUpdate")
}
func (n *Note) AfterUpdate(ctx context.Context) error  { return n.hook(ctx, "AfterUpdate") }
func (n *Note) BeforeDelete(ctx context.Context) error { return n.hook(ctx, "BeforeDelete") }
func (n *Note) AfterDelete(ctx context.Context) error {
	n.Deleted = true
	return n.hook(ctx, "AfterDelete")
}
func (n *Note) AfterLoad(ctx context.Context) error {
	n.Loaded = true
	return n.hook(ctx, "AfterLoad")
}

func noteEnv(t *testing.T) (*env, context.Context, *[]string) {
	e := setup(t, orm.MustRegistry(&Note{}))
	log := &[]string{}
	return e, context.WithValue(e.ctx, logKey{}, log), log
}

func TestHooksInAFlush(t *testing.T) {
	e, ctx, log := noteEnv(t)
	s := e.db.Session()
	defer s.Close()
	a, b := &Note{Title: "First Note"}, &Note{Title: "Second"}
	s.Add(a, b)
	require.NoError(t, s.Commit(ctx))
	require.Equal(t, []string{
		"BeforeInsert First Note #0", "BeforeInsert Second #0",
		fmt.Sprintf("AfterInsert First Note #%d", a.ID), fmt.Sprintf("AfterInsert Second #%d", b.ID),
	}, *log, "Before hooks before the statements, After hooks with the keys read back")
	require.Equal(t, [][]any{{"first-note"}, {"second"}}, e.rows("SELECT slug FROM notes ORDER BY id"), "fields a Before hook sets are written")
	sqls := e.cap.sqls()
	require.Equal(t, "COMMIT", sqls[len(sqls)-1], "the COMMIT goes after the After hooks")

	*log = nil
	e.cap.reset()
	a.Title = "Renamed"
	require.NoError(t, s.Commit(ctx))
	require.Equal(t, []string{fmt.Sprintf("BeforeUpdate Renamed #%d", a.ID), fmt.Sprintf("AfterUpdate Renamed #%d", a.ID)}, *log,
		"only the changed object")
	require.Contains(t, e.cap.sqls()[1], `SET "title" = $1, "slug" = $2, "edits" = $3`, "the hook's changes are found by the dirty check")
	require.Equal(t, [][]any{{"renamed", int64(1)}}, e.rows("SELECT slug, edits FROM notes WHERE id = $1", a.ID))

	*log = nil
	s.Delete(b)
	require.NoError(t, s.Commit(ctx))
	require.Equal(t, []string{fmt.Sprintf("BeforeDelete Second #%d", b.ID), fmt.Sprintf("AfterDelete Second #%d", b.ID)}, *log)
	require.True(t, b.Deleted)
}

func TestAfterLoad(t *testing.T) {
	e, ctx, log := noteEnv(t)
	s := e.db.Session()
	s.Add(&Note{Title: "a"}, &Note{Title: "b"})
	require.NoError(t, s.Commit(ctx))
	require.NoError(t, s.Close())

	cases := []struct {
		name string
		load func(s *orm.Session) ([]*Note, error)
	}{
		{"query", func(s *orm.Session) ([]*Note, error) { return orm.Query[Note](s).OrderBy("ID").All(ctx) }},
		{"raw", func(s *orm.Session) ([]*Note, error) {
			return orm.Raw[Note](s, "SELECT * FROM notes ORDER BY id").All(ctx)
		}},
		{"get", func(s *orm.Session) ([]*Note, error) {
			ids := e.rows("SELECT id FROM notes ORDER BY id")
			var out []*Note
			for _, id := range ids {
				n, err := orm.Get[Note](ctx, s, id[0])
				if err != nil {
					return nil, err
				}
				out = append(out, n)
			}
			return out, nil
		}},
		{"iter", func(s *orm.Session) ([]*Note, error) {
			var out []*Note
			for n, err := range orm.Query[Note](s).OrderBy("ID").Iter(ctx) {
				if err != nil {
					return nil, err
				}
				out = append(out, n)
			}
			return out, nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			*log = nil
			s := e.db.Session()
			defer s.Close()
			notes, err := tc.load(s)
			require.NoError(t, err)
			require.Len(t, notes, 2)
			for _, n := range notes {
				require.True(t, n.Loaded)
			}
			require.Equal(t, []string{fmt.Sprintf("AfterLoad a #%d", notes[0].ID), fmt.Sprintf("AfterLoad b #%d", notes[1].ID)}, *log)
		})
	}
}

func TestHookFailures(t *testing.T) {
	e, ctx, _ := noteEnv(t)
	cases := []struct {
		name  string
		fail  string
		panic bool
	}{
		{"before insert fails", "BeforeInsert", false},
		{"before insert panics", "panic BeforeInsert", true},
		{"after insert fails", "AfterInsert", false},
		{"after insert panics", "panic AfterInsert", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			ok, bad := &Note{Title: "Fine"}, &Note{Title: "Bad One", Fail: tc.fail}
			s.Add(ok, bad)
			err := s.Commit(ctx)
			var he *orm.HookError
			require.ErrorAs(t, err, &he)
			require.Equal(t, strings.TrimPrefix(tc.fail, "panic "), he.Hook)
			require.Contains(t, he.Model, "Note")
			if tc.panic {
				require.ErrorIs(t, err, orm.ErrHookPanic)
				require.Equal(t, "hook panic", he.Panic)
			} else {
				require.ErrorIs(t, err, errHook)
			}
			require.Zero(t, e.count("notes"), "nothing written")
			for _, n := range []*Note{ok, bad} {
				require.Equal(t, orm.Pending, s.Status(n), "the session is as before the flush")
				require.Zero(t, n.ID)
				require.Empty(t, n.Slug, "what the Before hook assigned is put back")
			}
			bad.Fail = ""
			require.NoError(t, s.Commit(ctx), "fixed, the flush goes through")
			require.Equal(t, int64(2), e.count("notes"))
			e.exec("TRUNCATE notes")
		})
	}
}

func TestAfterLoadFailure(t *testing.T) {
	e, ctx, _ := noteEnv(t)
	e.exec("INSERT INTO notes (title, slug, edits) VALUES ('x', 'x', 0)")
	s := e.db.Session()
	defer s.Close()
	notes, err := orm.Query[Note](s).All(ctx)
	require.NoError(t, err)
	notes[0].Fail = "AfterLoad" // not a column: a reload keeps it
	_, err = orm.Query[Note](s).Refresh().All(ctx)
	require.ErrorIs(t, err, errHook)
	var he *orm.HookError
	require.ErrorAs(t, err, &he)
	require.Equal(t, "AfterLoad", he.Hook)
}
