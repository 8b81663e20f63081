package orm_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm"
)

// Scenarios a SQLAlchemy user writes from docs/from-sqlalchemy.md: the
// page's models, and its Session, query and loader rows, checked by plain
// SQL.

type SAUser struct {
	ID        int64     `orm:"pk"`
	Email     string    `orm:"unique,index,size:200"`
	Phone     *string   // a pointer: NULL allowed
	CreatedAt time.Time `orm:"server_default:now()"`
	Version   int64     `orm:"version"`
	Role      *string   `orm:"server_default:'member'"`
	Posts     []*SAPost `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan,lazy:selectin,order_by:id"`
}

func (SAUser) TableName() string { return "users" }

type SAPost struct {
	ID     int64 `orm:"pk"`
	Title  string
	UserID int64    `orm:"fk:users.id"`
	User   *SAUser  `rel:"many_to_one,back_populates:Posts"`
	Tags   []*SATag `rel:"many_to_many,secondary:post_tags,back_populates:Posts,lazy:raise"`
}

func (SAPost) TableName() string { return "posts" }

type SATag struct {
	ID    int64 `orm:"pk"`
	Name  string
	Posts []*SAPost `rel:"many_to_many,secondary:post_tags,back_populates:Tags"`
}

func (SATag) TableName() string { return "tags" }

func TestFromSQLAlchemy(t *testing.T) {
	e := setup(t, orm.MustRegistry(&SAUser{}, &SAPost{}, &SATag{}))
	ctx := e.ctx
	s := e.db.Session()
	defer s.Close()
	u := &SAUser{Email: "a@example.com"}
	if s.Status(u) != orm.Transient {
		t.Fatalf("status before Add: %v", s.Status(u))
	}
	u.Posts = []*SAPost{{Title: "one", Tags: []*SATag{{Name: "go"}}}, {Title: "two"}}
	s.Add(u)
	if s.Status(u) != orm.Pending {
		t.Fatalf("status after Add: %v", s.Status(u))
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Status(u) != orm.Persistent || u.Version != 1 || u.Role == nil || *u.Role != "member" {
		t.Fatalf("after commit: status %v, version %d, role %v", s.Status(u), u.Version, u.Role)
	}

	// lazy:selectin with order_by: a fresh session's query loads the posts in id order.
	s2 := e.db.Session()
	defer s2.Close()
	us, err := orm.Query[SAUser](s2).Where("email LIKE ?", "%@example.com").OrderBy("-created_at").Limit(20).All(ctx)
	if err != nil || len(us) != 1 {
		t.Fatalf("query: %v, %v", us, err)
	}
	titles := []string{}
	for _, p := range us[0].Posts {
		titles = append(titles, p.Title)
		if p.User != us[0] {
			t.Errorf("back_populates did not fill post %q's User", p.Title)
		}
	}
	if !slices.Equal(titles, []string{"one", "two"}) {
		t.Errorf("selectin posts %q, want one, two", titles)
	}
	// lazy:raise: "needed but not loaded" is an error.
	if _, err := s2.Related(ctx, us[0].Posts[0], "Tags"); !errors.Is(err, orm.ErrNotLoaded) {
		t.Errorf("Related of a lazy:raise relationship: %v, want ErrNotLoaded", err)
	}

	// No expiry: a change made elsewhere is seen only after a refresh.
	e.exec(`UPDATE users SET phone = '555', version = version + 1`)
	if us[0].Phone != nil {
		t.Fatal("a field changed without a refresh")
	}
	if _, err := orm.Query[SAUser](s2).Refresh().All(ctx); err != nil {
		t.Fatal(err)
	}
	if us[0].Phone == nil || *us[0].Phone != "555" || us[0].Version != 2 {
		t.Errorf("Query.Refresh: phone %v, version %d", us[0].Phone, us[0].Version)
	}
	// The copy s holds is stale: its UPDATE fails with ErrStaleData, nothing written.
	u.Email = "stale@example.com"
	if err := s.Commit(ctx); !errors.Is(err, orm.ErrStaleData) {
		t.Fatalf("stale update: %v, want ErrStaleData", err)
	}
	if got := e.rows(`SELECT email FROM users`)[0][0]; got != "a@example.com" {
		t.Errorf("stale update wrote %v", got)
	}
	if err := s.Refresh(ctx, u); err != nil || u.Version != 2 {
		t.Fatalf("Refresh: %v, version %d", err, u.Version)
	}

	// Projections with an aggregate over a relationship.
	type row struct {
		ID    int64
		Email string
		Posts int64
	}
	rows, err := orm.Select[row](orm.Query[SAUser](s2).LeftJoin("Posts").GroupBy("ID"), "ID", "Email", orm.Count("Posts.ID").As("posts")).All(ctx)
	if err != nil || len(rows) != 1 || rows[0].Posts != 2 {
		t.Fatalf("Select with Count: %v, %v", rows, err)
	}
	// update(User).values(role=DEFAULT) keeps the identity map in step.
	if _, err := orm.Update[SAUser](s2).Where("id = ?", us[0].ID).Set("Role", "admin").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if us[0].Role == nil || *us[0].Role != "admin" {
		t.Errorf("held object after Update: role %v", us[0].Role)
	}
	if _, err := orm.Update[SAUser](s2).Where("id = ?", us[0].ID).Set("Role", orm.Default).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s2.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT role FROM users`)[0][0]; got != "member" || us[0].Role == nil || *us[0].Role != "member" {
		t.Errorf("Set(orm.Default): row %v, object %v", got, us[0].Role)
	}
	// Expunge, then delete-orphan.
	s2.Expunge(us[0].Posts[1])
	if s2.Status(us[0].Posts[1]) != orm.Transient {
		t.Errorf("expunged status %v", s2.Status(us[0].Posts[1]))
	}
}
