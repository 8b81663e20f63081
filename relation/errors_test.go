package relation_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// Person and Article are linked by two foreign keys, so nothing can be
// inferred between them.
type Person struct {
	ID       int64      `orm:"pk"`
	Articles []*Article `rel:"one_to_many,foreign_key:AuthorID"`
}

type Article struct {
	ID       int64 `orm:"pk"`
	Title    string
	AuthorID int64   `orm:"fk:people.id"`
	EditorID *int64  `orm:"fk:people.id"`
	Writer   *Person `rel:"many_to_one,foreign_key:AuthorID"`
}

// tables maps "Type" to its table in a test's model set.
type tables map[string]*schema.Table

// tag replaces the rel tag of "Type.Field".
func (ts tables) tag(field, tag string) {
	typ, name, _ := strings.Cut(field, ".")
	for _, f := range ts[typ].Relations {
		if f.Name == name {
			f.Tag = tag
			return
		}
	}
	panic("no relation field " + field)
}

// field returns the RelationField "Type.Field".
func (ts tables) field(field string) *schema.RelationField {
	typ, name, _ := strings.Cut(field, ".")
	for _, f := range ts[typ].Relations {
		if f.Name == name {
			return f
		}
	}
	panic("no relation field " + field)
}

// clone adds to typ a copy of the relation field from, named name and
// tagged tag.
func (ts tables) clone(from, name, tag string) {
	f := *ts.field(from)
	f.Name, f.Tag = name, tag
	typ, _, _ := strings.Cut(from, ".")
	ts[typ].Relations = append(ts[typ].Relations, &f)
}

// dropFK removes the foreign keys of table typ on column col.
func (ts tables) dropFK(typ, col string) {
	t := ts[typ]
	var keep []*schema.ForeignKey
	for _, fk := range t.ForeignKeys {
		if fk.Columns[0] != col {
			keep = append(keep, fk)
		}
	}
	t.ForeignKeys = keep
}

func TestResolveErrors(t *testing.T) {
	people := []any{&Person{}, &Article{}}
	school := []any{&Student{}, &Course{}, &Enrollment{}}
	tests := []struct {
		name     string
		models   []any
		mutate   func(ts tables)
		field    string // "Type.Field" whose error is checked
		err      error  // sentinel
		other    string // the other side named in the error, "" for none
		contains []string
		count    int // RelationErrors in all
	}{
		{name: "unknown kind", mutate: func(ts tables) { ts.tag("Post.User", "one_to_few,back_populates:Posts") },
			field: "Post.User", err: relation.ErrUnknownKind, contains: []string{`"one_to_few"`, "one_to_one, one_to_many"}, count: 1},
		{name: "unknown option", mutate: func(ts tables) { ts.tag("Post.User", "many_to_one,backpopulates:Posts") },
			field: "Post.User", err: relation.ErrUnknownOption, contains: []string{`"backpopulates"`}, count: 1},
		{name: "cascade rules joined with a comma", mutate: func(ts tables) { ts.tag("User.Posts", "one_to_many,back_populates:User,cascade:all,delete-orphan") },
			field: "User.Posts", err: relation.ErrUnknownOption, contains: []string{`"delete-orphan" (join cascade rules with |`}, count: 1},
		{name: "bad lazy value", mutate: func(ts tables) { ts.tag("User.Posts", "one_to_many,back_populates:User,lazy:eager") },
			field: "User.Posts", err: relation.ErrBadValue, contains: []string{`lazy "eager"`, "selectin"}, count: 1},
		{name: "bad cascade name", mutate: func(ts tables) { ts.tag("User.Posts", "one_to_many,back_populates:User,cascade:all|destroy") },
			field: "User.Posts", err: relation.ErrBadValue, contains: []string{`cascade "destroy"`}, count: 1},
		{name: "option given twice", mutate: func(ts tables) { ts.tag("User.Posts", "one_to_many,back_populates:User,lazy:joined,lazy:select") },
			field: "User.Posts", err: relation.ErrBadValue, contains: []string{"lazy given twice"}, count: 1},
		{name: "option without value", mutate: func(ts tables) { ts.tag("User.Posts", "one_to_many,back_populates:") },
			field: "User.Posts", err: relation.ErrBadValue, contains: []string{"back_populates needs a value"}, count: 1},
		{name: "collection kind on a pointer field", mutate: func(ts tables) { ts.tag("Post.User", "one_to_many,back_populates:Posts") },
			field: "Post.User", err: relation.ErrFieldType, contains: []string{"one_to_many needs a []*T field", "*relation_test.User"}, count: 1},
		{name: "to-one kind on a slice field", mutate: func(ts tables) { ts.tag("User.Posts", "many_to_one,back_populates:User") },
			field: "User.Posts", err: relation.ErrFieldType, contains: []string{"many_to_one needs a *T field", "[]*relation_test.Post"}, count: 1},
		{name: "field of a non-struct type", mutate: func(ts tables) { ts.field("Post.User").Type = reflect.TypeOf(new(int)) },
			field: "Post.User", err: relation.ErrFieldType, count: 1},
		{name: "target not registered", models: []any{&User{}, &Profile{}, &Post{}, &Comment{}},
			field: "Post.Tags", err: relation.ErrUnknownTarget, other: "relation_test.Tag", contains: []string{"pass &Tag{} to the registry"}, count: 1},
		{name: "back_populates names a missing field", mutate: func(ts tables) { ts.tag("Post.User", "many_to_one,back_populates:Writer") },
			field: "Post.User", err: relation.ErrUnknownField, other: "relation_test.User.Writer", contains: []string{"has no relationship field Writer"}, count: 2},
		{name: "back_populates does not point back", mutate: func(ts tables) { ts.tag("Post.User", "many_to_one") },
			field: "User.Posts", err: relation.ErrBackPopulates, other: "relation_test.Post.User", contains: []string{"must declare back_populates:Posts"}, count: 1},
		{name: "back_populates points at another pair", mutate: func(ts tables) { ts.tag("Post.User", "many_to_one,back_populates:Profile") },
			field: "Post.User", err: relation.ErrBackPopulates, other: "relation_test.User.Profile", contains: []string{"relates relation_test.Profile, not relation_test.Post"}, count: 2},
		{name: "back_populates names a relation of another type", mutate: func(ts tables) {
			ts.tag("User.Posts", "one_to_many,back_populates:Comments")
		}, field: "User.Posts", err: relation.ErrBackPopulates, other: "relation_test.Post.Comments", contains: []string{"relates relation_test.Comment, not relation_test.User"}, count: 2},
		{name: "back_populates names itself", mutate: func(ts tables) { ts.tag("Comment.Replies", "one_to_many,back_populates:Replies") },
			field: "Comment.Replies", err: relation.ErrBackPopulates, other: "relation_test.Comment.Replies", contains: []string{"names the field itself"}, count: 2},
		{name: "one_to_many paired with one_to_one", mutate: func(ts tables) { ts.tag("Post.User", "one_to_one,back_populates:Posts") },
			field: "User.Posts", err: relation.ErrKindMismatch, other: "relation_test.Post.User", contains: []string{"one_to_many cannot pair with one_to_one", "pairs with many_to_one"}, count: 1},
		{name: "many_to_many paired with one_to_many", mutate: func(ts tables) { ts.tag("Tag.Posts", "one_to_many,back_populates:Tags") },
			field: "Post.Tags", err: relation.ErrKindMismatch, other: "relation_test.Tag.Posts", contains: []string{"many_to_many cannot pair with one_to_many"}, count: 1},
		{name: "no foreign key at all", mutate: func(ts tables) { ts.dropFK("Post", "user_id") },
			field: "Post.User", err: relation.ErrNoForeignKey, other: "relation_test.User", contains: []string{"no foreign key from posts to users", "`orm:\"fk:users.id\"`"}, count: 1},
		{name: "ambiguous many_to_one", models: people, mutate: func(ts tables) { ts.tag("Article.Writer", "many_to_one") },
			field: "Article.Writer", err: relation.ErrAmbiguousForeignKey, other: "relation_test.Person", contains: []string{"2 foreign keys to people (AuthorID, EditorID)", "add foreign_key:"}, count: 1},
		{name: "ambiguous one_to_many", models: people, mutate: func(ts tables) { ts.tag("Person.Articles", "one_to_many") },
			field: "Person.Articles", err: relation.ErrAmbiguousForeignKey, other: "relation_test.Article", contains: []string{"(AuthorID, EditorID)", "add foreign_key:"}, count: 1},
		{name: "foreign_key names a plain column", models: people, mutate: func(ts tables) { ts.tag("Article.Writer", "many_to_one,foreign_key:Title") },
			field: "Article.Writer", err: relation.ErrNoForeignKey, other: "relation_test.Person", contains: []string{"Article.Title is not a foreign key to people", "`orm:\"fk:people.id\"`"}, count: 1},
		{name: "foreign_key names a missing field", models: people, mutate: func(ts tables) { ts.tag("Article.Writer", "many_to_one,foreign_key:ReviewerID") },
			field: "Article.Writer", err: relation.ErrUnknownField, other: "relation_test.Person", contains: []string{"no field or column ReviewerID"}, count: 1},
		{name: "the two sides use different keys", models: people, mutate: func(ts tables) {
			ts.tag("Person.Articles", "one_to_many,foreign_key:AuthorID,back_populates:Writer")
			ts.tag("Article.Writer", "many_to_one,foreign_key:EditorID,back_populates:Articles")
		}, field: "Person.Articles", err: relation.ErrForeignKeyMismatch, other: "relation_test.Article.Writer", contains: []string{"uses articles.AuthorID", "uses articles.EditorID"}, count: 1},
		{name: "one_to_one without a unique key", mutate: func(ts tables) { ts["Profile"].Uniques = nil },
			field: "User.Profile", err: relation.ErrNotUnique, other: "relation_test.Profile.User", contains: []string{"Profile.UserID is not unique", "`orm:\"unique\"`"}, count: 1},
		{name: "many_to_many without secondary", mutate: func(ts tables) { ts.tag("Post.Tags", "many_to_many,back_populates:Posts") },
			field: "Post.Tags", err: relation.ErrSecondary, contains: []string{"needs secondary:TABLE"}, count: 1},
		{name: "secondary on a one_to_many", mutate: func(ts tables) { ts.tag("User.Posts", "one_to_many,secondary:user_posts,back_populates:User") },
			field: "User.Posts", err: relation.ErrSecondary, other: "user_posts", contains: []string{"applies only to many_to_many"}, count: 1},
		{name: "the two sides name different secondaries", mutate: func(ts tables) { ts.tag("Tag.Posts", "many_to_many,secondary:tag_posts,back_populates:Tags") },
			field: "Post.Tags", err: relation.ErrSecondary, other: "relation_test.Tag.Posts", contains: []string{"secondary:post_tags but", "uses secondary:tag_posts"}, count: 1},
		{name: "one unmapped secondary for two pairs of tables", mutate: func(ts tables) { ts.tag("User.Comments", "many_to_many,secondary:post_tags") },
			field: "User.Comments", err: relation.ErrSecondary, other: "relation_test.Post.Tags", contains: []string{"already links relation_test.Post and relation_test.Tag"}, count: 1},
		{name: "self-referential many_to_many without foreign_key", mutate: func(ts tables) {
			ts.tag("User.Following", "many_to_many,secondary:follows,back_populates:Followers")
		}, field: "User.Following", err: relation.ErrSecondary, other: "follows", contains: []string{"needs foreign_key:COLUMN"}, count: 1},
		{name: "mapped secondary without a key to the target", models: school, mutate: func(ts tables) { ts.dropFK("Enrollment", "course_id") },
			field: "Student.Courses", err: relation.ErrNoForeignKey, other: "enrollments", contains: []string{"enrollments has no foreign key to courses"}, count: 2},
		{name: "one_to_one with keys both ways", models: []any{&Voter{}, &Card{}}, mutate: func(ts tables) {
			ts["Card"].ForeignKeys = append(ts["Card"].ForeignKeys, &schema.ForeignKey{Name: "fk_cards_id_voters", Columns: []string{"id"}, RefTable: "voters", RefColumns: []string{"id"}})
		}, field: "Voter.Card", err: relation.ErrAmbiguousForeignKey, other: "relation_test.Card", contains: []string{"both relation_test.Voter and relation_test.Card have foreign keys to each other (DocumentID, ID)"}, count: 2},
		{name: "two relationships disagree on a built table's columns", mutate: func(ts tables) {
			ts.tag("Tag.Posts", "many_to_many,secondary:post_tags,foreign_key:tag_ref")
			ts.clone("Tag.Posts", "Articles", "many_to_many,secondary:post_tags,foreign_key:tag_key")
			ts.tag("Post.Tags", "many_to_many,secondary:post_tags")
		}, field: "Tag.Articles", err: relation.ErrForeignKeyMismatch, other: "relation_test.Tag.Posts", contains: []string{"foreign_key:tag_key disagrees with foreign_key:tag_ref for the tags columns of post_tags"}, count: 1},
		{name: "both sides of a built table get one column name", mutate: func(ts tables) {
			ts.tag("Post.Tags", "many_to_many,secondary:post_tags,foreign_key:tag_id,back_populates:Posts")
		}, field: "Post.Tags", err: relation.ErrSecondary, other: "post_tags", contains: []string{"both sides would use the column tag_id"}, count: 1},
		{name: "built table columns do not match a composite key", models: []any{&Shop{}, &Purchase{}, &Label{}}, mutate: func(ts tables) {
			addShopKey(ts)
			ts.tag("Shop.Labels", "many_to_many,secondary:shop_labels,foreign_key:shop_ref")
		}, field: "Shop.Labels", err: relation.ErrSecondary, other: "relation_test.Shop", contains: []string{"1 columns (shop_ref) for the 2-column primary key of shops"}, count: 1},
		{name: "built table for a target without a primary key", models: []any{&Shop{}, &Purchase{}, &Label{}}, mutate: func(ts tables) {
			addShopKey(ts)
			ts["Label"].PrimaryKey = nil
		}, field: "Shop.Labels", err: relation.ErrSecondary, other: "relation_test.Label", contains: []string{"relation_test.Label has no primary key"}, count: 1},
		{name: "self-referential built table seen from one side", mutate: func(ts tables) {
			ts.tag("User.Following", "many_to_many,secondary:follows,foreign_key:follower_id")
			ts.tag("User.Followers", "many_to_many,secondary:fans,foreign_key:fan_id")
		}, field: "User.Following", err: relation.ErrSecondary, other: "follows", contains: []string{"needs its back_populates partner, with its own foreign_key:"}, count: 2},
		{name: "self-referential built table with three columns", mutate: func(ts tables) {
			ts.clone("User.Following", "Blocked", "many_to_many,secondary:follows,foreign_key:blocker_id")
		}, field: "User.Blocked", err: relation.ErrSecondary, other: "relation_test.User.Following", contains: []string{"already has the columns follower_id and followed_id"}, count: 1},
		{name: "self-referential mapped secondary without foreign_key", models: []any{&Account{}, &Friendship{}}, mutate: func(ts tables) {
			ts.tag("Account.Friends", "many_to_many,secondary:friendships,back_populates:FriendOf")
		}, field: "Account.Friends", err: relation.ErrAmbiguousForeignKey, other: "friendships", contains: []string{"friendships has 2 foreign keys to accounts (AccountID, FriendID)"}, count: 2},
		{name: "delete-orphan on a many_to_one", mutate: func(ts tables) { ts.tag("Post.User", "many_to_one,back_populates:Posts,cascade:all|delete-orphan") },
			field: "Post.User", err: relation.ErrCascade, other: "relation_test.User.Posts", contains: []string{"belongs on the parent side (relation_test.User.Posts)"}, count: 1},
		{name: "delete-orphan without delete", mutate: func(ts tables) {
			ts.tag("User.Posts", "one_to_many,back_populates:User,cascade:save-update|delete-orphan")
		},
			field: "User.Posts", err: relation.ErrCascade, contains: []string{"delete-orphan needs delete"}, count: 1},
		{name: "delete-orphan on a many_to_many", mutate: func(ts tables) {
			ts.tag("Post.Tags", "many_to_many,secondary:post_tags,back_populates:Posts,cascade:all|delete-orphan")
		},
			field: "Post.Tags", err: relation.ErrCascade, contains: []string{"cannot apply to a many_to_many"}, count: 1},
		{name: "order_by an unknown column", mutate: func(ts tables) { ts.tag("Post.Comments", "one_to_many,back_populates:Post,order_by:rank") },
			field: "Post.Comments", err: relation.ErrUnknownField, other: "relation_test.Comment", contains: []string{"order_by:rank", "no field or column rank"}, count: 1},
		{name: "order_by a to-one", mutate: func(ts tables) { ts.tag("Post.User", "many_to_one,back_populates:Posts,order_by:id") },
			field: "Post.User", err: relation.ErrBadValue, contains: []string{"only to collections"}, count: 1},
		{name: "malformed order_by", mutate: func(ts tables) { ts.tag("Post.Comments", "one_to_many,back_populates:Post,order_by:id sideways") },
			field: "Post.Comments", err: relation.ErrBadValue, contains: []string{`order_by "id sideways"`}, count: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			models := tc.models
			if models == nil {
				models = blogModels()
			}
			list := mapTables(t, models...)
			ts := tables{}
			for _, tb := range list {
				ts[tb.GoType.Name()] = tb
			}
			if tc.mutate != nil {
				tc.mutate(ts)
			}
			set, extra, err := relation.Resolve(list)
			if err == nil {
				t.Fatal("Resolve succeeded")
			}
			if set != nil || extra != nil {
				t.Error("Resolve returned results with an error")
			}
			checkError(t, err, tc.field, tc.err, tc.other, tc.contains)
			if n := len(relationErrors(err)); n != tc.count {
				t.Errorf("%d errors, want %d:\n%v", n, tc.count, err)
			}
		})
	}
}

// checkError finds the RelationError of field in err and checks it.
func checkError(t *testing.T, err error, field string, sentinel error, other string, contains []string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v) is false for:\n%v", sentinel, err)
	}
	var re *relation.RelationError
	if !errors.As(err, &re) {
		t.Fatalf("no *RelationError in %v", err)
	}
	re = nil
	for _, e := range relationErrors(err) {
		if e.Type.Name()+"."+e.Field == field && errors.Is(e, sentinel) {
			re = e
		}
	}
	if re == nil {
		t.Fatalf("no %v error on %s in:\n%v", sentinel, field, err)
	}
	msg := re.Error()
	eq(t, "other side", other, re.Other)
	typ, name, _ := strings.Cut(field, ".")
	want := append([]string{"relation relation_test." + typ + "." + name + " `rel:\"" + re.Tag + "\"`"}, contains...)
	if other != "" {
		want = append(want, "(other side "+other+")")
	}
	for _, s := range want {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
}

func relationErrors(err error) []*relation.RelationError {
	var out []*relation.RelationError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, relationErrors(e)...)
		}
		return out
	}
	var re *relation.RelationError
	if errors.As(err, &re) {
		out = append(out, re)
	}
	return out
}
