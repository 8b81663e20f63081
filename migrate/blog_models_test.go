package migrate_test

import "time"

// The blog model of DESIGN.md, as the user writes it, in a variant of its
// own: unlike the shared one (internal/blogtest) it spells defaults and
// types the way the canonical forms must absorb (CURRENT_TIMESTAMP, '{}',
// an int32 with a check, varchar(50)) and declares the association table,
// so that the upgrade-then-autogenerate round trips cover them.

// Gender is a PostgreSQL enum: it has EnumValues.
type Gender string

// EnumValues makes Gender a PostgreSQL enum type named "gender".
func (Gender) EnumValues() []string { return []string{"MALE", "FEMALE", "UNDEFINED"} }

// Base is embedded by every model: its columns come first.
type Base struct {
	ID        int64     `orm:"pk"`
	CreatedAt time.Time `orm:"server_default:now()"`
	UpdatedAt time.Time `orm:"server_default:CURRENT_TIMESTAMP,onupdate:now()"`
}

// User is a blog author.
type User struct {
	Base
	Username string `orm:"unique"`
	Email    string `orm:"unique,index"`
	Password string
	Phone    *string
	Profile  *Profile `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan,lazy:joined"`
	Posts    []*Post  `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan"`
}

// Profile is a user's profile: an enum, an array and a jsonb column.
type Profile struct {
	Base
	UserID    int64 `orm:"unique,fk:users.id,ondelete:cascade"`
	User      *User `rel:"many_to_one,back_populates:Profile"`
	Name      *string
	Age       *int32            `orm:"check:age >= 0"`
	Gender    Gender            `orm:"default:UNDEFINED,server_default:'UNDEFINED'"`
	Interests []string          `orm:"type:text[],server_default:'{}'"`
	Contacts  map[string]string `orm:"type:jsonb"`
}

// Post is an article of a user.
type Post struct {
	Base
	Title    string
	Content  string
	UserID   int64      `orm:"fk:users.id"`
	User     *User      `rel:"many_to_one,back_populates:Posts"`
	Comments []*Comment `rel:"one_to_many,back_populates:Post,cascade:all|delete-orphan,order_by:id"`
	Tags     []*Tag     `rel:"many_to_many,secondary:post_tags,back_populates:Posts"`
}

// Comment is a comment on a post.
type Comment struct {
	Base
	Body   string
	PostID int64 `orm:"fk:posts.id,ondelete:cascade"`
	Post   *Post `rel:"many_to_one,back_populates:Comments"`
}

// Tag labels posts (many to many, through post_tags).
type Tag struct {
	Base
	Name  string  `orm:"size:50,unique"`
	Posts []*Post `rel:"many_to_many,secondary:post_tags,back_populates:Tags"`
}

// PostTag is the association table of posts and tags.
type PostTag struct {
	PostID int64 `orm:"pk,fk:posts.id,ondelete:cascade"`
	TagID  int64 `orm:"pk,fk:tags.id,ondelete:cascade"`
}

// TableName names the association table.
func (PostTag) TableName() string { return "post_tags" }
