package orm_test

import (
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// TestFilteredLoads: a Load with orm.Where loads part of a relationship.
// What it left out is not loaded: a reference it did not fill is no
// removal (no orphan), and the delete cascade, a one-to-one replacement
// and Related still find the rows it skipped; removing a member it did
// load still counts.
func TestFilteredLoads(t *testing.T) {
	e := setup(t, blogRegistry())
	for _, tc := range []struct {
		name  string
		run   func(t *testing.T, s *orm.Session, annID int64)
		posts int64 // ann's posts afterwards
	}{
		{"reference filtered out, then a commit", func(t *testing.T, s *orm.Session, annID int64) {
			ps, err := orm.Query[RPost](s).Where("user_id = ?", annID).Load("User", orm.Where("username = ?", "nobody")).All(e.ctx)
			if err != nil || len(ps) != 2 || ps[0].User != nil {
				t.Fatalf("load: %d posts, %v", len(ps), err)
			}
		}, 2},
		{"one-to-one filtered out, then replaced", func(t *testing.T, s *orm.Session, annID int64) {
			u, err := orm.Query[RUser](s).Where("id = ?", annID).Load("Profile", orm.Where("name = ?", "nobody")).One(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			u.Profile = &RProfile{Name: ptr("new")}
		}, 2},
		{"collection filtered, then the parent deleted", func(t *testing.T, s *orm.Session, annID int64) {
			u, err := orm.Query[RUser](s).Where("id = ?", annID).Load("Posts", orm.Where("title = ?", "ann one")).One(e.ctx)
			if err != nil || len(u.Posts) != 1 {
				t.Fatalf("load: %v", err)
			}
			s.Delete(u)
		}, 0},
		{"collection filtered, its one member removed", func(t *testing.T, s *orm.Session, annID int64) {
			u, err := orm.Query[RUser](s).Where("id = ?", annID).Load("Posts", orm.Where("title = ?", "ann one")).One(e.ctx)
			if err != nil || len(u.Posts) != 1 {
				t.Fatalf("load: %v", err)
			}
			u.Posts = nil
			posts, err := orm.Related[[]*RPost](e.ctx, s, u, "Posts")
			if err != nil || len(posts) != 1 || posts[0].Title != "ann two" {
				t.Fatalf("related: %d posts, %v", len(posts), err)
			}
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(`TRUNCATE users, profiles, posts, comments, post_tags, tags, reports RESTART IDENTITY CASCADE`)
			annID, _ := seedBlog(t, e)
			s := e.db.Session()
			defer s.Close()
			tc.run(t, s, annID)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0]; n != tc.posts {
				t.Fatalf("ann's posts: %v, want %d", n, tc.posts)
			}
			if n := e.rows(`SELECT count(*) FROM profiles WHERE user_id = $1`, annID)[0][0]; tc.posts > 0 && n != int64(1) {
				t.Fatalf("ann's profiles: %v", n)
			}
		})
	}
}
