package orm_test

import (
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// TestExpungeAfterMove: a post moved from ann to another user, then ann
// expunged. The expunge cascade takes ann's children, but not the one the
// program attached elsewhere: the commit moves it (one UPDATE) and sends
// nothing for ann and what left with her.
func TestExpungeAfterMove(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, tc := range []struct {
		name string
		move func(s *orm.Session, ua, ub *RUser, p *RPost) *RUser // returns the new parent
	}{
		{"appended to the new parent only", func(_ *orm.Session, _, ub *RUser, p *RPost) *RUser {
			ub.Posts = append(ub.Posts, p)
			return ub
		}},
		{"reference pointed at the new parent", func(_ *orm.Session, _, ub *RUser, p *RPost) *RUser {
			p.User = ub
			return ub
		}},
		{"to a parent created in the same flush", func(s *orm.Session, _, _ *RUser, p *RPost) *RUser {
			nu := &RUser{Username: "cat", Posts: []*RPost{p}}
			s.Add(nu)
			return nu
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, us := loadUsers(t, e, annID, bobID)
			ua, ub := us[0], us[1]
			if ua.ID != annID {
				ua, ub = ub, ua
			}
			p, kept := ua.Posts[0], ua.Posts[1]
			to := tc.move(s, ua, ub, p)
			ua.Username = "changed, then expunged"
			s.Expunge(ua)
			if s.Status(p) == orm.Transient || s.Status(kept) != orm.Transient || s.Status(ua.Profile) != orm.Transient {
				t.Fatalf("after the expunge: moved post %v, other post %v, profile %v", s.Status(p), s.Status(kept), s.Status(ua.Profile))
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID)[0][0]; got != to.ID {
				t.Fatalf("moved post: user_id %v, want %d", got, to.ID)
			}
			if got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, kept.ID)[0][0]; got != annID {
				t.Fatalf("ann's other post: user_id %v", got)
			}
			if got := e.rows(`SELECT username FROM users WHERE id = $1`, annID)[0][0]; got != "ann" {
				t.Fatalf("ann: %v", got)
			}
			if !slices.Contains(to.Posts, p) || p.User != to {
				t.Fatalf("in memory: in the new parent %v, reference to it %v", slices.Contains(to.Posts, p), p.User == to)
			}
			// back to ann for the next case
			if _, err := s.Exec(e.ctx, "UPDATE posts SET user_id = ? WHERE id = ?", annID, p.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestExpungeNewParentAfterMove: a post moved from ann to another user,
// then that user expunged: the post leaves with its new parent (expunge
// cascade), so the commit sends nothing — above all, the post that left
// ann's collection is not deleted as an orphan.
func TestExpungeNewParentAfterMove(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, tc := range []struct {
		name string
		move func(s *orm.Session, ua, ub *RUser, p *RPost) *RUser // returns the parent to expunge
	}{
		{"moved by both sides to a loaded user", func(_ *orm.Session, ua, ub *RUser, p *RPost) *RUser {
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
			ub.Posts = append(ub.Posts, p)
			return ub
		}},
		{"moved to a new user", func(s *orm.Session, ua, _ *RUser, p *RPost) *RUser {
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
			nu := &RUser{Username: "dan", Posts: []*RPost{p}}
			s.Add(nu)
			return nu
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, us := loadUsers(t, e, annID, bobID)
			ua, ub := us[0], us[1]
			p := ua.Posts[0]
			s.Expunge(tc.move(s, ua, ub, p))
			if s.Status(p) != orm.Transient {
				t.Fatalf("the moved post is %v", s.Status(p))
			}
			if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
				t.Fatalf("commit sent %q (%v)", e.cap.sqls(), err)
			}
			if got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID); len(got) != 1 || got[0][0] != annID {
				t.Fatalf("the post's row: %v", got)
			}
		})
	}
}
