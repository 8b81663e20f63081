package orm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// seedBlog commits two users built by newBlog and returns their ids.
func seedBlog(t *testing.T, e *env) (ann, bob int64) {
	t.Helper()
	s := e.db.Session()
	defer s.Close()
	golang := &RTag{Name: "go"}
	a, b := newBlog("ann", golang), newBlog("bob", golang)
	a.Reports = []*RReport{{Note: "ann's"}}
	s.Add(a, b)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
	return a.ID, b.ID
}

func TestDeleteCascade(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	ann, err := orm.Get[RUser](e.ctx, s, annID)
	if err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
	s.Delete(ann)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	// posts.user_id has no ON DELETE: the posts are selected and deleted by
	// the session, and the reports selected to clear their nullable key;
	// comments, replies, the profile and post_tags rows go by their ON
	// DELETE CASCADE keys (passive: never selected).
	sel := e.statements("SELECT")
	if len(sel) != 2 || !strings.Contains(sel[0], `FROM "posts" WHERE "posts"."user_id" = ANY($1)`) || !strings.Contains(sel[1], `FROM "reports" WHERE`) {
		t.Fatalf("selects %q, want the posts and the reports", sel)
	}
	if got := e.rows(`SELECT user_id FROM reports`); len(got) != 1 || got[0][0] != nil {
		t.Fatalf("ann's report: %v, want a NULL key", got)
	}
	// The profile came with the user (lazy:joined), so the session deletes
	// it too; users go last.
	dels := e.statements("DELETE")
	if len(dels) != 3 || !strings.Contains(dels[0], `"profiles"`) || !strings.Contains(dels[1], `"posts"`) || !strings.Contains(dels[2], `"users"`) {
		t.Fatalf("deletes %q, want profiles, posts, then users", dels)
	}
	for _, tc := range []struct {
		name, sql string
		want      int64
	}{
		{"users", `SELECT count(*) FROM users`, 1},
		{"ann's rows", `SELECT count(*) FROM posts WHERE user_id = $1`, 0},
		{"profiles", `SELECT count(*) FROM profiles`, 1},
		{"comments", `SELECT count(*) FROM comments`, 2},
		{"post_tags", `SELECT count(*) FROM post_tags`, 1},
		{"tags kept", `SELECT count(*) FROM tags`, 1},
	} {
		args := []any{}
		if strings.Contains(tc.sql, "$1") {
			args = append(args, annID)
		}
		if got := e.rows(tc.sql, args...)[0][0].(int64); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, bobID)[0][0].(int64); n != 2 {
		t.Fatalf("bob lost posts: %d", n)
	}
	if got := s.Status(ann); got != orm.Transient {
		t.Fatalf("deleted user is %v", got)
	}
}

func TestDeleteLoadedTreeDeepestFirst(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	leaf := &RCategory{Name: "leaf"}
	mid := &RCategory{Name: "mid", Children: []*RCategory{leaf}}
	root := &RCategory{Name: "root", Children: []*RCategory{mid}}
	s.Add(root)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if leaf.ParentID == nil || *leaf.ParentID != mid.ID || *mid.ParentID != root.ID {
		t.Fatalf("tree keys: mid %v, leaf %v", mid.ParentID, leaf.ParentID)
	}

	t.Run("raise: unloaded children are an error", func(t *testing.T) {
		other := e.db.Session()
		defer other.Close()
		r, err := orm.Get[RCategory](e.ctx, other, root.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Related(e.ctx, r, "Children"); !errors.Is(err, orm.ErrNotLoaded) {
			t.Fatalf("Related = %v, want ErrNotLoaded", err)
		}
		other.Delete(r)
		var nl *orm.NotLoadedError
		if err := other.Commit(e.ctx); !errors.As(err, &nl) || nl.Relation != "Children" {
			t.Fatalf("delete = %v, want a NotLoadedError for Children", err)
		}
		if n := e.count("categories"); n != 3 {
			t.Fatalf("%d categories left, want 3", n)
		}
	})

	// No ON DELETE on categories.parent_id: the rows must go children first.
	s.Delete(root)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count("categories"); n != 0 {
		t.Fatalf("%d categories left", n)
	}
}

func TestDeleteOrphan(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	ann, err := orm.Query[RUser](s).Where("id = ?", annID).Load("Posts").One(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	gone := ann.Posts[0]
	ann.Posts = ann.Posts[1:]
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE id = $1`, gone.ID)[0][0].(int64); n != 0 {
		t.Fatal("orphaned post still there")
	}
	if n := e.rows(`SELECT count(*) FROM comments WHERE post_id = $1`, gone.ID)[0][0].(int64); n != 0 {
		t.Fatal("its comments outlived it")
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 1 {
		t.Fatalf("ann has %d posts, want 1", n)
	}
}

func TestReplaceOneToOneUniqueKey(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	ann, err := orm.Get[RUser](e.ctx, s, annID) // lazy:joined loads the profile
	if err != nil {
		t.Fatal(err)
	}
	old := ann.Profile
	if old == nil || old.User != ann {
		t.Fatalf("profile not loaded with the user: %+v", old)
	}
	ann.Profile = &RProfile{Name: ptr("new"), Gender: "FEMALE"}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err) // profiles.user_id is UNIQUE: the DELETE must go first
	}
	writes := e.statements("DELETE", "INSERT")
	if len(writes) != 2 || !strings.HasPrefix(writes[0], `DELETE FROM "profiles"`) || !strings.HasPrefix(writes[1], `INSERT INTO "profiles"`) {
		t.Fatalf("writes %q, want the orphan's DELETE then the INSERT", writes)
	}
	rows := e.rows(`SELECT id, name, gender::text FROM profiles WHERE user_id = $1`, annID)
	if len(rows) != 1 || rows[0][0].(int64) == old.ID || rows[0][1] != "new" || rows[0][2] != "FEMALE" {
		t.Fatalf("profiles of ann: %v (old id %d)", rows, old.ID)
	}
	if ann.Profile.User != ann || ann.Profile.UserID != annID {
		t.Fatal("new profile not linked")
	}
}

func TestManyToManyRows(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	posts, err := orm.Query[RPost](s).Where("user_id = ANY(?)", []int64{annID, bobID}).Load("Tags").OrderBy("id").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := posts[1] // ann's second post, no tags
	if len(posts[0].Tags) != 1 || len(p.Tags) != 0 {
		t.Fatalf("loaded tags: %d and %d", len(posts[0].Tags), len(p.Tags))
	}
	golang := posts[0].Tags[0]
	if posts[2].Tags[0] != golang {
		t.Fatal("a tag shared by two posts is two objects")
	}
	assoc := func() int64 { return e.count("post_tags") }

	t.Run("append existing tag", func(t *testing.T) {
		p.Tags = append(p.Tags, golang)
		e.cap.reset()
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if ins := e.statements(`INSERT INTO "post_tags"`); len(ins) != 1 || assoc() != 3 {
			t.Fatalf("inserts %q, rows %d", ins, assoc())
		}
		if !slices.Contains(golang.Posts, p) {
			t.Fatal("tag's side not back-populated")
		}
	})
	t.Run("append new tag from the tag's side", func(t *testing.T) {
		sql := &RTag{Name: "sql", Posts: []*RPost{p}}
		s.Add(sql)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if assoc() != 4 || !slices.Contains(p.Tags, sql) {
			t.Fatalf("rows %d, in p.Tags %v", assoc(), slices.Contains(p.Tags, sql))
		}
	})
	t.Run("remove", func(t *testing.T) {
		p.Tags = slices.DeleteFunc(p.Tags, func(x *RTag) bool { return x == golang })
		e.cap.reset()
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if dels := e.statements(`DELETE FROM "post_tags"`); len(dels) != 1 || assoc() != 3 {
			t.Fatalf("deletes %q, rows %d", dels, assoc())
		}
		if e.count("tags") != 2 {
			t.Fatal("removing a tag from a post deleted the tag")
		}
	})
	t.Run("delete a tag", func(t *testing.T) {
		s.Delete(golang)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if assoc() != 1 || e.count("posts") != 4 {
			t.Fatalf("rows %d, posts %d", assoc(), e.count("posts"))
		}
	})
}

func TestReplaceOneToOneFromChildSide(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	ann, err := orm.Get[RUser](e.ctx, s, annID)
	if err != nil {
		t.Fatal(err)
	}
	old := ann.Profile
	fresh := &RProfile{User: ann, Name: ptr("child side")}
	s.Add(fresh)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	rows := e.rows(`SELECT id FROM profiles WHERE user_id = $1`, annID)
	if len(rows) != 1 || rows[0][0].(int64) != fresh.ID || ann.Profile != fresh || s.Status(old) != orm.Transient {
		t.Fatalf("profiles %v (new %d), ann.Profile new %v", rows, fresh.ID, ann.Profile == fresh)
	}
}

// A flush that fails after the hooks detached an orphan (the replaced
// one-to-one profile, the post dropped from the collection) puts the
// back-reference and the deletion marks back: the retry deletes the
// orphans before inserting their replacements, as the first try would
// have.
func TestFailedFlushRestoresOrphans(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	u := newBlog("ann")
	s.Add(u, &RUser{Username: "taken"})
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	old := u.Profile
	u.Profile = &RProfile{Name: ptr("new")}
	u.Posts = u.Posts[:1] // orphan the second post
	bad := &RUser{Username: "taken"}
	s.Add(bad)
	err := s.Commit(e.ctx)
	if !errors.Is(err, orm.ErrUniqueViolation) {
		t.Fatalf("err %v", err)
	}
	if old.User != u || s.Status(old) != orm.Persistent || u.Profile.UserID != 0 || u.Profile.Name == nil || len(u.Posts) != 1 {
		t.Fatalf("not restored: old.User set %t, old %v, new profile key %d", old.User != nil, s.Status(old), u.Profile.UserID)
	}
	s.Expunge(bad)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal("retry:", err)
	}
	if got := e.rows(`SELECT name FROM profiles`); len(got) != 1 || got[0][0] != "new" || e.count("posts") != 1 {
		t.Fatalf("after the retry: profiles %v, posts %d", got, e.count("posts"))
	}
}
