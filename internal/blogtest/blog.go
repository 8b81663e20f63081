package blogtest

import "time"

// Gender is a native PostgreSQL enum type, "gender".
type Gender string

// The values of Gender.
const (
	Male      Gender = "MALE"
	Female    Gender = "FEMALE"
	Undefined Gender = "UNDEFINED"
)

// EnumValues makes Gender a PostgreSQL enum type named "gender".
func (Gender) EnumValues() []string { return []string{"MALE", "FEMALE", "UNDEFINED"} }

// Base is embedded by every model: its columns come first in each table.
type Base struct {
	ID        int64     `orm:"pk"`                                  // bigint identity
	CreatedAt time.Time `orm:"server_default:now()"`                // read back after INSERT
	UpdatedAt time.Time `orm:"server_default:now(),onupdate:now()"` // set on every UPDATE
}

// User is a blog author.
type User struct {
	Base
	Username string   `orm:"unique"`       // unique
	Email    string   `orm:"unique,index"` // unique and indexed
	Password string   // NOT NULL text
	Phone    *string  // a pointer: NULL allowed
	Profile  *Profile `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan,lazy:joined"`  // loaded with its user
	Posts    []*Post  `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan,order_by:id"` // in id order
}

// Profile is the one-to-one side of User: an enum, an array and a jsonb
// column.
type Profile struct {
	Base
	UserID    int64             `orm:"unique,fk:users.id,ondelete:cascade"` // one profile per user
	User      *User             `rel:"many_to_one,back_populates:Profile"`  // the owner
	Name      *string           // nullable
	Age       *int              // nullable bigint
	Gender    Gender            `orm:"default:UNDEFINED,server_default:'UNDEFINED'"` // the gender enum
	Interests []string          `orm:"type:text[]"`                                  // a text[] array
	Contacts  map[string]string `orm:"type:jsonb"`                                   // a jsonb object
}

// Post is an article of a user, with comments and tags.
type Post struct {
	Base
	Title    string     // NOT NULL text
	Content  string     // NOT NULL text
	UserID   int64      `orm:"fk:users.id"`                                                           // the author
	User     *User      `rel:"many_to_one,back_populates:Posts"`                                      // the author
	Comments []*Comment `rel:"one_to_many,back_populates:Post,cascade:all|delete-orphan,order_by:id"` // in id order
	Tags     []*Tag     `rel:"many_to_many,secondary:post_tags,back_populates:Posts,order_by:name"`   // by name, through post_tags
}

// Comment is a comment on a post; it goes with its post.
type Comment struct {
	Base
	Body   string // NOT NULL text
	PostID int64  `orm:"fk:posts.id,ondelete:cascade"`        // deleted with its post
	Post   *Post  `rel:"many_to_one,back_populates:Comments"` // the commented post
}

// Tag labels posts (many to many, through post_tags).
type Tag struct {
	Base
	Name  string  `orm:"unique"`                                               // unique
	Posts []*Post `rel:"many_to_many,secondary:post_tags,back_populates:Tags"` // the tagged posts
}

// Models returns a new zero value of each model, in the order a registry
// or mapper takes them.
func Models() []any { return []any{&User{}, &Profile{}, &Post{}, &Comment{}, &Tag{}} }
