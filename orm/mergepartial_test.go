package orm_test

import (
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// TestMergeFilteredCollection: a collection loaded with a filter holds
// only some of the rows. Merging an object that carries it must not
// orphan (under delete-orphan, delete) the rows the filter left out,
// whichever session loaded it and whatever the program did to the
// collection since; removing a row the filter did load still counts.
func TestMergeFilteredCollection(t *testing.T) {
	e := setup(t, blogRegistry())
	load := func(t *testing.T, s *orm.Session, id int64) *RUser {
		t.Helper()
		u, err := orm.Query[RUser](s).Where("id = ?", id).Load("Posts", orm.Where("published")).One(e.ctx)
		if err != nil || len(u.Posts) != 1 || u.Posts[0].Title != "ann one" {
			t.Fatalf("load: %v", err)
		}
		return u
	}
	// detached loads ann with her published posts in a session it closes.
	detached := func(t *testing.T, id int64) *RUser {
		s1 := e.db.Session()
		defer s1.Close()
		return load(t, s1, id)
	}
	for _, tc := range []struct {
		name string
		// obj returns the object to merge into s, and the merge options.
		obj    func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption)
		titles []string // ann's posts afterwards
	}{
		{"the loaded object itself", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			return load(t, s, annID), nil
		}, []string{"ann one", "ann two"}},
		{"the loaded object itself, its loaded row removed", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			u := load(t, s, annID)
			u.Posts = u.Posts[:0]
			return u, nil
		}, []string{"ann two"}},
		{"a copy in the same session", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			c := *load(t, s, annID)
			return &c, nil
		}, []string{"ann one", "ann two"}},
		{"from a closed session", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			return detached(t, annID), nil
		}, []string{"ann one", "ann two"}},
		{"a copy from a closed session", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			c := *detached(t, annID)
			return &c, nil
		}, []string{"ann one", "ann two"}},
		{"expunged, then merged back", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			u := load(t, s, annID)
			s.Expunge(u)
			return u, nil
		}, []string{"ann one", "ann two"}},
		{"a loaded row removed from the filtered collection is an orphan", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			u := detached(t, annID)
			u.Posts = u.Posts[:0]
			return u, nil
		}, []string{"ann two"}},
		{"the first loaded row sliced off", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			u := detached(t, annID)
			u.Posts = u.Posts[1:]
			return u, nil
		}, []string{"ann two"}},
		{"a row added to the filtered collection", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			u := detached(t, annID)
			u.Posts = append(u.Posts, &RPost{Title: "ann three"})
			return u, nil
		}, []string{"ann one", "ann three", "ann two"}},
		{"a collection the program rebuilt still lacks what the filter left out", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			u := detached(t, annID)
			u.Posts = []*RPost{{Title: "ann three"}}
			return u, nil
		}, []string{"ann three", "ann two"}},
		{"loaded whole since, the collection is the whole truth", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			s1 := e.db.Session()
			defer s1.Close()
			u := load(t, s1, annID)
			if err := s1.LoadRelated(e.ctx, u, "Posts"); err != nil || len(u.Posts) != 2 {
				t.Fatalf("load whole: %v", err)
			}
			u.Posts = u.Posts[:1]
			return u, nil
		}, []string{"ann one"}},
		{"a copy of the filtered view made before the whole load stays partial", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			s1 := e.db.Session()
			defer s1.Close()
			u := load(t, s1, annID)
			c := *u
			if err := s1.LoadRelated(e.ctx, u, "Posts"); err != nil || len(u.Posts) != 2 {
				t.Fatalf("load whole: %v", err)
			}
			return &c, nil
		}, []string{"ann one", "ann two"}},
		{"a filtered view that loaded nothing", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			s1 := e.db.Session()
			defer s1.Close()
			u, err := orm.Query[RUser](s1).Where("id = ?", annID).Load("Posts", orm.Where("title = 'none'")).One(e.ctx)
			if err != nil || len(u.Posts) != 0 {
				t.Fatalf("load: %v", err)
			}
			u.Posts = append(u.Posts, &RPost{Title: "ann three"})
			return u, nil
		}, []string{"ann one", "ann three", "ann two"}},
		{"a held object filtered, a copy from elsewhere merged onto it", func(t *testing.T, s *orm.Session, annID int64) (*RUser, []orm.MergeOption) {
			load(t, s, annID)
			return &RUser{RBase: RBase{ID: annID}, Posts: []*RPost{}}, []orm.MergeOption{orm.MergeFields("Username", "Posts")}
		}, []string{"ann two"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.exec(`TRUNCATE users, profiles, posts, comments, post_tags, tags, reports RESTART IDENTITY CASCADE`)
			annID, _ := seedBlog(t, e)
			s := e.db.Session()
			defer s.Close()
			u, opts := tc.obj(t, s, annID)
			u.Username = "ann2"
			if _, err := orm.Merge(e.ctx, s, u, opts...); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range e.rows(`SELECT title FROM posts WHERE user_id = $1 ORDER BY title`, annID) {
				got = append(got, r[0].(string))
			}
			if !slices.Equal(got, tc.titles) {
				t.Fatalf("ann's posts: %v, want %v", got, tc.titles)
			}
			if n := e.rows(`SELECT username FROM users WHERE id = $1`, annID)[0][0]; n != "ann2" {
				t.Fatalf("username %v", n)
			}
		})
	}
}

// TestMergeFilteredManyToMany: the same for a many_to_many collection,
// where an orphan is an association row deleted.
func TestMergeFilteredManyToMany(t *testing.T) {
	e := setup(t, blogRegistry())
	s0 := e.db.Session()
	p := &RPost{Title: "p", User: &RUser{Username: "ann"}, Tags: []*RTag{{Name: "go"}, {Name: "sql"}, {Name: "pg"}}}
	s0.Add(p)
	if err := s0.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	s0.Close()
	s1 := e.db.Session()
	got, err := orm.Query[RPost](s1).Where("id = ?", p.ID).Load("Tags", orm.Where("name <> ?", "sql"), orm.OrderBy("name")).One(e.ctx)
	if err != nil || len(got.Tags) != 2 || got.Tags[0].Name != "go" {
		t.Fatalf("load: %v", err)
	}
	s1.Close()
	got.Tags = got.Tags[1:] // drop "go"
	s := e.db.Session()
	defer s.Close()
	if _, err := orm.Merge(e.ctx, s, got); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	byID := map[int64]string{}
	for _, tg := range p.Tags {
		byID[tg.ID] = tg.Name
	}
	var names []string
	for _, r := range e.rows(`SELECT * FROM post_tags ORDER BY 2`) { // (post, tag)
		if r[0] == p.ID {
			names = append(names, byID[r[1].(int64)])
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"pg", "sql"}) {
		t.Fatalf("tags %v, want [pg sql]", names)
	}
}
