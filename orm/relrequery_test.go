package orm_test

import (
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// TestRowMovedByAnotherTransaction: another transaction moves a child the
// session holds (or clears its key); a query or a Refresh brings the new
// key into the held, unchanged object. The session's fields follow the
// row: the next commit sends nothing (it used to put the row back under
// its stale reference), and deleting the old parent leaves the row alone.
func TestRowMovedByAnotherTransaction(t *testing.T) {
	e := setup(t, blogRegistry())
	for _, move := range []struct {
		name  string
		table string
		post  bool // a post moved to bob, else ann's report detached
	}{
		{"post moved to bob", "posts", true},
		{"report detached", "reports", false},
	} {
		for _, reload := range []struct {
			name string
			run  func(s *orm.Session, child any) error
		}{
			{"queried again", func(s *orm.Session, child any) error {
				if _, err := orm.Query[RPost](s).All(e.ctx); err != nil {
					return err
				}
				_, err := orm.Query[RReport](s).All(e.ctx)
				return err
			}},
			{"refreshed", func(s *orm.Session, child any) error { return s.Refresh(e.ctx, child) }},
		} {
			t.Run(move.name+"/"+reload.name, func(t *testing.T) {
				e.exec(`TRUNCATE users, profiles, posts, comments, post_tags, tags, reports RESTART IDENTITY CASCADE`)
				annID, bobID := seedBlog(t, e)
				s := e.db.Session()
				defer s.Close()
				us, err := orm.Query[RUser](s).Where("id = ANY(?)", []int64{annID, bobID}).OrderBy("id").Load("Posts", "Reports").All(e.ctx)
				if err != nil {
					t.Fatal(err)
				}
				ann, bob := us[0], us[1]
				var child any = ann.Posts[0]
				id, to := ann.Posts[0].ID, any(bobID)
				if !move.post {
					child, id, to = ann.Reports[0], ann.Reports[0].ID, nil
				}
				e.exec(`UPDATE `+move.table+` SET user_id = $2 WHERE id = $1`, id, to)
				if err := reload.run(s, child); err != nil {
					t.Fatal(err)
				}
				e.cap.reset()
				if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
					t.Fatalf("commit: %v, sent %q", err, e.cap.sqls())
				}
				if move.post {
					p := child.(*RPost)
					if p.User != bob || slices.Contains(ann.Posts, p) || !slices.Contains(bob.Posts, p) {
						t.Fatalf("in memory: reference to bob %v, in ann's %v, in bob's %v", p.User == bob, slices.Contains(ann.Posts, p), slices.Contains(bob.Posts, p))
					}
				} else if r := child.(*RReport); r.User != nil || slices.Contains(ann.Reports, r) {
					t.Fatal("the detached report still names ann")
				}
				s.Delete(ann)
				if err := s.Commit(e.ctx); err != nil {
					t.Fatal(err)
				}
				if rows := e.rows(`SELECT user_id FROM `+move.table+` WHERE id = $1`, id); len(rows) != 1 || rows[0][0] != to {
					t.Fatalf("the row after ann's delete: %v, want user_id %v", rows, to)
				}
			})
		}
	}
}

// TestUnflushedMoveSurvivesRequery: with autoflush off, the program points
// a post at bob; another transaction moves it elsewhere meanwhile and a
// query brings that key in. The program's change stands: the commit moves
// the post to bob.
func TestUnflushedMoveSurvivesRequery(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	s.SetAutoflush(false)
	us, err := orm.Query[RUser](s).Where("id = ANY(?)", []int64{annID, bobID}).OrderBy("id").Load("Posts").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ann, bob := us[0], us[1]
	p := ann.Posts[0]
	p.User = bob
	e.exec(`INSERT INTO users (username) VALUES ('carl')`)
	e.exec(`UPDATE posts SET user_id = (SELECT id FROM users WHERE username = 'carl') WHERE id = $1`, p.ID)
	if _, err := orm.Query[RPost](s).All(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID)[0][0]; got != bobID || p.User != bob || !slices.Contains(bob.Posts, p) {
		t.Fatalf("user_id %v, reference to bob %v", got, p.User == bob)
	}
}
