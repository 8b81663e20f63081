package orm_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// The scenarios of issue 8, on the blog model of DESIGN.md, each checked
// by plain SQL.

// loadUsers loads the users with the given ids (in id order) with their
// posts, in a fresh session.
func loadUsers(t *testing.T, e *env, ids ...int64) (*orm.Session, []*RUser) {
	t.Helper()
	s := e.db.Session()
	t.Cleanup(func() { s.Close() })
	us, err := orm.Query[RUser](s).Where("id = ANY(?)", ids).OrderBy("id").Load("Posts.Comments").All(e.ctx)
	if err != nil || len(us) != len(ids) {
		t.Fatalf("load users: %d, %v", len(us), err)
	}
	e.cap.reset()
	return s, us
}

func TestMoveBetweenLoadedUsers(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	for _, tc := range []struct {
		name string
		move func(ua, ub *RUser, p *RPost)
	}{
		{"removed from one, appended to the other", func(ua, ub *RUser, p *RPost) {
			ua.Posts = slices.DeleteFunc(slices.Clone(ua.Posts), func(x *RPost) bool { return x == p })
			ub.Posts = append(ub.Posts, p)
		}},
		{"appended to the new parent only", func(ua, ub *RUser, p *RPost) { ub.Posts = append(ub.Posts, p) }},
		{"reference pointed at the new parent", func(ua, ub *RUser, p *RPost) { p.User = ub }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, us := loadUsers(t, e, annID, bobID)
			var ua, ub *RUser // the post moves back and forth between cases
			var p *RPost
			for i, u := range us {
				for _, x := range u.Posts {
					if x.Title == "ann one" {
						ua, ub, p = u, us[1-i], x
					}
				}
			}
			comments := e.rows(`SELECT count(*) FROM comments WHERE post_id = $1`, p.ID)[0][0].(int64)
			tc.move(ua, ub, p)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			writes := e.statements("INSERT", "UPDATE", "DELETE", "WITH")
			if len(writes) != 1 || !strings.Contains(writes[0], `UPDATE "posts" SET "user_id"`) {
				t.Fatalf("writes %q, want one UPDATE of posts.user_id", writes)
			}
			if got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID)[0][0]; got != ub.ID {
				t.Fatalf("posts.user_id = %v, want %d", got, ub.ID)
			}
			if n := e.rows(`SELECT count(*) FROM comments WHERE post_id = $1`, p.ID)[0][0].(int64); n != comments || n == 0 {
				t.Fatalf("comments of the moved post: %d, want %d", n, comments)
			}
			if slices.Contains(ua.Posts, p) || !slices.Contains(ub.Posts, p) || p.User != ub || p.UserID != ub.ID {
				t.Fatalf("in memory: in old %v, in new %v, reference to new %v", slices.Contains(ua.Posts, p), slices.Contains(ub.Posts, p), p.User == ub)
			}
		})
	}
}

func TestReferenceSetToNilOrphans(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	p, prof := ua.Posts[0], ua.Profile
	p.User = nil
	prof.User = nil
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE id = $1`, p.ID)[0][0].(int64); n != 0 {
		t.Fatal("post.User = nil under delete-orphan: the post is still there")
	}
	if n := e.rows(`SELECT count(*) FROM profiles WHERE id = $1`, prof.ID)[0][0].(int64); n != 0 {
		t.Fatal("profile.User = nil under delete-orphan: the profile is still there")
	}
	if slices.Contains(ua.Posts, p) || ua.Profile != nil || len(ua.Posts) != 1 {
		t.Fatalf("the user still holds its orphans: %d posts, profile %v", len(ua.Posts), ua.Profile)
	}
}

func TestExpungeCascade(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	p, prof := ua.Posts[0], ua.Profile
	s.Expunge(ua) // cascade all: profile, posts and their comments leave too
	for _, o := range []any{ua, p, prof, p.Comments[0]} {
		if st := s.Status(o); st != orm.Transient {
			t.Fatalf("%T is %v after the expunge", o, st)
		}
	}
	ua.Username = "changed after the expunge"
	for i := range 2 {
		if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
			t.Fatalf("commit %d sent %q (%v)", i, e.cap.sqls(), err)
		}
	}
	if got := e.rows(`SELECT username FROM users WHERE id = $1`, annID)[0][0]; got != "ann" {
		t.Fatalf("username %v", got)
	}
	// Along a relationship without expunge (Post.User), the target stays.
	s2, us2 := loadUsers(t, e, annID)
	p2 := us2[0].Posts[0]
	s2.Expunge(p2)
	if s2.Status(us2[0]) != orm.Persistent || s2.Status(p2.Comments[0]) != orm.Transient {
		t.Fatalf("user %v, comment %v", s2.Status(us2[0]), s2.Status(p2.Comments[0]))
	}
}

func TestLoadToOneFromTheSession(t *testing.T) {
	e := setup(t, blogRegistry())
	seedMany(t, e, 2, 2)
	s := e.db.Session()
	defer s.Close()
	if _, err := orm.Query[RUser](s).Load("Posts.Comments").All(e.ctx); err != nil {
		t.Fatal(err)
	}
	comments, err := orm.Query[RComment](s).All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		obj        any
	}{
		{"many_to_one, parent held", "Post", comments[0]},
		{"chain of held parents", "Post.User", comments[1]},
		{"one_to_one loaded with its owner", "Profile", comments[0].Post.User},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			if err := s.LoadRelated(e.ctx, tc.obj, tc.path); err != nil {
				t.Fatal(err)
			}
			if n := len(e.cap.sqls()); n != 0 {
				t.Fatalf("%d statements: %q", n, e.cap.sqls())
			}
		})
	}
	if comments[1].Post == nil || comments[1].Post.User == nil {
		t.Fatal("references not set from the session")
	}
}

func TestLoadJoinedChain(t *testing.T) {
	e := setup(t, blogRegistry())
	seedMany(t, e, 2, 2)
	s := e.db.Session()
	defer s.Close()
	comments, err := orm.Query[RComment](s).Load("Post.User.Profile").OrderBy("id").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	sqls := e.cap.sqls()
	if len(sqls) != 1 || strings.Count(sqls[0], "LEFT OUTER JOIN") != 3 {
		t.Fatalf("%d statements, want one SELECT with three joins:\n%s", len(sqls), strings.Join(sqls, "\n"))
	}
	if len(comments) != 8 {
		t.Fatalf("%d comments", len(comments))
	}
	for _, c := range comments {
		p := c.Post
		if p == nil || p.User == nil || p.User.Profile == nil || p.User.Profile.User != p.User || p.UserID != p.User.ID {
			t.Fatalf("comment %d not stitched", c.ID)
		}
	}
	byID := map[int64]*RPost{}
	for _, c := range comments {
		if p := byID[c.PostID]; p != nil && p != c.Post {
			t.Fatal("one post loaded twice is two objects")
		}
		byID[c.PostID] = c.Post
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("loading made the session dirty: %q %v", e.cap.sqls(), err)
	}
}

func TestReusedDetachedObject(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s1, us := loadUsers(t, e, annID)
	ann := us[0]
	s1.Close()

	s := e.db.Session()
	defer s.Close()
	p := &RPost{Title: "new", User: ann}
	s.Add(p)
	err := s.Commit(e.ctx)
	var de *orm.DetachedError
	if !errors.As(err, &de) || !errors.Is(err, orm.ErrDetached) || de.Object != "users("+strconv.FormatInt(annID, 10)+")" || !strings.Contains(de.Via, "RPost.User") || !strings.Contains(err.Error(), "Merge") {
		t.Fatalf("err = %v, want a DetachedError naming users(%d) and Merge", err, annID)
	}
	if w := e.statements("INSERT", "UPDATE", "DELETE"); len(w) != 0 || e.count("posts") != 4 {
		t.Fatalf("wrote %q", w)
	}
	// The remedy the error names: merge the detached user in.
	merged, err := orm.Merge(e.ctx, s, ann)
	if err != nil {
		t.Fatal(err)
	}
	s2 := e.db.Session()
	defer s2.Close()
	s2.Add(&RPost{Title: "elsewhere", User: merged})
	if err := s2.Commit(e.ctx); !errors.Is(err, orm.ErrDetached) {
		t.Fatalf("merged into one session, then used in another: %v", err)
	}
	p.User = merged
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 3 || !slices.Contains(merged.Posts, p) {
		t.Fatalf("ann has %d posts, want 3", n)
	}
}

func TestAddNil(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	s.Add((*RUser)(nil))
	err := s.Commit(e.ctx)
	if !errors.Is(err, orm.ErrNilObject) || errors.Is(err, orm.ErrUnknownModel) || !strings.Contains(err.Error(), "RUser") {
		t.Fatalf("err = %v, want ErrNilObject naming the type", err)
	}
	if _, err := s.Merge(e.ctx, (*RUser)(nil)); !errors.Is(err, orm.ErrNilObject) {
		t.Fatalf("merge nil: %v", err)
	}
}

func TestRelationConflict(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	carl := &RUser{Username: "carl"}
	p := us[0].Posts[0]
	p.User = carl
	us[1].Posts = append(us[1].Posts, p)
	s.Add(carl)
	err := s.Commit(e.ctx)
	var ce *orm.RelationConflictError
	if !errors.As(err, &ce) || len(ce.Relations) != 2 {
		t.Fatalf("err = %v, want a RelationConflictError", err)
	}
	// The two parents are named, the one the session holds by its row.
	if bob := "users(" + strconv.FormatInt(bobID, 10) + ")"; !slices.Contains(ce.Parents, bob) || !slices.ContainsFunc(ce.Parents, func(p string) bool { return strings.HasPrefix(p, "users(new") }) ||
		!strings.Contains(err.Error(), bob+" by ") {
		t.Fatalf("parents %q: %v", ce.Parents, err)
	}
	if e.count("users") != 2 || len(e.statements("INSERT", "UPDATE")) != 0 {
		t.Fatalf("wrote %q", e.cap.sqls())
	}
}

func TestMovedChildSurvivesItsOldParentsDelete(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, bobID := seedBlog(t, e)
	s, us := loadUsers(t, e, annID, bobID)
	ua, ub := us[0], us[1]
	p := ua.Posts[0]
	ub.Posts = append(ub.Posts, p) // moved, still listed in ua.Posts
	s.Delete(ua)                   // delete cascade along User.Posts
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID); len(got) != 1 || got[0][0] != bobID {
		t.Fatalf("moved post: %v, want it with bob", got)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 0 {
		t.Fatalf("ann's other post survived: %d", n)
	}
}

// RTrack deletes its album when deleted: delete cascade along a
// many_to_one (SQLAlchemy's cascade="all" on the many side).
type RAlbum struct {
	ID     int64 `orm:"pk"`
	Title  string
	Tracks []*RTrack `rel:"one_to_many,back_populates:Album"`
}

func (RAlbum) TableName() string { return "albums" }

type RTrack struct {
	ID      int64   `orm:"pk"`
	AlbumID *int64  `orm:"fk:albums.id,ondelete:set null"`
	Album   *RAlbum `rel:"many_to_one,back_populates:Tracks,cascade:all"`
}

func (RTrack) TableName() string { return "tracks" }

func TestDeleteAlongManyToOne(t *testing.T) {
	e := setup(t, orm.MustRegistry(&RAlbum{}, &RTrack{}))
	s := e.db.Session()
	defer s.Close()
	a, b := &RAlbum{Title: "a"}, &RAlbum{Title: "b"}
	ta, tb := &RTrack{Album: a}, &RTrack{Album: b}
	s.Add(ta, tb)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		track func(s *orm.Session) *RTrack
		album int64
	}{
		{"album loaded", func(s *orm.Session) *RTrack {
			tr, _ := orm.Query[RTrack](s).Where("id = ?", ta.ID).Load("Album").One(e.ctx)
			return tr
		}, a.ID},
		{"album selected by the cascade", func(s *orm.Session) *RTrack {
			tr, _ := orm.Get[RTrack](e.ctx, s, tb.ID)
			return tr
		}, b.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := e.db.Session()
			defer other.Close()
			tr := tc.track(other)
			other.Delete(tr)
			if err := other.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if n := e.rows(`SELECT count(*) FROM albums WHERE id = $1`, tc.album)[0][0].(int64); n != 0 {
				t.Fatal("the album outlived its deleted track")
			}
		})
	}
}

func TestRefreshCascade(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s, us := loadUsers(t, e, annID)
	ua := us[0]
	p, c := ua.Posts[0], ua.Posts[0].Comments[0]
	p.Title, c.Body = "unsaved", "unsaved"
	ua.Posts = ua.Posts[:0] // an unflushed removal
	e.exec(`UPDATE posts SET title = 'from the database' WHERE id = $1`, p.ID)
	e.exec(`UPDATE comments SET body = 'from the database' WHERE id = $1`, c.ID)
	e.exec(`INSERT INTO posts (title, user_id, published) VALUES ('added elsewhere', $1, false)`, annID)
	if err := s.Refresh(e.ctx, ua); err != nil {
		t.Fatal(err)
	}
	// User.Posts and Post.Comments have refresh-expire (all): the posts and
	// their comments are reloaded, membership and values.
	if len(ua.Posts) != 3 || !slices.Contains(ua.Posts, p) || p.Title != "from the database" || c.Body != "from the database" {
		t.Fatalf("after refresh: %d posts, title %q, body %q", len(ua.Posts), p.Title, c.Body)
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("refresh left changes: %q %v", e.cap.sqls(), err)
	}
}

// A child appended to a collection that was never loaded joins it; the
// collection still counts as not loaded, so Related loads it in full.
func TestAppendToUnloadedCollection(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	s := e.db.Session()
	defer s.Close()
	ann, err := orm.Get[RUser](e.ctx, s, annID) // Posts not loaded
	if err != nil || ann.Posts != nil {
		t.Fatalf("get: %v, posts %v", err, ann.Posts)
	}
	p := &RPost{Title: "third"}
	ann.Posts = append(ann.Posts, p)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if p.UserID != annID || p.User != ann || len(ann.Posts) != 1 {
		t.Fatalf("post key %d, back reference %v, %d posts", p.UserID, p.User == ann, len(ann.Posts))
	}
	posts, err := orm.Related[[]*RPost](e.ctx, s, ann, "Posts")
	if err != nil || len(posts) != 3 || !slices.Contains(posts, p) {
		t.Fatalf("related: %d posts, %v", len(posts), err)
	}
	if n := e.rows(`SELECT count(*) FROM posts WHERE user_id = $1`, annID)[0][0].(int64); n != 3 {
		t.Fatalf("%d rows", n)
	}
}
