package orm_test

import (
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// Relationships across PostgreSQL schemas: a model in a named schema
// ("app.users") and models of the search path's schema, with a table name
// used in both, foreign keys naming the schema (fk:app.users.id,
// fk:public.tags.id) or not (fk:users.id: the search path's). The tables
// are created by the dialect's DDL.

type XAppUser struct {
	ID    int64     `orm:"pk"`
	Name  string    `orm:"unique"`
	Posts []*XPost  `rel:"one_to_many,back_populates:AppUser"`
	Marks []*XLabel `rel:"one_to_many,back_populates:Owner"`
}

func (XAppUser) TableName() string { return "app.users" }

type XUser struct {
	ID    int64    `orm:"pk"`
	Name  string   `orm:"unique"`
	Posts []*XPost `rel:"one_to_many,back_populates:Author"`
}

func (XUser) TableName() string { return "users" }

type XPost struct {
	ID        int64     `orm:"pk"`
	Title     string    `orm:"unique"`
	AuthorID  int64     `orm:"fk:users.id"`
	Author    *XUser    `rel:"many_to_one,back_populates:Posts"`
	AppUserID *int64    `orm:"fk:app.users.id"`
	AppUser   *XAppUser `rel:"many_to_one,back_populates:Posts"`
}

func (XPost) TableName() string { return "posts" }

type XTag struct {
	ID     int64     `orm:"pk"`
	Name   string    `orm:"unique"`
	Labels []*XLabel `rel:"one_to_many,back_populates:Tag"`
}

func (XTag) TableName() string { return "tags" }

// XLabel lives in schema app and refers to the public tags table by its
// qualified name.
type XLabel struct {
	ID      int64     `orm:"pk"`
	TagID   int64     `orm:"fk:public.tags.id"`
	Tag     *XTag     `rel:"many_to_one,back_populates:Labels"`
	OwnerID int64     `orm:"fk:app.users.id"`
	Owner   *XAppUser `rel:"many_to_one,back_populates:Marks"`
}

func (XLabel) TableName() string { return "app.labels" }

func TestRelationshipsAcrossSchemas(t *testing.T) {
	reg, err := orm.NewRegistry(&XAppUser{}, &XUser{}, &XPost{}, &XTag{}, &XLabel{})
	if err != nil {
		t.Fatal(err)
	}
	e := setup(t, reg)
	fks := e.rows(`SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2`)
	want := [][2]string{{"app.labels", "app.users"}, {"app.labels", "tags"}, {"posts", "app.users"}, {"posts", "users"}}
	if len(fks) != len(want) {
		t.Fatalf("foreign keys %v, want %v", fks, want)
	}
	for i, w := range want {
		if fks[i][0] != w[0] || fks[i][1] != w[1] {
			t.Fatalf("foreign keys %v, want %v", fks, want)
		}
	}

	s := e.db.Session()
	defer s.Close()
	ann := &XUser{Name: "ann"}          // public.users
	admin := &XAppUser{Name: "admin"}   // app.users
	gopher := &XAppUser{Name: "gopher"} // app.users
	p1 := &XPost{Title: "one", Author: ann, AppUser: admin}
	p2 := &XPost{Title: "two", Author: ann}
	golang := &XTag{Name: "go", Labels: []*XLabel{{Owner: admin}, {Owner: gopher}}}
	s.Add(p1, p2, golang)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	got := e.rows(`SELECT p.title, u.name, a.name FROM posts p JOIN public.users u ON u.id = p.author_id
		LEFT JOIN app.users a ON a.id = p.app_user_id ORDER BY 1`)
	if len(got) != 2 || got[0][1] != "ann" || got[0][2] != "admin" || got[1][2] != nil {
		t.Fatalf("posts: %v", got)
	}
	if n := e.rows(`SELECT count(*) FROM app.labels l JOIN tags t ON t.id = l.tag_id JOIN app.users u ON u.id = l.owner_id`)[0][0]; n != int64(2) {
		t.Fatalf("%v labels joined to their tag and owner, want 2", n)
	}
	if len(ann.Posts) != 2 || len(admin.Posts) != 1 || p1.AppUser != admin || golang.Labels[0].Tag != golang || len(admin.Marks) != 1 {
		t.Fatalf("both sides disagree after the flush")
	}

	t.Run("load each side in a new session", func(t *testing.T) {
		o := e.db.Session()
		defer o.Close()
		posts, err := orm.Query[XPost](o).Load("Author", "AppUser").OrderBy("title").All(e.ctx)
		if err != nil || len(posts) != 2 || posts[0].Author == nil || posts[0].Author != posts[1].Author || posts[0].AppUser == nil || posts[0].AppUser.Name != "admin" || posts[1].AppUser != nil {
			t.Fatalf("posts' users: %v", err)
		}
		users, err := orm.Query[XAppUser](o).Load("Posts", "Marks.Tag").OrderBy("name").All(e.ctx)
		if err != nil || len(users) != 2 || len(users[0].Posts) != 1 || users[0].Posts[0] != posts[0] || len(users[1].Marks) != 1 || users[1].Marks[0].Tag.Name != "go" {
			t.Fatalf("app users' posts and labels: %v", err)
		}
		joined, err := orm.Query[XPost](o).Join("AppUser").Where("? = ?", orm.Col("AppUser.Name"), "admin").All(e.ctx)
		if err != nil || len(joined) != 1 || joined[0] != posts[0] {
			t.Fatalf("join across schemas: %v", err)
		}
		// Move the post from admin to gopher.
		users[0].Posts = nil
		users[1].Posts = append(users[1].Posts, posts[0])
		if err := o.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT a.name FROM posts p JOIN app.users a ON a.id = p.app_user_id`); len(got) != 1 || got[0][0] != "gopher" {
			t.Fatalf("moved post: %v", got)
		}
	})
}
