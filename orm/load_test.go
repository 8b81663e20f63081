package orm_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// seedMany commits users users, each with a profile and posts posts of
// two comments (the second a reply to the first) and one shared tag.
func seedMany(t *testing.T, e *env, users, posts int) {
	t.Helper()
	s := e.db.Session()
	defer s.Close()
	tag := &RTag{Name: "shared"}
	for i := range users {
		u := &RUser{Username: fmt.Sprint("u", i), Profile: &RProfile{}}
		for j := range posts {
			first := &RComment{Body: "first"}
			reply := &RComment{Body: "reply", Parent: first}
			u.Posts = append(u.Posts, &RPost{Title: fmt.Sprint("p", j), Published: j%2 == 0,
				Comments: []*RComment{first, reply}, Tags: []*RTag{tag}})
		}
		s.Add(u)
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
}

func TestLoadStatementsPerStep(t *testing.T) {
	for _, tc := range []struct {
		name         string
		users, posts int
	}{
		{"few rows", 2, 1},
		{"many rows", 30, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, blogRegistry())
			seedMany(t, e, tc.users, tc.posts)
			s := e.db.Session()
			defer s.Close()
			users, err := orm.Query[RUser](s).Load("Posts.Comments", "Posts.Tags").OrderBy("id").All(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			// users joined with their profiles (lazy:joined), then one
			// statement per step: Posts, Comments, Tags.
			sqls := e.cap.sqls()
			if len(sqls) != 4 || !strings.Contains(sqls[0], `LEFT OUTER JOIN "profiles"`) {
				t.Fatalf("%d statements, want 4:\n%s", len(sqls), strings.Join(sqls, "\n"))
			}
			for _, st := range e.cap.stmts[1:] {
				if !strings.Contains(st.SQL, "= ANY($1)") || len(st.Args) != 1 {
					t.Fatalf("step %q with %d args, want one array", st.SQL, len(st.Args))
				}
			}
			if len(users) != tc.users {
				t.Fatalf("%d users", len(users))
			}
			var tag *RTag
			for _, u := range users {
				if u.Profile == nil || u.Profile.User != u || len(u.Posts) != tc.posts {
					t.Fatalf("user %s: profile %v, %d posts", u.Username, u.Profile, len(u.Posts))
				}
				for _, p := range u.Posts {
					if p.User != u || len(p.Comments) != 2 || p.Comments[0].ID > p.Comments[1].ID || p.Comments[0].Post != p {
						t.Fatalf("post %d not stitched: %+v", p.ID, p)
					}
					if len(p.Tags) != 1 || (tag != nil && p.Tags[0] != tag) {
						t.Fatal("the shared tag is not one object")
					}
					tag = p.Tags[0]
				}
			}
			e.cap.reset()
			same, err := orm.Get[RPost](e.ctx, s, users[0].Posts[0].ID)
			if err != nil || same != users[0].Posts[0] || len(e.cap.sqls()) != 0 {
				t.Fatalf("Get after load: same %v, %d statements, %v", same == users[0].Posts[0], len(e.cap.sqls()), err)
			}
			e.cap.reset()
			if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
				t.Fatalf("loading made the session dirty: %v %v", e.cap.sqls(), err)
			}
		})
	}
}

func TestLoadNestedSelfReferential(t *testing.T) {
	e := setup(t, blogRegistry())
	seedMany(t, e, 1, 1)
	s := e.db.Session()
	defer s.Close()
	posts, err := orm.Query[RPost](s).Load("Comments.Replies.Replies", "User").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// posts joined with their users and, chained on the users' join, their
	// profiles (lazy:joined on User); then comments, replies, replies of
	// replies
	if n := len(e.cap.sqls()); n != 4 || !strings.Contains(e.cap.sqls()[0], `LEFT OUTER JOIN "profiles" AS "j2" ON "j2"."user_id" = "j1"."id"`) {
		t.Fatalf("%d statements:\n%s", n, strings.Join(e.cap.sqls(), "\n"))
	}
	c := posts[0].Comments
	if len(c) != 2 || len(c[0].Replies) != 1 || c[0].Replies[0] != c[1] || c[1].Parent != c[0] || posts[0].User == nil {
		t.Fatalf("replies not stitched: %+v", c)
	}
}

func TestLoadFilteredOrdered(t *testing.T) {
	e := setup(t, blogRegistry())
	seedMany(t, e, 2, 4)
	s := e.db.Session()
	defer s.Close()
	users, err := orm.Query[RUser](s).
		Load("Posts", orm.Where("published = ?", true), orm.OrderBy("-title")).
		All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		var titles []string
		for _, p := range u.Posts {
			if !p.Published {
				t.Fatalf("unpublished post %q loaded", p.Title)
			}
			titles = append(titles, p.Title)
		}
		if !slices.Equal(titles, []string{"p2", "p0"}) {
			t.Fatalf("titles %v, want [p2 p0]", titles)
		}
	}
	var step captured
	for _, st := range e.cap.stmts {
		if strings.Contains(st.SQL, `FROM "posts"`) {
			step = st
		}
	}
	if !strings.Contains(step.SQL, `AND (published = $2) ORDER BY "posts"."title" DESC`) || len(step.Args) != 2 {
		t.Fatalf("step %q %v", step.SQL, step.Args)
	}
}

func TestLoadRelated(t *testing.T) {
	e := setup(t, blogRegistry())
	seedMany(t, e, 1, 3)
	s := e.db.Session()
	defer s.Close()
	u, err := orm.Query[RUser](s).First(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
	if err := s.LoadRelated(e.ctx, u, "Posts.Comments"); err != nil {
		t.Fatal(err)
	}
	if n := len(e.cap.sqls()); n != 2 || len(u.Posts) != 3 || len(u.Posts[2].Comments) != 2 {
		t.Fatalf("%d statements, %d posts", n, len(u.Posts))
	}
	e.cap.reset()
	got, err := s.Related(e.ctx, u, "Posts")
	if err != nil || len(got.([]*RPost)) != 3 || len(e.cap.sqls()) != 0 {
		t.Fatalf("Related of a loaded collection: %v, %d statements", err, len(e.cap.sqls()))
	}
	other := e.db.Session()
	defer other.Close()
	u2, _ := orm.Query[RUser](other).First(e.ctx)
	if got, err := other.Related(e.ctx, u2, "Posts"); err != nil || len(got.([]*RPost)) != 3 {
		t.Fatalf("Related loads a lazy:select relationship: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	e := setup(t, blogRegistry())
	seedMany(t, e, 1, 1)
	s := e.db.Session()
	defer s.Close()
	u, err := orm.Query[RUser](s).First(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"unknown path", func() error { _, err := orm.Query[RUser](s).Load("Posts.Nope").All(e.ctx); return err }, orm.ErrNoRelation},
		{"not a path", func() error { _, err := orm.Query[RUser](s).Load(42).All(e.ctx); return err }, orm.ErrLoadArg},
		{"option first", func() error { _, err := orm.Query[RUser](s).Load(orm.Where("true")).All(e.ctx); return err }, orm.ErrLoadArg},
		{"unknown order", func() error { _, err := orm.Query[RUser](s).Load("Posts", orm.OrderBy("nope")).All(e.ctx); return err }, orm.ErrUnknownColumn},
		{"placeholders", func() error { _, err := orm.Query[RUser](s).Load("Posts", orm.Where("id = ?")).All(e.ctx); return err }, orm.ErrPlaceholders},
		{"LoadRelated unknown", func() error { return s.LoadRelated(e.ctx, u, "Nope") }, orm.ErrNoRelation},
		{"LoadRelated transient", func() error { return s.LoadRelated(e.ctx, &RUser{}, "Posts") }, orm.ErrNotPersistent},
		{"Related unknown", func() error { _, err := s.Related(e.ctx, u, "Nope"); return err }, orm.ErrNoRelation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.run(); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLoadJoined(t *testing.T) {
	e := setup(t, blogRegistry())
	seedMany(t, e, 2, 1)
	s := e.db.Session()
	defer s.Close()
	s.Add(&RUser{Username: "no profile"})
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
	// "id" is a column of both tables: the query's own conditions keep
	// their meaning inside the joined statement.
	users, err := orm.Query[RUser](s).Where("id > ?", 0).OrderBy("-id").Limit(2).LoadJoined("Profile").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	sqls := e.cap.sqls()
	if len(sqls) != 1 || !strings.Contains(sqls[0], `LEFT OUTER JOIN "profiles" AS "j1" ON "j1"."user_id" = "users"."id" ORDER BY "users"."id" DESC`) {
		t.Fatalf("statements:\n%s", strings.Join(sqls, "\n"))
	}
	if len(users) != 2 || users[0].Username != "no profile" || users[0].Profile != nil || users[1].Profile == nil || users[1].Profile.User != users[1] {
		t.Fatalf("users %+v", users)
	}
	// Get joins the lazy:joined profile too.
	other := e.db.Session()
	defer other.Close()
	e.cap.reset()
	u, err := orm.Get[RUser](e.ctx, other, users[1].ID)
	if sqls := e.cap.sqls(); err != nil || len(sqls) != 1 || !strings.Contains(sqls[0], "LEFT OUTER JOIN") || u.Profile == nil || u.Profile.User != u {
		t.Fatalf("Get: %v, statements %q", err, sqls)
	}
	if _, err := orm.Get[RUser](e.ctx, other, int64(1e9)); !errors.Is(err, orm.ErrNotFound) {
		t.Fatalf("Get of a missing row: %v", err)
	}
	// The joined profile is the session's object for its row.
	same, err := orm.Get[RProfile](e.ctx, s, users[1].Profile.ID)
	if err != nil || same != users[1].Profile {
		t.Fatalf("Get after join: %v", err)
	}
	// Posts with their users: the shared user is one object, and a later
	// step starts from the joined targets.
	posts, err := orm.Query[RPost](s).LoadJoined("User.Posts").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		if p.User == nil || !slices.Contains(p.User.Posts, p) {
			t.Fatalf("post %d: user %v", p.ID, p.User)
		}
	}
}

// TestLoadStepFindsEarlierRows: a load step finds the rows that earlier
// queries of the session loaded, even when no lookup has indexed them yet
// (the models here load nothing eagerly), and returns the held objects,
// unflushed changes kept; rows of models the step does not read are
// indexed when a lookup first needs them.
func TestLoadStepFindsEarlierRows(t *testing.T) {
	e := setup(t, orm.MustRegistry(&BenchUser{}, &BenchPost{}, &BenchComment{}))
	for _, q := range []string{seedUsers, seedPosts} {
		if _, err := e.db.Pool().Exec(e.ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s := e.db.Session()
	defer s.Close()
	s.SetAutoflush(false)
	posts, err := orm.Query[BenchPost](s).Where("user_id <= ?", 3).OrderBy("id").All(e.ctx)
	if err != nil || len(posts) != 3*benchPosts {
		t.Fatalf("%d posts, %v", len(posts), err)
	}
	posts[0].Title = "changed, not flushed"
	users, err := orm.Query[BenchUser](s).Where("id <= ?", 3).Load("Posts").OrderBy("id").All(e.ctx)
	if err != nil || len(users) != 3 {
		t.Fatalf("%d users, %v", len(users), err)
	}
	held := map[*BenchPost]bool{}
	for _, p := range posts {
		held[p] = true
	}
	for _, u := range users {
		if len(u.Posts) != benchPosts {
			t.Fatalf("user %d: %d posts", u.ID, len(u.Posts))
		}
		for _, p := range u.Posts {
			if !held[p] || p.User != u {
				t.Fatalf("user %d: post %d is not the held object (or not stitched)", u.ID, p.ID)
			}
		}
	}
	if posts[0].Title != "changed, not flushed" {
		t.Fatalf("the load overwrote an unflushed change: %q", posts[0].Title)
	}
	e.cap.reset()
	u, err := orm.Get[BenchUser](e.ctx, s, users[1].ID)
	if err != nil || u != users[1] || len(e.cap.sqls()) != 0 {
		t.Fatalf("Get: same %v, %d statements, %v", u == users[1], len(e.cap.sqls()), err)
	}
}
