package relation_test

import (
	"time"

	"github.com/crucible-orm/crucible/schema"
)

// The blog model of DESIGN.md in a variant of its own: the shared one
// (internal/blogtest) lacks what these tests resolve, a self-referential
// many_to_many (Following, Followers), comment threads (Parent, Replies)
// and a to-many field of every lazy strategy.

type Base struct {
	ID        int64 `orm:"pk"`
	CreatedAt time.Time
}

type User struct {
	Base
	Username  string     `orm:"unique"`
	Profile   *Profile   `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan,lazy:joined"`
	Posts     []*Post    `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan"`
	Following []*User    `rel:"many_to_many,secondary:follows,foreign_key:follower_id,back_populates:Followers"`
	Followers []*User    `rel:"many_to_many,secondary:follows,foreign_key:followed_id,back_populates:Following"`
	Comments  []*Comment `rel:"one_to_many,lazy:noload"`
}

type Profile struct {
	Base
	UserID int64 `orm:"unique,fk:users.id,ondelete:cascade"`
	User   *User `rel:"many_to_one,back_populates:Profile"`
	Name   *string
}

type Post struct {
	Base
	Title    string
	UserID   int64      `orm:"fk:users.id"`
	User     *User      `rel:"many_to_one,back_populates:Posts"`
	Comments []*Comment `rel:"one_to_many,back_populates:Post,cascade:all|delete-orphan,order_by:id"`
	Tags     []*Tag     `rel:"many_to_many,secondary:post_tags,back_populates:Posts"`
}

type Comment struct {
	Base
	Body     string
	PostID   int64      `orm:"fk:posts.id,ondelete:cascade"`
	AuthorID *int64     `orm:"fk:users.id,ondelete:set null"`
	ParentID *int64     `orm:"fk:comments.id,ondelete:cascade"`
	Post     *Post      `rel:"many_to_one,back_populates:Comments,lazy:raise"`
	Author   *User      `rel:"many_to_one,lazy:selectin"`
	Parent   *Comment   `rel:"many_to_one,back_populates:Replies"`
	Replies  []*Comment `rel:"one_to_many,back_populates:Parent,cascade:all|delete-orphan,order_by:-created_at|id"`
}

type Tag struct {
	Base
	Name  string  `orm:"unique"`
	Posts []*Post `rel:"many_to_many,secondary:post_tags,back_populates:Tags,order_by:title"`
}

func blogModels() []any { return []any{&User{}, &Profile{}, &Post{}, &Comment{}, &Tag{}} }

// Self-referential trees and hierarchies.

type Category struct {
	ID       int64 `orm:"pk"`
	Name     string
	ParentID *int64      `orm:"fk:categories.id"`
	Parent   *Category   `rel:"many_to_one,back_populates:Children"`
	Children []*Category `rel:"one_to_many,back_populates:Parent,order_by:name,cascade:all|delete-orphan"`
}

type Employee struct {
	ID        int64       `orm:"pk"`
	ManagerID *int64      `orm:"fk:employees.id,ondelete:set null"`
	Manager   *Employee   `rel:"many_to_one,back_populates:Reports,lazy:select"`
	Reports   []*Employee `rel:"one_to_many,back_populates:Manager"`
}

// Node has a one-directional self-referential collection: no <Owner>ID,
// a single foreign key.
type Node struct {
	ID       int64   `orm:"pk"`
	UpID     *int64  `orm:"fk:nodes.id"`
	Children []*Node `rel:"one_to_many"`
}

// The association-object pattern: Enrollment is a mapped join table with
// data of its own, reached both as a model and as a many_to_many.

type Student struct {
	ID          int64         `orm:"pk"`
	Enrollments []*Enrollment `rel:"one_to_many,back_populates:Student,cascade:all|delete-orphan"`
	Courses     []*Course     `rel:"many_to_many,secondary:enrollments,order_by:-enrolled_at,lazy:select"`
}

type Course struct {
	ID          int64 `orm:"pk"`
	Title       string
	Enrollments []*Enrollment `rel:"one_to_many,back_populates:Course"`
}

type Enrollment struct {
	StudentID  int64 `orm:"pk,fk:students.id,ondelete:cascade"`
	CourseID   int64 `orm:"pk,fk:courses.id,ondelete:cascade"`
	Grade      *string
	EnrolledAt time.Time
	Student    *Student `rel:"many_to_one,back_populates:Enrollments"`
	Course     *Course  `rel:"many_to_one,back_populates:Enrollments"`
}

// Account has friends through a mapped self-referential association table;
// only one side names its column, the other takes the remaining one.
type Account struct {
	ID       int64      `orm:"pk"`
	FriendOf []*Account `rel:"many_to_many,secondary:friendships,back_populates:Friends"`
	Friends  []*Account `rel:"many_to_many,secondary:friendships,foreign_key:AccountID,back_populates:FriendOf"`
}

type Friendship struct {
	AccountID int64 `orm:"pk,fk:accounts.id,ondelete:cascade"`
	FriendID  int64 `orm:"pk,fk:accounts.id,ondelete:cascade"`
	Since     time.Time
}

// Link is a doubly linked list: a self-referential one_to_one pair where
// Next holds the key (next_id), whatever the field order.
type Link struct {
	ID     int64  `orm:"pk"`
	Prev   *Link  `rel:"one_to_one,back_populates:Next"`
	NextID *int64 `orm:"unique,fk:links.id,ondelete:set null"`
	Next   *Link  `rel:"one_to_one,back_populates:Prev"`
}

// Citizen holds the key of its one_to_one (Passport), without a partner.
type Citizen struct {
	ID         int64     `orm:"pk"`
	PassportID *int64    `orm:"unique,fk:passports.id"`
	Passport   *Passport `rel:"one_to_one"`
}

type Passport struct {
	ID     int64    `orm:"pk"`
	Holder *Citizen `rel:"one_to_one"`
}

// Shop has a composite key (tenant_id, id); Purchase references it with a
// two-column foreign key added by the test.
type Shop struct {
	TenantID  int64       `orm:"pk"`
	ID        int64       `orm:"pk"`
	Purchases []*Purchase `rel:"one_to_many,back_populates:Shop,cascade:all"`
	Labels    []*Label    `rel:"many_to_many,secondary:shop_labels"`
}

type Purchase struct {
	ID       int64 `orm:"pk"`
	TenantID int64
	ShopID   int64
	Shop     *Shop `rel:"many_to_one,back_populates:Purchases"`
}

// addShopKey adds purchases(tenant_id, shop_id) -> shops(tenant_id, id).
func addShopKey(ts tables) {
	ts["Purchase"].ForeignKeys = append(ts["Purchase"].ForeignKeys, &schema.ForeignKey{
		Name: "fk_purchases_tenant_id_shop_id_shops", Columns: []string{"tenant_id", "shop_id"},
		RefTable: "shops", RefColumns: []string{"tenant_id", "id"}, OnDelete: schema.Cascade,
	})
}

// Voter and Card have a one_to_one with no naming hint: Voter's key is
// DocumentID, so only "the single key between the tables" finds it.
type Voter struct {
	ID         int64  `orm:"pk"`
	DocumentID *int64 `orm:"unique,fk:cards.id"`
	Card       *Card  `rel:"one_to_one"`
}

type Card struct {
	ID     int64  `orm:"pk"`
	Holder *Voter `rel:"one_to_one"`
}
