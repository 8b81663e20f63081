package orm_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// TestRollbackAfterBulkForeignKeyUpdate: a statement-level UPDATE of a
// foreign key moves the held child between its parents' collections (the
// fields follow the row). When the transaction that ran it is rolled back
// — Rollback, a failed flush or commit, a Nested function's error — the
// row did not move, and neither may the objects: the child is back in its
// first parent's collection and out of the other's, its key and reference
// name the first parent, and the next commit writes nothing.
func TestRollbackAfterBulkForeignKeyUpdate(t *testing.T) {
	e := setup(t, blogRegistry())
	move := func(s *orm.Session, p *RPost, to int64) error {
		n, err := orm.Update[RPost](s).Where("id = ?", p.ID).Set("UserID", to).Exec(e.ctx)
		if err == nil && n != 1 {
			err = errors.New("the update changed no row")
		}
		return err
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost)
	}{
		{"after a flush, then Rollback", func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost) {
			ua.Username = "ann2"
			if err := s.Flush(e.ctx); err != nil {
				t.Fatal(err)
			}
			if err := move(s, p, ub.ID); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(ub.Posts, p) || slices.Contains(ua.Posts, p) {
				t.Fatal("the fields did not follow the bulk update")
			}
			if err := s.Rollback(e.ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"alone, then Rollback", func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost) {
			if err := move(s, p, ub.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.Rollback(e.ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"there and back, then Rollback", func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost) {
			if err := move(s, p, ub.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(e.ctx); err != nil {
				t.Fatal(err)
			}
			if err := move(s, p, ua.ID); err != nil {
				t.Fatal(err)
			}
			if err := move(s, p, ub.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.Rollback(e.ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"then a failed commit", func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost) {
			if err := move(s, p, ub.ID); err != nil {
				t.Fatal(err)
			}
			s.Add(&RUser{Username: "bob"}) // taken
			if err := s.Commit(e.ctx); !errors.Is(err, orm.ErrUniqueViolation) {
				t.Fatalf("commit = %v, want a unique violation", err)
			}
			if err := s.Rollback(e.ctx); err != nil {
				t.Fatal(err)
			}
		}},
		{"inside Nested, which fails", func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost) {
			ua.Username = "ann2"
			if err := s.Flush(e.ctx); err != nil {
				t.Fatal(err)
			}
			err := s.Nested(e.ctx, func(s *orm.Session) error {
				if err := move(s, p, ub.ID); err != nil {
					return err
				}
				return errors.New("undo the move")
			})
			if err == nil {
				t.Fatal("Nested did not fail")
			}
			if err := s.Rollback(e.ctx); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(`TRUNCATE users, profiles, posts, comments, post_tags, tags, reports RESTART IDENTITY CASCADE`)
			annID, bobID := seedBlog(t, e)
			s, us := loadUsers(t, e, annID, bobID)
			ua, ub, p := annsPost(t, us)
			tc.run(t, s, ua, ub, p)
			if got := postOwner(e, p.ID); got != annID {
				t.Fatalf("posts.user_id = %d, want ann's %d", got, annID)
			}
			if p.UserID != annID || p.User != ua || !slices.Contains(ua.Posts, p) || slices.Contains(ub.Posts, p) || len(ua.Posts) != 2 || len(ub.Posts) != 2 {
				t.Fatalf("in memory after the rollback: key %d, reference to ann %v, in ann's %v (%d), in bob's %v (%d)",
					p.UserID, p.User == ua, slices.Contains(ua.Posts, p), len(ua.Posts), slices.Contains(ub.Posts, p), len(ub.Posts))
			}
			e.cap.reset()
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if w := e.statements("INSERT", "UPDATE", "DELETE"); len(w) != 0 {
				t.Fatalf("the commit after the rollback wrote %q", w)
			}
			// The session still works: a move by the collections is written.
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
			ub.Posts = append(ub.Posts, p)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if got := postOwner(e, p.ID); got != bobID || p.UserID != bobID {
				t.Fatalf("after a move: posts.user_id = %d, key %d, want bob's %d", got, p.UserID, bobID)
			}
		})
	}
}

// TestRollbackAfterBulkDelete: a statement-level DELETE of a held child
// takes it out of its parent's collection; a Rollback puts the row and
// the object back, in the collection, and the next commit writes nothing.
func TestRollbackAfterBulkDelete(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	p := ua.Posts[1] // no comments
	if n, err := orm.Delete[RPost](s).Where("id = ?", p.ID).Exec(e.ctx); err != nil || n != 1 {
		t.Fatalf("delete: %d, %v", n, err)
	}
	if slices.Contains(ua.Posts, p) {
		t.Fatal("the deleted post is still in its user's collection")
	}
	if err := s.Rollback(e.ctx); err != nil {
		t.Fatal(err)
	}
	if s.Status(p) != orm.Persistent || !slices.Contains(ua.Posts, p) || p.User != ua || len(ua.Posts) != 2 {
		t.Fatalf("after the rollback: %v, in ann's %v (%d)", s.Status(p), slices.Contains(ua.Posts, p), len(ua.Posts))
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if w := e.statements("INSERT", "UPDATE", "DELETE"); len(w) != 0 {
		t.Fatalf("the commit after the rollback wrote %q", w)
	}
	if n := e.count("posts"); n != 4 {
		t.Fatalf("posts: %d, want 4", n)
	}
}
