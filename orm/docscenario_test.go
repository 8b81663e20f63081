package orm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// Scenarios a new user writes from docs/session.md and
// docs/relationships.md: relationship changes combined with a failed
// flush, a rollback, a savepoint, a refresh; each checked by plain SQL.

// annsPost returns ann's post "ann one" and the two users.
func annsPost(t *testing.T, us []*RUser) (ua, ub *RUser, p *RPost) {
	t.Helper()
	ua, ub = us[0], us[1]
	for _, x := range ua.Posts {
		if x.Title == "ann one" {
			return ua, ub, x
		}
	}
	t.Fatal("ann one not loaded")
	return nil, nil, nil
}

// postOwner returns posts.user_id of the post, or 0 when the row is gone.
func postOwner(e *env, id int64) int64 {
	rows := e.rows(`SELECT user_id FROM posts WHERE id = $1`, id)
	if len(rows) == 0 {
		return 0
	}
	return rows[0][0].(int64)
}

// "When a flush fails … the session is as it was before the flush … so
// the retry plans the same statements again": a move, an orphan and a
// delete cascade, each flushed with a unique violation beside them.
func TestFailedFlushKeepsRelationshipChanges(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, tc := range []struct {
		name   string
		change func(s *orm.Session, ua, ub *RUser, p *RPost)
		owner  func(ua, ub *RUser) int64 // posts.user_id after the retry; 0: deleted
	}{
		{"moved by both sides", func(_ *orm.Session, ua, ub *RUser, p *RPost) {
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
			ub.Posts = append(ub.Posts, p)
		}, func(_, ub *RUser) int64 { return ub.ID }},
		{"moved by the reference", func(_ *orm.Session, _, ub *RUser, p *RPost) { p.User = ub },
			func(_, ub *RUser) int64 { return ub.ID }},
		{"orphaned", func(_ *orm.Session, ua, _ *RUser, p *RPost) {
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
		}, func(_, _ *RUser) int64 { return 0 }},
		{"reference set to nil", func(_ *orm.Session, _, _ *RUser, p *RPost) { p.User = nil },
			func(_, _ *RUser) int64 { return 0 }},
		{"owner deleted", func(s *orm.Session, ua, _ *RUser, _ *RPost) { s.Delete(ua) },
			func(_, _ *RUser) int64 { return 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, us := loadUsers(t, e, annID, bobID)
			ua, ub, p := annsPost(t, us)
			comments := e.rows(`SELECT count(*) FROM comments WHERE post_id = $1`, p.ID)[0][0].(int64)
			tc.change(s, ua, ub, p)
			dup := &RUser{Username: "ann"}
			s.Add(dup)
			err := s.Commit(e.ctx)
			if !errors.Is(err, orm.ErrUniqueViolation) {
				t.Fatalf("commit: %v, want a unique violation", err)
			}
			if got := postOwner(e, p.ID); got != annID {
				t.Fatalf("after the failed flush posts.user_id = %d, want ann's %d", got, annID)
			}
			if n := e.rows(`SELECT count(*) FROM comments WHERE post_id = $1`, p.ID)[0][0].(int64); n != comments {
				t.Fatalf("after the failed flush: %d comments, want %d", n, comments)
			}
			if s.Status(dup) != orm.Pending || dup.ID != 0 {
				t.Fatalf("dup is %v with id %d", s.Status(dup), dup.ID)
			}
			dup.Username = "cy"
			if err := s.Commit(e.ctx); err != nil {
				t.Fatalf("retry: %v", err)
			}
			want := tc.owner(ua, ub)
			if got := postOwner(e, p.ID); got != want {
				t.Fatalf("after the retry posts.user_id = %d, want %d", got, want)
			}
			if n := e.count("users"); n != 3 && want != 0 || n != 2 && tc.name == "owner deleted" {
				t.Fatalf("%d users", n)
			}
			e.cap.reset()
			if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
				t.Fatalf("a third commit sent %q (%v)", e.cap.sqls(), err)
			}
			// put the seed back for the next case
			e.exec(`TRUNCATE users, profiles, posts, comments, tags, post_tags, reports RESTART IDENTITY CASCADE`)
			annID, bobID = seedBlog(t, e)
		})
	}
}

// "s.Rollback(ctx) — roll back and discard every change the session
// holds": a move or an orphan, flushed or not, is discarded with the
// columns, so the next commit sends nothing and both sides name ann again.
func TestRollbackDiscardsRelationshipChanges(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, flushed := range []bool{false, true} {
		for _, tc := range []struct {
			name   string
			change func(ua, ub *RUser, p *RPost)
		}{
			{"moved by the reference", func(_, ub *RUser, p *RPost) { p.User = ub }},
			{"moved by both sides", func(ua, ub *RUser, p *RPost) {
				ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
				ub.Posts = append(ub.Posts, p)
			}},
			{"orphaned", func(ua, _ *RUser, p *RPost) {
				ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
			}},
			{"appended to a new user", func(_, _ *RUser, p *RPost) {}},
		} {
			t.Run(tc.name+map[bool]string{true: ", flushed", false: ""}[flushed], func(t *testing.T) {
				s, us := loadUsers(t, e, annID, bobID)
				ua, ub, p := annsPost(t, us)
				tc.change(ua, ub, p)
				if tc.name == "appended to a new user" {
					cy := &RUser{Username: "cy"}
					s.Add(cy)
					ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
					cy.Posts = append(cy.Posts, p)
				}
				if flushed {
					if err := s.Flush(e.ctx); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Rollback(e.ctx); err != nil {
					t.Fatal(err)
				}
				if p.UserID != annID || p.User != ua || !slices.Contains(ua.Posts, p) || slices.Contains(ub.Posts, p) {
					t.Fatalf("after the rollback: key %d, reference to ann %v, in ann's posts %v, in bob's %v",
						p.UserID, p.User == ua, slices.Contains(ua.Posts, p), slices.Contains(ub.Posts, p))
				}
				e.cap.reset()
				if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
					t.Fatalf("the commit after the rollback sent %q (%v)", e.cap.sqls(), err)
				}
				if got := postOwner(e, p.ID); got != annID || e.count("users") != 2 {
					t.Fatalf("posts.user_id = %d, %d users", got, e.count("users"))
				}
			})
		}
	}
}

// "Nested … on an error or panic, everything the closure did is undone —
// in the database and in the session."
func TestNestedMoveUndone(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	_, ub, p := annsPost(t, us)
	err := s.Nested(e.ctx, func(s *orm.Session) error {
		p.User = ub
		if err := s.Flush(e.ctx); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil || !strings.Contains(err.Error(), "changed my mind") {
		t.Fatalf("nested: %v", err)
	}
	if p.User == ub || slices.Contains(ub.Posts, p) {
		t.Fatal("the move the savepoint undid is still in the fields")
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := postOwner(e, p.ID); got != annID {
		t.Fatalf("posts.user_id = %d after the undone savepoint, want ann's %d", got, annID)
	}
}

// "s.Refresh(ctx, u) reloads u's columns and its loaded relationships
// (which posts u.Posts holds), discarding unflushed changes".
func TestRefreshDiscardsARemoval(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	ua, _, p := annsPost(t, us)
	ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
	ua.Username = "changed"
	if err := s.Refresh(e.ctx, ua); err != nil {
		t.Fatal(err)
	}
	if ua.Username != "ann" || !slices.Contains(ua.Posts, p) {
		t.Fatalf("after the refresh: %q, holds the post %v", ua.Username, slices.Contains(ua.Posts, p))
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if postOwner(e, p.ID) != annID {
		t.Fatalf("the post is gone after a refresh put it back (sent %q)", e.cap.sqls())
	}
}

// "If the transaction had already flushed earlier work …, that work was
// rolled back too, and the session puts it back as pending changes as
// well: the retry writes everything again."
func TestRetryRewritesEarlierFlushedRelationshipChanges(t *testing.T) {
	e := setup(t, blogRegistry())
	for _, tc := range []struct {
		name   string
		change func(s *orm.Session, ua, ub *RUser, p *RPost)
		owner  func(ua, ub *RUser) int64 // posts.user_id after the retry; 0: deleted
	}{
		{"moved by both sides", func(_ *orm.Session, ua, ub *RUser, p *RPost) {
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
			ub.Posts = append(ub.Posts, p)
		}, func(_, ub *RUser) int64 { return ub.ID }},
		{"moved by the reference", func(_ *orm.Session, _, ub *RUser, p *RPost) { p.User = ub },
			func(_, ub *RUser) int64 { return ub.ID }},
		{"orphaned", func(_ *orm.Session, ua, _ *RUser, p *RPost) {
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
		}, func(_, _ *RUser) int64 { return 0 }},
		{"owner deleted", func(s *orm.Session, ua, _ *RUser, _ *RPost) { s.Delete(ua) },
			func(_, _ *RUser) int64 { return 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(`TRUNCATE users, profiles, posts, comments, tags, post_tags, reports RESTART IDENTITY CASCADE`)
			annID, bobID := seedBlog(t, e)
			s, us := loadUsers(t, e, annID, bobID)
			ua, ub, p := annsPost(t, us)
			tc.change(s, ua, ub, p)
			if err := s.Flush(e.ctx); err != nil {
				t.Fatal(err)
			}
			dup := &RUser{Username: "bob"}
			s.Add(dup)
			if err := s.Commit(e.ctx); !errors.Is(err, orm.ErrUniqueViolation) {
				t.Fatalf("commit: %v, want a unique violation", err)
			}
			if got := postOwner(e, p.ID); got != annID {
				t.Fatalf("after the failed commit posts.user_id = %d, want ann's %d", got, annID)
			}
			dup.Username = "cy"
			if err := s.Commit(e.ctx); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got, want := postOwner(e, p.ID), tc.owner(ua, ub); got != want {
				t.Fatalf("after the retry posts.user_id = %d, want %d", got, want)
			}
		})
	}
}
