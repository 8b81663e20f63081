package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// TestExpungeRightAfterFlush: objects a Flush just inserted (keys from the
// server, transaction still open) or a Commit saved, then expunged (alone
// or by the expunge cascade): Get by their key loads them again instead of
// returning the expunged object, a later Commit neither inserts nor
// updates them, and the rows stay.
func TestExpungeRightAfterFlush(t *testing.T) {
	e, ea := setup(t, blogRegistry()), setup(t, registry())
	for _, tc := range []struct {
		name string
		save func(s *orm.Session, ctx context.Context) error
	}{
		{"after Flush", (*orm.Session).Flush},
		{"after Commit", (*orm.Session).Commit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			name := "x " + tc.name
			u := &RUser{Username: name, Posts: []*RPost{{Title: "p " + tc.name}}}
			s.Add(u)
			require.NoError(t, tc.save(s, e.ctx))
			p := u.Posts[0]
			require.NotZero(t, u.ID)
			require.NotZero(t, p.ID)
			s.Expunge(u) // cascade all: the post leaves too
			require.Equal(t, orm.Transient, s.Status(u))
			require.Equal(t, orm.Transient, s.Status(p))
			u.Username, p.Title = "changed after expunge", "changed after expunge"

			gotU, err := orm.Get[RUser](e.ctx, s, u.ID)
			require.NoError(t, err)
			require.NotSame(t, u, gotU, "Get returned the expunged user")
			require.Equal(t, name, gotU.Username)
			gotP, err := orm.Get[RPost](e.ctx, s, p.ID)
			require.NoError(t, err)
			require.NotSame(t, p, gotP, "Get returned the expunged post")

			e.cap.reset()
			require.NoError(t, s.Commit(e.ctx))
			require.Empty(t, e.statements("INSERT", "UPDATE", "DELETE"), "nothing written for expunged objects")
			require.Equal(t, [][]any{{name}}, e.rows(`SELECT username FROM users WHERE id = $1`, u.ID))
			require.Equal(t, [][]any{{"p " + tc.name}}, e.rows(`SELECT title FROM posts WHERE id = $1`, p.ID))
		})
		t.Run(tc.name+", no relationships", func(t *testing.T) {
			s := ea.db.Session()
			defer s.Close()
			name := "a " + tc.name
			a := &Author{Name: name}
			s.Add(a)
			require.NoError(t, tc.save(s, ea.ctx))
			require.NotZero(t, a.ID)
			s.Expunge(a)
			require.Equal(t, orm.Transient, s.Status(a))
			a.Name = "changed after expunge"

			got, err := orm.Get[Author](ea.ctx, s, a.ID)
			require.NoError(t, err)
			require.NotSame(t, a, got, "Get returned the expunged object")
			require.Equal(t, name, got.Name)

			ea.cap.reset()
			require.NoError(t, s.Commit(ea.ctx))
			require.Empty(t, ea.statements("INSERT", "UPDATE", "DELETE"), "nothing written for an expunged object")
			require.Equal(t, [][]any{{name}}, ea.rows(`SELECT name FROM authors WHERE id = $1`, a.ID))
		})
	}
}
