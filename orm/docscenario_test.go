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

// postChanges are the relationship changes of ann's post that the failed
// and retried flush scenarios make: each with the post's owner after the
// retry (0: the post is deleted).
var postChanges = []struct {
	name   string
	change func(s *orm.Session, ua, ub *RUser, p *RPost)
	owner  func(ua, ub *RUser) int64
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
}

// "When a flush fails … the session is as it was before the flush … so
// the retry plans the same statements again": a move, an orphan and a
// delete cascade, each flushed with a unique violation beside them.
func TestFailedFlushKeepsRelationshipChanges(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, tc := range postChanges {
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
	for _, tc := range postChanges {
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

// Changes that come back to where they started send nothing; a query or a
// refresh between a change and the commit does what docs/session.md says
// ("a held object with unflushed changes keeps them"; "Refresh …
// overwrites even unflushed changes").
func TestRelationshipChangesAroundReads(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	remove := func(u *RUser, p *RPost) {
		u.Posts = slices.DeleteFunc(slices.Clone(u.Posts), func(x *RPost) bool { return x == p })
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost)
		owner  func(ua, ub *RUser) int64 // posts.user_id afterwards; 0: deleted
	}{
		{"moved and moved back", func(_ *testing.T, _ *orm.Session, ua, ub *RUser, p *RPost) {
			p.User = ub
			p.User = ua
		}, func(ua, _ *RUser) int64 { return ua.ID }},
		{"removed and appended again", func(_ *testing.T, _ *orm.Session, ua, _ *RUser, p *RPost) {
			remove(ua, p)
			ua.Posts = append(ua.Posts, p)
		}, func(ua, _ *RUser) int64 { return ua.ID }},
		{"appended to bob and removed from him again", func(_ *testing.T, _ *orm.Session, ua, ub *RUser, p *RPost) {
			ub.Posts = append(ub.Posts, p)
			remove(ub, p)
		}, func(ua, _ *RUser) int64 { return ua.ID }},
		{"removed, then ann queried again without autoflush", func(t *testing.T, s *orm.Session, ua, _ *RUser, p *RPost) {
			remove(ua, p)
			s.SetAutoflush(false)
			if _, err := orm.Query[RUser](s).Where("id = ?", ua.ID).Load("Posts").All(e.ctx); err != nil {
				t.Fatal(err)
			}
		}, func(_, _ *RUser) int64 { return 0 }},
		{"moved, then ann queried again without autoflush", func(t *testing.T, s *orm.Session, ua, ub *RUser, p *RPost) {
			p.User = ub
			s.SetAutoflush(false)
			if _, err := orm.Query[RUser](s).Where("id = ?", ua.ID).Load("Posts").All(e.ctx); err != nil {
				t.Fatal(err)
			}
		}, func(_, ub *RUser) int64 { return ub.ID }},
		{"reference set to nil, then the post queried with its user without autoflush", func(t *testing.T, s *orm.Session, _, _ *RUser, p *RPost) {
			p.User = nil
			s.SetAutoflush(false)
			if _, err := orm.Query[RPost](s).Where("id = ?", p.ID).Load("User").All(e.ctx); err != nil {
				t.Fatal(err)
			}
		}, func(_, _ *RUser) int64 { return 0 }},
		{"moved, then the post queried with its user without autoflush", func(t *testing.T, s *orm.Session, _, ub *RUser, p *RPost) {
			p.User = ub
			s.SetAutoflush(false)
			if _, err := orm.Query[RPost](s).Where("id = ?", p.ID).Load("User").All(e.ctx); err != nil {
				t.Fatal(err)
			}
		}, func(_, ub *RUser) int64 { return ub.ID }},
		{"moved, then the post refreshed", func(t *testing.T, s *orm.Session, _, ub *RUser, p *RPost) {
			p.User = ub
			if err := s.Refresh(e.ctx, p); err != nil {
				t.Fatal(err)
			}
		}, func(ua, _ *RUser) int64 { return ua.ID }},
		{"moved, then the post queried with Refresh", func(t *testing.T, s *orm.Session, _, ub *RUser, p *RPost) {
			p.User = ub
			s.SetAutoflush(false)
			if _, err := orm.Query[RPost](s).Where("id = ?", p.ID).Refresh().All(e.ctx); err != nil {
				t.Fatal(err)
			}
		}, func(ua, _ *RUser) int64 { return ua.ID }},
		{"removed, then ann refreshed", func(t *testing.T, s *orm.Session, ua, _ *RUser, p *RPost) {
			remove(ua, p)
			if err := s.Refresh(e.ctx, ua); err != nil {
				t.Fatal(err)
			}
		}, func(ua, _ *RUser) int64 { return ua.ID }},
		{"removed, then ann queried with Refresh and Load", func(t *testing.T, s *orm.Session, ua, _ *RUser, p *RPost) {
			remove(ua, p)
			s.SetAutoflush(false)
			if _, err := orm.Query[RUser](s).Where("id = ?", ua.ID).Refresh().Load("Posts").All(e.ctx); err != nil {
				t.Fatal(err)
			}
		}, func(ua, _ *RUser) int64 { return ua.ID }},
		{"report let go, then ann refreshed", func(t *testing.T, s *orm.Session, ua, _ *RUser, _ *RPost) {
			// Reports has no refresh-expire cascade: the refresh still
			// reloads which reports ann holds.
			if err := s.LoadRelated(e.ctx, ua, "Reports"); err != nil || len(ua.Reports) != 1 {
				t.Fatalf("reports: %d, %v", len(ua.Reports), err)
			}
			ua.Reports = nil
			if err := s.Refresh(e.ctx, ua); err != nil {
				t.Fatal(err)
			}
			if len(ua.Reports) != 1 {
				t.Fatalf("after the refresh ann holds %d reports", len(ua.Reports))
			}
		}, func(ua, _ *RUser) int64 { return ua.ID }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(`TRUNCATE users, profiles, posts, comments, tags, post_tags, reports RESTART IDENTITY CASCADE`)
			annID, bobID = seedBlog(t, e)
			s, us := loadUsers(t, e, annID, bobID)
			ua, ub, p := annsPost(t, us)
			tc.change(t, s, ua, ub, p)
			e.cap.reset()
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			want := tc.owner(ua, ub)
			if got := postOwner(e, p.ID); got != want {
				t.Fatalf("posts.user_id = %d, want %d (sent %q)", got, want, e.cap.sqls())
			}
			if want == ua.ID && len(e.statements("INSERT", "UPDATE", "DELETE")) != 0 {
				t.Fatalf("sent %q for a change undone", e.cap.sqls())
			}
			switch want {
			case 0:
				if slices.Contains(ua.Posts, p) || slices.Contains(ub.Posts, p) {
					t.Fatal("the deleted post is still in a collection")
				}
			default:
				owner, other := ua, ub
				if want == ub.ID {
					owner, other = ub, ua
				}
				if p.User != owner || !slices.Contains(owner.Posts, p) || slices.Contains(other.Posts, p) {
					t.Fatalf("in memory: reference right %v, in owner's %v, in other's %v",
						p.User == owner, slices.Contains(owner.Posts, p), slices.Contains(other.Posts, p))
				}
			}
		})
	}
}

// Expunging a child, then deleting its parent (cascade all) deletes the
// parent's posts: the expunged one's row too, since the parent's delete
// asked for it; nothing fails.
func TestDeleteParentOfAnExpungedChild(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	s.Expunge(ua.Posts[0])
	s.Delete(ua)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 0 {
		t.Fatalf("%d posts of the deleted user left", n)
	}
}

// "targets attached later are picked up at flush": a new post appended to
// a collection that was never loaded survives a load of that collection
// before the commit (Related, LoadRelated, a query's Load without
// autoflush), and is inserted.
func TestAppendToUnloadedCollectionThenLoadIt(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	for _, tc := range []struct {
		name string
		load func(s *orm.Session, ann *RUser) error
	}{
		{"Related", func(s *orm.Session, ann *RUser) error {
			_, err := orm.Related[[]*RPost](e.ctx, s, ann, "Posts")
			return err
		}},
		{"LoadRelated", func(s *orm.Session, ann *RUser) error { return s.LoadRelated(e.ctx, ann, "Posts") }},
		{"Query Load without autoflush", func(s *orm.Session, ann *RUser) error {
			s.SetAutoflush(false)
			_, err := orm.Query[RUser](s).Where("id = ?", ann.ID).Load("Posts").All(e.ctx)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			ann, err := orm.Get[RUser](e.ctx, s, annID) // Posts not loaded
			if err != nil {
				t.Fatal(err)
			}
			before := e.count("posts")
			p := &RPost{Title: "new " + tc.name}
			ann.Posts = append(ann.Posts, p)
			if err := tc.load(s, ann); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(ann.Posts, p) {
				t.Fatalf("the load dropped the appended post: %d posts", len(ann.Posts))
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if n := e.count("posts"); n != before+1 || p.ID == 0 || postOwner(e, p.ID) != annID {
				t.Fatalf("%d posts (was %d), new post id %d", n, before, p.ID)
			}
		})
	}
}

// Merge of a patch decoded from a request (docs/relationships.md, Merge):
// the patch's nil collection never orphans the stored children, whatever
// the options; a collection the patch holds is the children it wants.
func TestMergePatchKeepsChildren(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	var postID int64
	for _, r := range e.rows(`SELECT id FROM posts WHERE title = 'ann one'`) {
		postID = r[0].(int64)
	}
	comments := e.rows(`SELECT count(*) FROM comments WHERE post_id = $1`, postID)[0][0].(int64)
	for _, tc := range []struct {
		name  string
		merge func(s *orm.Session) error
	}{
		{"post patch, MergeNonZero", func(s *orm.Session) error {
			_, err := orm.Merge(e.ctx, s, &RPost{RBase: RBase{ID: postID}, Title: "edited", UserID: annID}, orm.MergeNonZero())
			return err
		}},
		{"post patch, MergeFields", func(s *orm.Session) error {
			_, err := orm.Merge(e.ctx, s, &RPost{RBase: RBase{ID: postID}, Title: "edited"}, orm.MergeFields("Title"))
			return err
		}},
		{"user patch, MergeNonZero", func(s *orm.Session) error {
			_, err := orm.Merge(e.ctx, s, &RUser{RBase: RBase{ID: annID}, Username: "ann"}, orm.MergeNonZero())
			return err
		}},
		{"user patch, every column", func(s *orm.Session) error {
			_, err := orm.Merge(e.ctx, s, &RUser{RBase: RBase{ID: annID}, Username: "ann"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			if err := tc.merge(s); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 2 {
				t.Fatalf("ann has %d posts after merging a patch", n)
			}
			if n := e.rows(`SELECT count(*) FROM comments WHERE post_id = $1`, postID)[0][0].(int64); n != comments {
				t.Fatalf("the post has %d comments after merging a patch, want %d", n, comments)
			}
			if e.count("profiles") != 2 {
				t.Fatal("a profile is gone")
			}
		})
	}
}

// docs/queries.md, Upserts: "res.Skipped lists the objects whose row was
// not written …: they stay transient and their keys stay unset — a
// skipped row never hands a key to the wrong object", for the statement
// and in the unit of work, with existing and new names interleaved.
func TestUpsertSkippedRowsReported(t *testing.T) {
	e := setup(t, blogRegistry())
	seedBlog(t, e) // the tag "go" exists
	e.exec(`INSERT INTO tags (name) VALUES ('sql'), ('rust')`)
	ids := map[string]int64{}
	for _, r := range e.rows(`SELECT name, id FROM tags`) {
		ids[r[0].(string)] = r[1].(int64)
	}
	names := []string{"new1", "go", "new2", "rust", "sql", "new3"}
	check := func(t *testing.T, s *orm.Session, tags []*RTag, written, skipped []*RTag) {
		t.Helper()
		for _, tg := range tags {
			old, existed := ids[tg.Name]
			switch {
			case existed && (tg.ID != 0 || s.Status(tg) != orm.Transient || !slices.Contains(skipped, tg)):
				t.Errorf("%s existed (id %d): got id %d, %v", tg.Name, old, tg.ID, s.Status(tg))
			case !existed && (tg.ID == 0 || s.Status(tg) != orm.Persistent || !slices.Contains(written, tg)):
				t.Errorf("%s is new: got id %d, %v", tg.Name, tg.ID, s.Status(tg))
			case !existed:
				if got := e.rows(`SELECT name FROM tags WHERE id = $1`, tg.ID); len(got) != 1 || got[0][0] != tg.Name {
					t.Errorf("%s holds the key of row %v", tg.Name, got)
				}
			}
		}
		if n := e.count("tags"); n != 6 {
			t.Errorf("%d tags, want 6", n)
		}
	}
	build := func() []*RTag {
		var out []*RTag
		for _, n := range names {
			out = append(out, &RTag{Name: n})
		}
		return out
	}
	t.Run("statement", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		tags := build()
		res, err := orm.Insert(s, tags...).OnConflict("Name").DoNothing().Exec(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		check(t, s, tags, res.Rows, res.Skipped)
		e.exec(`DELETE FROM tags WHERE name LIKE 'new%'`)
	})
	t.Run("unit of work", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		tags := build()
		var objs []any
		for _, tg := range tags {
			objs = append(objs, tg)
		}
		s.Add(append(objs, orm.OnConflict("Name").DoNothing())...)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		var written, skipped []*RTag
		for _, tg := range tags {
			if s.Status(tg) == orm.Persistent {
				written = append(written, tg)
			} else {
				skipped = append(skipped, tg)
			}
		}
		check(t, s, tags, written, skipped)
	})
}

// docs/session.md, Soft delete: deleting an object of a soft-deletable
// model keeps its row, and the delete-orphan cascade is a delete: an
// entry removed from its blog is soft-deleted, hidden from the next load
// of the collection; an entry moved to another blog is only moved.
func TestSoftDeleteOrphanAndMove(t *testing.T) {
	e, blogs := blogEnv(t)
	s := e.db.Session()
	defer s.Close()
	bs, err := orm.Query[Blog](s).Where("name IN (?, ?)", "go", "sql").OrderBy("name").Load("Entries").All(e.ctx)
	if err != nil || len(bs) != 2 {
		t.Fatal(len(bs), err)
	}
	goBlog, sqlBlog := bs[0], bs[1]
	orphan, moved := goBlog.Entries[0], goBlog.Entries[1]
	goBlog.Entries = nil
	sqlBlog.Entries = append(sqlBlog.Entries, moved)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	got := e.rows(`SELECT blog_id, deleted_at IS NOT NULL FROM entries WHERE id = $1`, orphan.ID)
	if len(got) != 1 || got[0][0] != goBlog.ID || got[0][1] != true {
		t.Fatalf("the orphan entry: %v, want its row kept, soft-deleted", got)
	}
	got = e.rows(`SELECT blog_id, deleted_at IS NOT NULL FROM entries WHERE id = $1`, moved.ID)
	if len(got) != 1 || got[0][0] != sqlBlog.ID || got[0][1] != false {
		t.Fatalf("the moved entry: %v, want sql's and live", got)
	}
	s2 := e.db.Session()
	defer s2.Close()
	b, err := orm.Query[Blog](s2).Where("name = ?", "sql").Load("Entries").One(e.ctx)
	if err != nil || len(b.Entries) != 3 {
		t.Fatalf("sql's entries: %d (%v), want 3", len(b.Entries), err)
	}
	b, err = orm.Query[Blog](s2).Where("name = ?", "go").Load("Entries").One(e.ctx)
	if err != nil || len(b.Entries) != 0 {
		t.Fatalf("go's entries: %d (%v), want none (the orphan is hidden)", len(b.Entries), err)
	}
	_ = blogs
}

// docs/relationships.md, Changing relationships: "Rows that trade unique
// keys in one flush — two users swapping their profiles … — fail with a
// *orm.CycleError naming them before anything is sent".
func TestSwapProfilesIsACycle(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	ua, ub := us[0], us[1]
	pa, pb := ua.Profile, ub.Profile
	ua.Profile, ub.Profile = pb, pa
	err := s.Commit(e.ctx)
	var ce *orm.CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("commit: %v, want a *orm.CycleError", err)
	}
	if w := e.statements("INSERT", "UPDATE", "DELETE"); len(w) != 0 {
		t.Fatalf("sent %q", w)
	}
	if got := e.rows(`SELECT id, user_id FROM profiles ORDER BY id`); len(got) != 2 || got[0][1] != annID || got[1][1] != bobID {
		t.Fatalf("profiles %v", got)
	}
}

// "the program wrote the key column itself (post.UserID = bob.ID) …: the
// value it wrote stands; afterwards the child is in the field of the
// parent the session holds for that key (and in no other), and its
// reference names that parent"; and a child created with its parent's key
// joins the held parent's loaded collection.
func TestKeyColumnWrittenByTheProgram(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	ua, ub, p := annsPost(t, us)
	p.UserID = ub.ID
	c := &RComment{PostID: p.ID, Body: "by key"}
	s.Add(c)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := postOwner(e, p.ID); got != bobID {
		t.Fatalf("posts.user_id = %d, want bob's", got)
	}
	if p.User != ub || !slices.Contains(ub.Posts, p) || slices.Contains(ua.Posts, p) {
		t.Fatalf("in memory: reference to bob %v, in bob's %v, in ann's %v", p.User == ub, slices.Contains(ub.Posts, p), slices.Contains(ua.Posts, p))
	}
	if c.Post != p || !slices.Contains(p.Comments, c) {
		t.Fatalf("the comment made by key: reference %v, in the post's comments %v", c.Post == p, slices.Contains(p.Comments, c))
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("second commit sent %q (%v)", e.cap.sqls(), err)
	}
}

// Self-referential, ON DELETE SET NULL, reports never loaded (noload):
// deleting the manager leaves the reports to the database, and a held
// report's reference is cleared, so later commits send nothing for it.
func TestDeleteManagerOfHeldReports(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	boss := &REmployee{Name: "boss"}
	r1, r2 := &REmployee{Name: "r1", Manager: boss}, &REmployee{Name: "r2", Manager: boss}
	s.Add(r1, r2)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	s2 := e.db.Session()
	defer s2.Close()
	held, err := orm.Query[REmployee](s2).Where("name = ?", "r1").Load("Manager").One(e.ctx)
	if err != nil || held.Manager == nil {
		t.Fatalf("load: %v", err)
	}
	s2.Delete(held.Manager)
	if err := s2.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT name, manager_id FROM employees ORDER BY name`); len(got) != 2 || got[0][1] != nil || got[1][1] != nil {
		t.Fatalf("employees %v, want r1 and r2 without a manager", got)
	}
	if held.Manager != nil {
		t.Fatal("the held report still names the deleted manager")
	}
	e.cap.reset()
	if err := s2.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("second commit sent %q (%v)", e.cap.sqls(), err)
	}
	if n := e.count("employees"); n != 2 {
		t.Fatalf("%d employees", n)
	}
}

// Many-to-many: "a pair added for a post or tag that the same flush
// deletes is not written"; a pair removed and added again sends nothing.
func TestManyToManyPairsAroundDeletes(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	p, other := us[0].Posts[0], us[0].Posts[1]
	if err := s.LoadRelated(e.ctx, p, "Tags"); err != nil {
		t.Fatal(err)
	}
	golang := p.Tags[0]
	rust := &RTag{Name: "rust"}
	p.Tags = append(p.Tags[:0:0], rust) // go removed, rust added
	p.Tags = append(p.Tags, golang)     // go back
	other.Tags = append(other.Tags, rust)
	s.Delete(other)
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	pairs := map[int64][]int64{} // post → tags (the columns are named after the Go types)
	for _, r := range e.rows(`SELECT * FROM post_tags ORDER BY 1, 2`) {
		pairs[r[0].(int64)] = append(pairs[r[0].(int64)], r[1].(int64))
	}
	if got := pairs[p.ID]; len(got) != 2 || !slices.Contains(got, golang.ID) || !slices.Contains(got, rust.ID) {
		t.Fatalf("post_tags of the post: %v, want go %d and rust %d", got, golang.ID, rust.ID)
	}
	if got := pairs[other.ID]; len(got) != 0 {
		t.Fatalf("pairs of the deleted post: %v", got)
	}
	for _, q := range e.statements("DELETE FROM \"post_tags\"") {
		t.Errorf("sent %q for a pair removed and added again", q)
	}
}

// docs/session.md: "Delete of a pending object simply removes it from the
// session" — with the children that came in with it along save-update,
// which no longer have a parent to be written with.
func TestDeletePendingParentWithChildren(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	u := newBlog("cy")
	s.Add(u)
	s.Delete(u)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatalf("commit: %v (sent %q)", err, e.cap.sqls())
	}
	for _, table := range []string{"users", "profiles", "posts", "comments"} {
		if n := e.count(table); n != 0 {
			t.Errorf("%s: %d rows", table, n)
		}
	}
	if s.Status(u) != orm.Transient || s.Status(u.Posts[0]) != orm.Transient {
		t.Fatalf("user %v, post %v", s.Status(u), s.Status(u.Posts[0]))
	}
}

// "Get of an object deleted in this session fails with ErrNotFound", and a
// primary key changed in memory is refused at flush with nothing written.
func TestGetDeletedAndKeyChanged(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	s.Delete(us[0])
	if err := s.Flush(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := orm.Get[RUser](e.ctx, s, annID); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("get of a deleted user: %v", err)
	}
	if err := s.Rollback(e.ctx); err != nil {
		t.Fatal(err)
	}
	ub := us[1]
	ub.ID = 999
	ub.Username = "bobby"
	if err := s.Commit(e.ctx); !errors.Is(err, orm.ErrKeyChanged) {
		t.Fatalf("commit: %v, want ErrKeyChanged", err)
	}
	if got := e.rows(`SELECT username FROM users WHERE id = $1`, bobID); len(got) != 1 || got[0][0] != "bob" {
		t.Fatalf("bob: %v", got)
	}
}

// docs/session.md, SessionOn: "a PostgreSQL error inside the session does
// not abort the caller's transaction"; what the caller wrote before is
// kept, the session's failed flush is undone, and the caller commits.
func TestSessionOnFailedFlushKeepsCallersTx(t *testing.T) {
	e := setup(t, blogRegistry())
	seedBlog(t, e)
	tx, err := e.db.Pool().Begin(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(e.ctx)
	if _, err := tx.Exec(e.ctx, `INSERT INTO tags (name) VALUES ('callers')`); err != nil {
		t.Fatal(err)
	}
	s := e.db.SessionOn(tx)
	s.Add(&RUser{Username: "cy"}, &RUser{Username: "ann"}) // ann exists
	if err := s.Commit(e.ctx); !errors.Is(err, orm.ErrUniqueViolation) {
		t.Fatalf("commit: %v", err)
	}
	s.Close()
	if _, err := tx.Exec(e.ctx, `INSERT INTO tags (name) VALUES ('after')`); err != nil {
		t.Fatalf("the caller's transaction is aborted: %v", err)
	}
	if err := tx.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT count(*) FROM tags WHERE name IN ('callers', 'after')`)[0][0].(int64); got != 2 {
		t.Fatalf("%d of the caller's tags", got)
	}
	if got := e.rows(`SELECT count(*) FROM users WHERE username = 'cy'`)[0][0].(int64); got != 0 {
		t.Fatal("the failed session's user was committed")
	}
}

// A delete cascade flushed and then rolled back (Rollback, or a Nested
// closure that fails) leaves the graph as loaded: the user holds its posts
// and profile again, and the next commit sends nothing.
func TestDeleteCascadeUndone(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, tc := range []struct {
		name string
		undo func(s *orm.Session, ua *RUser) error
	}{
		{"rollback", func(s *orm.Session, ua *RUser) error {
			s.Delete(ua)
			if err := s.Flush(e.ctx); err != nil {
				return err
			}
			return s.Rollback(e.ctx)
		}},
		{"nested", func(s *orm.Session, ua *RUser) error {
			err := s.Nested(e.ctx, func(s *orm.Session) error {
				s.Delete(ua)
				if err := s.Flush(e.ctx); err != nil {
					return err
				}
				return errors.New("changed my mind")
			})
			if err == nil || err.Error() != "changed my mind" {
				return err
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, us := loadUsers(t, e, annID, bobID)
			ua := us[0]
			posts, prof := slices.Clone(ua.Posts), ua.Profile
			if err := tc.undo(s, ua); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ua.Posts, posts) || ua.Profile != prof || s.Status(posts[0]) != orm.Persistent || posts[0].User != ua {
				t.Fatalf("after the undo: %d posts, profile %v, post %v", len(ua.Posts), ua.Profile == prof, s.Status(posts[0]))
			}
			e.cap.reset()
			if err := s.Commit(e.ctx); err != nil || len(e.statements("INSERT", "UPDATE", "DELETE")) != 0 {
				t.Fatalf("commit sent %q (%v)", e.cap.sqls(), err)
			}
			if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 2 {
				t.Fatalf("%d posts", n)
			}
			if n := e.rows(`SELECT count(*) FROM reports WHERE user_id = $1`, annID)[0][0].(int64); n != 1 {
				t.Fatal("ann's report lost its user")
			}
		})
	}
}

// "a removed or deleted post is in nobody's" collection after the flush:
// a post deleted while still in its user's loaded collection leaves it,
// and the next commit sends nothing.
func TestDeletedChildLeavesItsParentsCollection(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	p := ua.Posts[0]
	s.Delete(p)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ua.Posts, p) || len(ua.Posts) != 1 {
		t.Fatalf("ann still holds the deleted post (%d posts)", len(ua.Posts))
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("second commit sent %q (%v)", e.cap.sqls(), err)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 1 {
		t.Fatalf("%d posts", n)
	}
}

// A post whose reference was never loaded, appended to another user's
// loaded collection: moved, and its reference names the new user.
func TestMoveChildWithUnloadedReference(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	p, err := orm.Query[RPost](s).Where("title = ?", "ann one").One(e.ctx)
	if err != nil || p.User != nil {
		t.Fatalf("post: %v (reference loaded %v)", err, p != nil && p.User != nil)
	}
	ub, err := orm.Query[RUser](s).Where("id = ?", bobID).Load("Posts").One(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ub.Posts = append(ub.Posts, p)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := postOwner(e, p.ID); got != bobID || p.User != ub {
		t.Fatalf("posts.user_id = %d (ann %d), reference to bob %v", got, annID, p.User == ub)
	}
}

// Expunge, change the detached object, Merge it back: one UPDATE of what
// changed, the session's object carries it.
func TestExpungeThenMergeBack(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	s.Expunge(ua)
	ua.Username = "anne"
	got, err := orm.Merge(e.ctx, s, ua)
	if err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got.Username != "anne" || e.rows(`SELECT username FROM users WHERE id = $1`, annID)[0][0] != "anne" {
		t.Fatalf("merged %q", got.Username)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 2 {
		t.Fatalf("%d posts after the merge", n)
	}
	if w := e.statements("INSERT", "DELETE"); len(w) != 0 {
		t.Fatalf("sent %q", w)
	}
}

// A profile replaced in memory survives a query of its user that loads
// the profile again (lazy:joined, autoflush off; Get): "a loaded object
// that has unflushed changes keeps them", and the commit replaces it.
func TestReplacedProfileSurvivesAJoinedLoad(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	for _, tc := range []struct {
		name string
		load func(s *orm.Session) error
	}{
		{"query, lazy:joined", func(s *orm.Session) error {
			_, err := orm.Query[RUser](s).Where("id = ?", annID).All(e.ctx)
			return err
		}},
		{"query, LoadJoined", func(s *orm.Session) error {
			_, err := orm.Query[RUser](s).Where("id = ?", annID).LoadJoined("Profile").All(e.ctx)
			return err
		}},
		{"query, Load of a selectin path", func(s *orm.Session) error {
			_, err := orm.Query[RUser](s).Where("id = ?", annID).Load("Posts").All(e.ctx)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, us := loadUsers(t, e, annID)
			ua := us[0]
			old := ua.Profile
			s.SetAutoflush(false)
			fresh := &RProfile{Name: ptr("new " + tc.name)}
			ua.Profile = fresh
			if err := tc.load(s); err != nil {
				t.Fatal(err)
			}
			if ua.Profile != fresh {
				t.Fatal("the load put the old profile back")
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			got := e.rows(`SELECT id, name FROM profiles WHERE user_id = $1`, annID)
			if len(got) != 1 || got[0][0] != fresh.ID || got[0][1] != "new "+tc.name {
				t.Fatalf("ann's profiles %v, want the new one (old %d)", got, old.ID)
			}
		})
	}
}

// A soft-deleted entry leaves its blog's loaded collection like a deleted
// one, and the next commit sends nothing (no orphan, no resurrection).
func TestSoftDeletedChildLeavesTheCollection(t *testing.T) {
	e, _ := blogEnv(t)
	s := e.db.Session()
	defer s.Close()
	b, err := orm.Query[Blog](s).Where("name = ?", "go").Load("Entries").One(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	gone := b.Entries[0]
	s.Delete(gone)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(b.Entries, gone) || len(b.Entries) != 1 {
		t.Fatalf("the blog still holds the soft-deleted entry (%d entries)", len(b.Entries))
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("second commit sent %q (%v)", e.cap.sqls(), err)
	}
	if got := e.rows(`SELECT count(*) FILTER (WHERE deleted_at IS NULL), count(*) FROM entries WHERE blog_id = $1`, b.ID); got[0][0] != int64(1) || got[0][1] != int64(2) {
		t.Fatalf("entries live/all: %v", got)
	}
}

// docs/queries.md, statement-level UPDATE and DELETE: "held objects among
// them take the new values of the assigned columns, in memory and in
// their snapshot (so the next flush does not write them again)" — also a
// foreign key: the next commit does not move the post back, and the
// fields follow the row.
func TestBulkUpdateOfAForeignKey(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	ua, ub, p := annsPost(t, us)
	n, err := orm.Update[RPost](s).Where("id = ?", p.ID).Set("UserID", bobID).Exec(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("update: %d, %v", n, err)
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := postOwner(e, p.ID); got != bobID {
		t.Fatalf("posts.user_id = %d after the commit, want bob's %d (the bulk update was undone)", got, bobID)
	}
	if p.UserID != bobID || p.User != ub || !slices.Contains(ub.Posts, p) || slices.Contains(ua.Posts, p) {
		t.Fatalf("in memory: key %d, reference to bob %v, in bob's %v, in ann's %v",
			p.UserID, p.User == ub, slices.Contains(ub.Posts, p), slices.Contains(ua.Posts, p))
	}
}

// A bulk DELETE of a held child: it becomes deleted "as if flushed by
// s.Delete", so it leaves its parent's collection and the next commit
// sends nothing for it.
func TestBulkDeleteOfAHeldChild(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	p := ua.Posts[1] // no comments
	n, err := orm.Delete[RPost](s).Where("id = ?", p.ID).Exec(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("delete: %d, %v", n, err)
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if w := e.statements("INSERT", "UPDATE", "DELETE"); len(w) != 0 {
		t.Fatalf("the commit after the bulk delete sent %q", w)
	}
	if slices.Contains(ua.Posts, p) {
		t.Fatal("ann still holds the deleted post")
	}
}

// docs/queries.md, Upserts: "When the session already holds the row an
// upsert updated, that object takes the row's new values" — a foreign key
// among them stands after the next commit, and the fields follow it.
func TestUpsertUpdatesAHeldChildsForeignKey(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	ua, ub, p := annsPost(t, us)
	res, err := orm.Insert(s, &RPost{RBase: RBase{ID: p.ID}, Title: p.Title, UserID: bobID}).
		OnConflict("ID").DoUpdate("UserID").Exec(e.ctx)
	if err != nil || len(res.Rows) != 1 || res.Rows[0] != p {
		t.Fatalf("upsert: %v, %v", res, err)
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := postOwner(e, p.ID); got != bobID {
		t.Fatalf("posts.user_id = %d after the commit, want bob's %d (the upsert was undone)", got, bobID)
	}
	if p.User != ub || !slices.Contains(ub.Posts, p) || slices.Contains(ua.Posts, p) {
		t.Fatalf("in memory: reference to bob %v, in bob's %v, in ann's %v", p.User == ub, slices.Contains(ub.Posts, p), slices.Contains(ua.Posts, p))
	}
}

// Expunge of a pending user that brought its posts (save-update): the
// expunge cascade takes them too, and the commit sends nothing.
func TestExpungePendingParent(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	u := newBlog("cy")
	s.Add(u)
	s.Expunge(u)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatalf("commit: %v (sent %q)", err, e.cap.sqls())
	}
	if len(e.cap.sqls()) != 0 || s.Status(u.Posts[0]) != orm.Transient || s.Status(u.Profile) != orm.Transient {
		t.Fatalf("sent %q; post %v, profile %v", e.cap.sqls(), s.Status(u.Posts[0]), s.Status(u.Profile))
	}
}

// Self-referential many-to-many (docs/relationships.md: Following and
// Followers through follows): both directions, the pair seen from either
// side, unfollowing, and a person deleted with its rows in follows.
func TestFollowsBothWays(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	ann, bob, cid := &RPerson{Name: "ann"}, &RPerson{Name: "bob"}, &RPerson{Name: "cid"}
	ann.Following = []*RPerson{bob, cid}
	bob.Following = []*RPerson{ann}
	s.Add(ann, bob, cid)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	pairs := func() [][]any { return e.rows(`SELECT follower_id, followed_id FROM follows ORDER BY 1, 2`) }
	if got := pairs(); len(got) != 3 {
		t.Fatalf("follows %v", got)
	}
	if !slices.Contains(bob.Followers, ann) || !slices.Contains(ann.Followers, bob) || !slices.Contains(cid.Followers, ann) {
		t.Fatal("the Followers side is not back-populated")
	}
	s2 := e.db.Session()
	defer s2.Close()
	people, err := orm.Query[RPerson](s2).OrderBy("name").Load("Following", "Followers").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	a2, b2, c2 := people[0], people[1], people[2]
	if len(a2.Following) != 2 || len(a2.Followers) != 1 || len(c2.Followers) != 1 || len(c2.Following) != 0 {
		t.Fatalf("loaded: ann follows %d, followed by %d; cid followed by %d", len(a2.Following), len(a2.Followers), len(c2.Followers))
	}
	// cid stops being followed by ann, from cid's side
	c2.Followers = nil
	if err := s2.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := pairs(); len(got) != 2 || slices.Contains(a2.Following, c2) {
		t.Fatalf("after unfollowing: %v, ann still follows cid %v", got, slices.Contains(a2.Following, c2))
	}
	s2.Delete(b2)
	if err := s2.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := pairs(); len(got) != 0 || e.count("people") != 2 {
		t.Fatalf("after deleting bob: follows %v, %d people", got, e.count("people"))
	}
}

// docs/session.md, When a flush fails: "keys and server defaults the
// failed flush had written into structs are cleared (ID back to 0),
// client defaults it applied are undone, … foreign keys copied from
// parents are cleared" — through the cascade of a new user.
func TestFailedFlushRestoresCascadedObjects(t *testing.T) {
	e := setup(t, blogRegistry())
	seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	u := newBlog("cy")
	dup := &RUser{Username: "ann"}
	s.Add(u, dup) // users are inserted in one statement: cy's row and its children wait
	err := s.Commit(e.ctx)
	if !errors.Is(err, orm.ErrUniqueViolation) {
		t.Fatalf("commit: %v", err)
	}
	prof, p := u.Profile, u.Posts[0]
	if u.ID != 0 || prof.ID != 0 || prof.UserID != 0 || prof.Gender != "" || p.UserID != 0 || !u.CreatedAt.IsZero() {
		t.Fatalf("after the failed flush: user %d, profile %d/%d %q, post key %d, created %v",
			u.ID, prof.ID, prof.UserID, prof.Gender, p.UserID, u.CreatedAt)
	}
	if s.Status(u) != orm.Pending || s.Status(p) != orm.Pending {
		t.Fatalf("user %v, post %v", s.Status(u), s.Status(p))
	}
	dup.Username = "dan"
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, u.ID)[0][0].(int64); n != 2 || prof.Gender != "UNDEFINED" {
		t.Fatalf("after the retry: %d posts, gender %q", n, prof.Gender)
	}
}

// Merge of detached graphs in which a post moved from ann to bob (a
// client edited both users): the post is moved, not orphaned, whichever
// user is merged first.
func TestMergeMovedChild(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, order := range []string{"ann first", "bob first"} {
		t.Run(order, func(t *testing.T) {
			s1 := e.db.Session()
			us, err := orm.Query[RUser](s1).Where("id = ANY(?)", []int64{annID, bobID}).OrderBy("id").Load("Posts").All(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			s1.Close()
			ua, ub := us[0], us[1]
			var p *RPost
			for _, x := range append(slices.Clone(ua.Posts), ub.Posts...) {
				if x.Title == "ann one" {
					p = x
				}
			}
			from, to := ua, ub
			if slices.Contains(ub.Posts, p) { // the post moved in an earlier case
				from, to = ub, ua
			}
			from.Posts = slices.DeleteFunc(slices.Clone(from.Posts), func(x *RPost) bool { return x == p })
			to.Posts = append(to.Posts, p)
			p.User = to
			s := e.db.Session()
			defer s.Close()
			first, second := ua, ub
			if order == "bob first" {
				first, second = ub, ua
			}
			for _, u := range []*RUser{first, second} {
				if _, err := orm.Merge(e.ctx, s, u); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if got := postOwner(e, p.ID); got != to.ID {
				t.Fatalf("posts.user_id = %d, want %d", got, to.ID)
			}
			if n := e.count("posts"); n != 4 {
				t.Fatalf("%d posts, want 4 (one was deleted as an orphan)", n)
			}
		})
	}
}

// A profile replaced, flushed, then rolled back: the user holds its old
// profile again, the new one left the session, and the commit sends
// nothing.
func TestRollbackOfAReplacedProfile(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	old := ua.Profile
	fresh := &RProfile{Name: ptr("new")}
	ua.Profile = fresh
	if err := s.Flush(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Rollback(e.ctx); err != nil {
		t.Fatal(err)
	}
	if ua.Profile != old || old.User != ua || s.Status(fresh) != orm.Transient || s.Status(old) != orm.Persistent {
		t.Fatalf("after the rollback: old profile back %v, fresh %v, old %v", ua.Profile == old, s.Status(fresh), s.Status(old))
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("commit sent %q (%v)", e.cap.sqls(), err)
	}
	if got := e.rows(`SELECT id FROM profiles WHERE user_id = $1`, annID); len(got) != 1 || got[0][0] != old.ID {
		t.Fatalf("ann's profiles %v", got)
	}
}

// A new post appended inside a Nested closure that fails: "everything the
// closure did is undone — in the database and in the session": the post
// leaves ann's collection and the session, and the commit sends nothing.
func TestNestedNewChildUndone(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	before := slices.Clone(ua.Posts)
	np := &RPost{Title: "nested"}
	err := s.Nested(e.ctx, func(s *orm.Session) error {
		ua.Posts = append(ua.Posts, np)
		if err := s.Flush(e.ctx); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	if err == nil {
		t.Fatal("nested returned nil")
	}
	if !slices.Equal(ua.Posts, before) || s.Status(np) != orm.Transient {
		t.Fatalf("after the failed closure: %d posts, new post %v", len(ua.Posts), s.Status(np))
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if w := e.statements("INSERT", "UPDATE", "DELETE"); len(w) != 0 {
		t.Fatalf("commit sent %q", w)
	}
	if n := e.count("posts"); n != 4 {
		t.Fatalf("%d posts", n)
	}
}

// A child moved away from a parent deleted in the same flush, over a key
// with ON DELETE CASCADE (passive): the move is written before the
// parent's DELETE, so the database's cascade does not take the child.
func TestMoveOutOfAParentDeletedByTheDatabaseCascade(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, tc := range []struct {
		name string
		move func(s *orm.Session, ua, ub *RUser) (child any, id int64, table string)
	}{
		{"comment to another post, old post deleted", func(s *orm.Session, ua, ub *RUser) (any, int64, string) {
			p1, p2 := ua.Posts[0], ub.Posts[0]
			c := p1.Comments[0]
			c.Post = p2
			s.Delete(p1)
			return c, c.ID, "comments"
		}},
		{"comment appended to another post, old user deleted", func(s *orm.Session, ua, ub *RUser) (any, int64, string) {
			p1, p2 := ua.Posts[0], ub.Posts[0]
			c := p1.Comments[0] // not the reply: deleting its parent comment deletes a reply
			p2.Comments = append(p2.Comments, c)
			s.Delete(ua)
			return c, c.ID, "comments"
		}},
		{"profile to a new user, old user deleted", func(s *orm.Session, ua, _ *RUser) (any, int64, string) {
			prof := ua.Profile
			cy := &RUser{Username: "cy"}
			s.Add(cy)
			cy.Profile = prof
			s.Delete(ua)
			return prof, prof.ID, "profiles"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(`TRUNCATE users, profiles, posts, comments, tags, post_tags, reports RESTART IDENTITY CASCADE`)
			annID, bobID = seedBlog(t, e)
			s, us := loadUsers(t, e, annID, bobID)
			_, id, table := tc.move(s, us[0], us[1])
			if err := s.Commit(e.ctx); err != nil {
				t.Fatalf("commit: %v (sent %q)", err, e.cap.sqls())
			}
			if n := e.rows(`SELECT count(*) FROM `+table+` WHERE id = $1`, id)[0][0].(int64); n != 1 {
				t.Fatalf("the moved %s row is gone (sent %q)", table, e.cap.sqls())
			}
		})
	}
}

// A new post appended to a collection never loaded, then its user
// deleted: the delete cascade reaches it too (it is never written), and
// nothing fails.
func TestDeleteParentWithNewChildInUnloadedCollection(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	ua, err := orm.Get[RUser](e.ctx, s, annID)
	if err != nil {
		t.Fatal(err)
	}
	np := &RPost{Title: "new"}
	ua.Posts = append(ua.Posts, np)
	s.Delete(ua)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatalf("commit: %v (sent %q)", err, e.cap.sqls())
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1 OR title = 'new'`, annID)[0][0].(int64); n != 0 || e.count("users") != 1 {
		t.Fatalf("%d posts of ann or new left, %d users", n, e.count("users"))
	}
}
