package orm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm"
)

// The blog model of DESIGN.md (prefixed to keep the package's other test
// models apart), plus self-referential models, used by the relationship
// tests.

type Gender string

// EnumValues makes Gender a native enum.
func (Gender) EnumValues() []string { return []string{"MALE", "FEMALE", "UNDEFINED"} }

type RBase struct {
	ID        int64     `orm:"pk"`
	CreatedAt time.Time `orm:"server_default:now()"`
}

type RUser struct {
	RBase
	Username string     `orm:"unique"`
	Profile  *RProfile  `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan,lazy:joined"`
	Posts    []*RPost   `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan"`
	Reports  []*RReport `rel:"one_to_many,back_populates:User"`
}

func (RUser) TableName() string { return "users" }

type RProfile struct {
	RBase
	UserID int64  `orm:"unique,fk:users.id,ondelete:cascade"`
	User   *RUser `rel:"many_to_one,back_populates:Profile"`
	Name   *string
	Gender Gender `orm:"default:UNDEFINED,server_default:'UNDEFINED'"`
}

func (RProfile) TableName() string { return "profiles" }

type RPost struct {
	RBase
	Title     string
	Published bool
	UserID    int64       `orm:"fk:users.id"`
	User      *RUser      `rel:"many_to_one,back_populates:Posts"`
	Comments  []*RComment `rel:"one_to_many,back_populates:Post,cascade:all|delete-orphan,order_by:id"`
	Tags      []*RTag     `rel:"many_to_many,secondary:post_tags,back_populates:Posts"`
}

func (RPost) TableName() string { return "posts" }

type RComment struct {
	RBase
	Body     string
	PostID   int64       `orm:"fk:posts.id,ondelete:cascade"`
	Post     *RPost      `rel:"many_to_one,back_populates:Comments"`
	ParentID *int64      `orm:"fk:comments.id,ondelete:cascade"`
	Parent   *RComment   `rel:"many_to_one,back_populates:Replies"`
	Replies  []*RComment `rel:"one_to_many,back_populates:Parent,cascade:all|delete-orphan,order_by:id"`
}

func (RComment) TableName() string { return "comments" }

type RTag struct {
	RBase
	Name  string   `orm:"unique"`
	Posts []*RPost `rel:"many_to_many,secondary:post_tags,back_populates:Tags"`
}

func (RTag) TableName() string { return "tags" }

// RReport has a nullable key and no cascade from its user: removing it
// from the user's collection clears the key.
type RReport struct {
	ID     int64 `orm:"pk"`
	Note   string
	UserID *int64 `orm:"fk:users.id"`
	User   *RUser `rel:"many_to_one,back_populates:Reports"`
}

func (RReport) TableName() string { return "reports" }

// RCategory is a tree without ON DELETE: the session deletes children
// itself, deepest first; its children must be loaded explicitly (raise).
type RCategory struct {
	ID       int64 `orm:"pk"`
	Name     string
	ParentID *int64       `orm:"fk:categories.id"`
	Parent   *RCategory   `rel:"many_to_one,back_populates:Children"`
	Children []*RCategory `rel:"one_to_many,back_populates:Parent,cascade:all|delete-orphan,order_by:name,lazy:raise"`
}

func (RCategory) TableName() string { return "categories" }

// REmployee's manager is a plain self reference; its reports are never
// loaded implicitly (noload).
type REmployee struct {
	ID        int64 `orm:"pk"`
	Name      string
	ManagerID *int64       `orm:"fk:employees.id,ondelete:set null"`
	Manager   *REmployee   `rel:"many_to_one,back_populates:Reports"`
	Reports   []*REmployee `rel:"one_to_many,back_populates:Manager,lazy:noload"`
}

func (REmployee) TableName() string { return "employees" }

// RPerson follows other people: a self-referential many-to-many whose
// association table names its two columns.
type RPerson struct {
	ID        int64 `orm:"pk"`
	Name      string
	Following []*RPerson `rel:"many_to_many,secondary:follows,foreign_key:follower_id,back_populates:Followers"`
	Followers []*RPerson `rel:"many_to_many,secondary:follows,foreign_key:followed_id,back_populates:Following"`
}

func (RPerson) TableName() string { return "people" }

func blogRegistry() *orm.Registry {
	return orm.MustRegistry(&RUser{}, &RProfile{}, &RPost{}, &RComment{}, &RTag{}, &RReport{}, &RCategory{}, &REmployee{}, &RPerson{})
}

// statements returns the captured statements whose text starts with one
// of the prefixes.
func (e *env) statements(prefixes ...string) []string {
	var out []string
	for _, s := range e.cap.sqls() {
		for _, p := range prefixes {
			if strings.HasPrefix(s, p) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// newBlog builds a user with a profile, two posts (the first with two
// comments, one a reply to the other) and tags.
func newBlog(name string, tags ...*RTag) *RUser {
	u := &RUser{Username: name, Profile: &RProfile{Name: ptr(name)}}
	reply := &RComment{Body: "reply"}
	first := &RComment{Body: "first", Replies: []*RComment{reply}}
	u.Posts = []*RPost{
		{Title: name + " one", Published: true, Comments: []*RComment{first, reply}, Tags: tags},
		{Title: name + " two"},
	}
	return u
}

func TestNestedCreateOneFlush(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	golang, sql := &RTag{Name: "go"}, &RTag{Name: "sql"}
	u := newBlog("ann", golang, sql)
	s.Add(u) // everything else follows save-update
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	p := u.Posts[0]
	first, reply := p.Comments[0], p.Comments[1]
	switch {
	case u.ID == 0 || u.Profile.UserID != u.ID:
		t.Fatalf("profile key %d, user %d", u.Profile.UserID, u.ID)
	case p.UserID != u.ID || u.Posts[1].UserID != u.ID:
		t.Fatalf("post keys %d %d, user %d", p.UserID, u.Posts[1].UserID, u.ID)
	case first.PostID != p.ID || reply.PostID != p.ID || reply.ParentID == nil || *reply.ParentID != first.ID:
		t.Fatalf("comment keys: %+v %+v", first, reply)
	case p.User != u || u.Profile.User != u || reply.Parent != first || reply.Post != p:
		t.Fatal("back references not set after flush")
	case !slices.Contains(golang.Posts, p) || !slices.Contains(sql.Posts, p):
		t.Fatal("tags' posts not back-populated")
	}
	rows := e.rows(`SELECT * FROM post_tags ORDER BY 2`)
	if len(rows) != 2 || rows[0][0].(int64) != p.ID || rows[0][1].(int64) != golang.ID {
		t.Fatalf("post_tags rows %v", rows)
	}
	for table, want := range map[string]int64{"users": 1, "profiles": 1, "posts": 2, "comments": 2, "tags": 2} {
		if n := e.count(table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	// One INSERT per table, whatever the number of rows; the replies wait
	// for their parent comment's key, so comments take two.
	for _, table := range []string{"users", "profiles", "posts", "tags", "post_tags"} {
		if n := len(e.statements(`INSERT INTO "` + table + `"`)); n != 1 {
			t.Errorf("%d INSERTs into %s, want 1", n, table)
		}
	}
	if n := len(e.statements(`INSERT INTO "comments"`)); n != 2 {
		t.Errorf("%d INSERTs into comments, want 2 (parent, then reply)", n)
	}

	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("a second commit sent %v (%v)", e.cap.sqls(), err)
	}
}

func TestSyncAttachAndMove(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	ann, bob := &RUser{Username: "ann"}, &RUser{Username: "bob"}
	s.Add(ann, bob)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("many_to_one set on a new child", func(t *testing.T) {
		p := &RPost{Title: "set", User: ann}
		s.Add(p)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if p.UserID != ann.ID || !slices.Contains(ann.Posts, p) {
			t.Fatalf("post key %d (ann %d), in ann.Posts: %v", p.UserID, ann.ID, slices.Contains(ann.Posts, p))
		}
	})
	t.Run("appended to a collection", func(t *testing.T) {
		p := &RPost{Title: "appended"}
		bob.Posts = append(bob.Posts, p)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if p.UserID != bob.ID || p.User != bob {
			t.Fatalf("post key %d (bob %d), back ref %v", p.UserID, bob.ID, p.User == bob)
		}
	})
	t.Run("moved by its many_to_one", func(t *testing.T) {
		p := ann.Posts[0]
		p.User = bob
		e.cap.reset()
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID)[0][0].(int64)
		if got != bob.ID || slices.Contains(ann.Posts, p) || !slices.Contains(bob.Posts, p) {
			t.Fatalf("row user %d (bob %d); in ann %v, in bob %v", got, bob.ID, slices.Contains(ann.Posts, p), slices.Contains(bob.Posts, p))
		}
		if n := len(e.statements(`DELETE`)); n != 0 {
			t.Fatalf("a moved post is no orphan: %v", e.cap.sqls())
		}
	})
	t.Run("moved by appending to another collection", func(t *testing.T) {
		p := bob.Posts[0]
		ann.Posts = append(ann.Posts, p) // still in bob.Posts, p.User still bob
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID)[0][0].(int64)
		if got != ann.ID || p.User != ann || slices.Contains(bob.Posts, p) || !slices.Contains(ann.Posts, p) {
			t.Fatalf("row user %d (ann %d); back ref ann %v; in bob %v", got, ann.ID, p.User == ann, slices.Contains(bob.Posts, p))
		}
	})
	t.Run("moved to a parent created in the same flush", func(t *testing.T) {
		p := ann.Posts[0]
		carl := &RUser{Username: "carl", Posts: []*RPost{p}}
		s.Add(carl)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := e.rows(`SELECT user_id FROM posts WHERE id = $1`, p.ID)[0][0].(int64)
		if carl.ID == 0 || got != carl.ID || p.User != carl || slices.Contains(ann.Posts, p) {
			t.Fatalf("row user %d (carl %d); back ref %v; still in ann %v", got, carl.ID, p.User == carl, slices.Contains(ann.Posts, p))
		}
		ann.Posts = append(ann.Posts, p) // back again, for the next cases
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("many_to_one set to nil: an orphan of delete-orphan", func(t *testing.T) {
		p := ann.Posts[0]
		p.User = nil
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.rows(`SELECT count(*) FROM posts WHERE id = $1`, p.ID)[0][0].(int64); n != 0 || slices.Contains(ann.Posts, p) {
			t.Fatalf("post rows %d, still in ann.Posts %v", n, slices.Contains(ann.Posts, p))
		}
	})
	t.Run("nullable key cleared when set to nil", func(t *testing.T) {
		r := &RReport{Note: "n", User: bob}
		s.Add(r)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		r.User = nil
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT user_id FROM reports WHERE id = $1`, r.ID)[0][0]; got != nil || slices.Contains(bob.Reports, r) {
			t.Fatalf("report key %v, in bob.Reports %v", got, slices.Contains(bob.Reports, r))
		}
	})
	t.Run("nullable key cleared when removed", func(t *testing.T) {
		r := &RReport{Note: "r"}
		ann.Reports = append(ann.Reports, r)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		ann.Reports = nil
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT user_id FROM reports WHERE id = $1`, r.ID)[0][0]; got != nil || r.UserID != nil {
			t.Fatalf("report key %v (field %v), want NULL", got, r.UserID)
		}
	})
}

func TestSelfReferentialRows(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	boss := &REmployee{Name: "boss"}
	mid := &REmployee{Name: "mid", Manager: boss}
	low := &REmployee{Name: "low", Manager: mid}
	s.Add(low) // the managers come along
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if mid.ManagerID == nil || *mid.ManagerID != boss.ID || low.ManagerID == nil || *low.ManagerID != mid.ID {
		t.Fatalf("manager keys: mid %v, low %v", mid.ManagerID, low.ManagerID)
	}
	if !slices.Contains(boss.Reports, mid) || !slices.Contains(mid.Reports, low) {
		t.Fatal("reports not back-populated")
	}
	rows := e.rows(`SELECT name, manager_id FROM employees ORDER BY id`)
	if len(rows) != 3 || rows[0][1] != nil {
		t.Fatalf("rows %v", rows)
	}
}

func TestMergeCascade(t *testing.T) {
	e := setup(t, blogRegistry())
	annID, _ := seedBlog(t, e)
	// A detached copy, as decoded from a request: the user with one of its
	// posts changed, the other left out (an orphan: deleted) and a new one.
	first := e.rows(`SELECT id FROM posts WHERE user_id = $1 ORDER BY id LIMIT 1`, annID)[0][0].(int64)
	in := &RUser{RBase: RBase{ID: annID}, Username: "ann2", Posts: []*RPost{
		{RBase: RBase{ID: first}, Title: "edited", UserID: annID},
		{Title: "new"},
	}}
	s := e.db.Session()
	defer s.Close()
	got, err := s.Merge(e.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u := got.(*RUser)
	if u == in || s.Status(u) != orm.Persistent || s.Status(in) != orm.Transient || len(u.Posts) != 2 || u.Posts[0] == in.Posts[0] {
		t.Fatalf("merged %p (in %p), status %v, posts %d", u, in, s.Status(u), len(u.Posts))
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	rows := e.rows(`SELECT title FROM posts WHERE user_id = $1 ORDER BY id`, annID)
	if e.rows(`SELECT username FROM users WHERE id = $1`, annID)[0][0] != "ann2" || len(rows) != 2 || rows[0][0] != "edited" || rows[1][0] != "new" {
		t.Fatalf("after merge: posts %v", rows)
	}
	if _, err := s.Merge(e.ctx, 7); !errors.Is(err, orm.ErrUnknownModel) {
		t.Fatalf("merge of a non-model: %v", err)
	}
}

func TestFailedFlushKeepsRelationships(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	s.Add(&RUser{Username: "taken"})
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	u := newBlog("taken")
	s.Add(u)
	if err := s.Commit(e.ctx); !errors.Is(err, orm.ErrUniqueViolation) {
		t.Fatalf("err = %v, want a unique violation", err)
	}
	if u.ID != 0 || u.Posts[0].UserID != 0 || u.Posts[0].Comments[0].PostID != 0 || s.Status(u.Posts[0]) != orm.Pending {
		t.Fatalf("not restored: user %d, post key %d, comment key %d", u.ID, u.Posts[0].UserID, u.Posts[0].Comments[0].PostID)
	}
	u.Username = "free"
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if e.count("posts") != 2 || e.count("comments") != 2 || u.Posts[0].UserID != u.ID {
		t.Fatalf("retry: posts %d, comments %d", e.count("posts"), e.count("comments"))
	}
}

func TestNoLoad(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	boss := &REmployee{Name: "boss", Reports: []*REmployee{{Name: "a"}, {Name: "b"}}}
	s.Add(boss)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	other := e.db.Session()
	defer other.Close()
	b, err := orm.Get[REmployee](e.ctx, other, boss.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
	got, err := other.Related(e.ctx, b, "Reports")
	if err != nil || len(got.([]*REmployee)) != 0 || len(e.cap.sqls()) != 0 {
		t.Fatalf("noload read: %v, %d statements, %v", got, len(e.cap.sqls()), err)
	}
	if err := other.LoadRelated(e.ctx, b, "Reports"); err != nil || len(b.Reports) != 2 || b.Reports[0].Manager != b {
		t.Fatalf("LoadRelated still loads noload: %d reports, %v", len(b.Reports), err)
	}
	// ON DELETE SET NULL: deleting the boss selects nothing and the
	// database detaches the reports.
	other2 := e.db.Session()
	defer other2.Close()
	b2, _ := orm.Get[REmployee](e.ctx, other2, boss.ID)
	e.cap.reset()
	other2.Delete(b2)
	if err := other2.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if sel := e.statements("SELECT"); len(sel) != 0 {
		t.Fatalf("selected %q", sel)
	}
	if n := e.rows(`SELECT count(*) FROM employees WHERE manager_id IS NULL`)[0][0].(int64); n != 2 {
		t.Fatalf("%d detached reports, want 2", n)
	}
}

func TestSelfReferentialManyToMany(t *testing.T) {
	e := setup(t, blogRegistry())
	s := e.db.Session()
	defer s.Close()
	b, c := &RPerson{Name: "b"}, &RPerson{Name: "c"}
	a := &RPerson{Name: "a", Following: []*RPerson{b, c}}
	s.Add(a)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	rows := e.rows(`SELECT follower_id, followed_id FROM follows ORDER BY followed_id`)
	if len(rows) != 2 || rows[0][0].(int64) != a.ID || rows[0][1].(int64) != b.ID {
		t.Fatalf("follows %v (a %d, b %d)", rows, a.ID, b.ID)
	}
	if !slices.Contains(b.Followers, a) || !slices.Contains(c.Followers, a) {
		t.Fatal("followers not back-populated")
	}
	other := e.db.Session()
	defer other.Close()
	people, err := orm.Query[RPerson](other).Where("name = ?", "c").Load("Followers.Following").All(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(people[0].Followers) != 1 || len(people[0].Followers[0].Following) != 2 || !slices.Contains(people[0].Followers[0].Following, people[0]) {
		t.Fatalf("loaded followers of c: %+v", people[0].Followers)
	}
	a2 := people[0].Followers[0]
	a2.Following = slices.DeleteFunc(a2.Following, func(p *RPerson) bool { return p.Name == "b" })
	if err := other.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if rows := e.rows(`SELECT followed_id FROM follows`); len(rows) != 1 || rows[0][0].(int64) != c.ID {
		t.Fatalf("after unfollowing b: %v", rows)
	}
}

// The association-object pattern: enrollments carry a grade, mapped as a
// model with a composite key, plus a read view straight to the courses.
type RStudent struct {
	ID          int64 `orm:"pk"`
	Name        string
	Enrollments []*REnrollment `rel:"one_to_many,back_populates:Student,cascade:all|delete-orphan"`
	Courses     []*RCourse     `rel:"many_to_many,secondary:enrollments,order_by:-grade"`
}

func (RStudent) TableName() string { return "students" }

type RCourse struct {
	ID          int64 `orm:"pk"`
	Title       string
	Enrollments []*REnrollment `rel:"one_to_many,back_populates:Course"`
}

func (RCourse) TableName() string { return "courses" }

type REnrollment struct {
	StudentID int64 `orm:"pk,fk:students.id,ondelete:cascade"`
	CourseID  int64 `orm:"pk,fk:courses.id,ondelete:cascade"`
	Grade     *string
	Student   *RStudent `rel:"many_to_one,back_populates:Enrollments"`
	Course    *RCourse  `rel:"many_to_one,back_populates:Enrollments"`
}

func (REnrollment) TableName() string { return "enrollments" }

func TestAssociationObject(t *testing.T) {
	e := setup(t, orm.MustRegistry(&RStudent{}, &RCourse{}, &REnrollment{}))
	s := e.db.Session()
	defer s.Close()
	alice := &RStudent{Name: "alice"}
	algebra, logic := &RCourse{Title: "algebra"}, &RCourse{Title: "logic"}
	s.Add(&REnrollment{Student: alice, Course: algebra, Grade: ptr("B")}, &REnrollment{Student: alice, Course: logic, Grade: ptr("A")})
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if rows := e.rows(`SELECT student_id, course_id, grade FROM enrollments ORDER BY grade`); len(rows) != 2 || rows[0][0].(int64) != alice.ID || rows[0][1].(int64) != logic.ID {
		t.Fatalf("enrollments %v", rows)
	}
	if len(alice.Enrollments) != 2 || alice.Enrollments[0].Student != alice {
		t.Fatalf("alice.Enrollments not back-populated: %d", len(alice.Enrollments))
	}
	other := e.db.Session()
	defer other.Close()
	st, err := orm.Query[RStudent](other).Load("Courses", "Enrollments.Course").One(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Courses) != 2 || st.Courses[0].Title != "algebra" || len(st.Enrollments) != 2 || st.Enrollments[0].Course == nil {
		t.Fatalf("loaded %+v", st)
	}
	if !slices.Contains(st.Courses, st.Enrollments[0].Course) {
		t.Fatal("a course loaded twice is two objects")
	}
	// Deleting the student removes its enrollments (delete cascade, loaded).
	other.Delete(st)
	if err := other.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if e.count("enrollments") != 0 || e.count("courses") != 2 {
		t.Fatalf("enrollments %d, courses %d", e.count("enrollments"), e.count("courses"))
	}
}
