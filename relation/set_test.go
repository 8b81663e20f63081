package relation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

func resolve(t *testing.T, models ...any) (*relation.Set, tables) {
	t.Helper()
	list := mapTables(t, models...)
	set, _, err := relation.Resolve(list)
	if err != nil {
		t.Fatal(err)
	}
	ts := tables{}
	for _, tb := range list {
		ts[tb.GoType.Name()] = tb
	}
	return set, ts
}

func TestSetLookups(t *testing.T) {
	set, ts := resolve(t, blogModels()...)
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{name: "of User in field order", got: relNames(set.Of(ts["User"])),
			want: []string{"User.Profile", "User.Posts", "User.Following", "User.Followers", "User.Comments"}},
		{name: "to Comment", got: relNames(set.To(ts["Comment"])),
			want: []string{"User.Comments", "Post.Comments", "Comment.Parent", "Comment.Replies"}},
		{name: "to Tag", got: relNames(set.To(ts["Tag"])), want: []string{"Post.Tags"}},
		{name: "of a table without relationships", got: relNames(set.Of(&schema.Table{Name: "x"}))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { eq(t, tc.name, tc.want, tc.got) })
	}
	if set.Field(ts["User"], "Nope") != nil {
		t.Error("Field found a missing relationship")
	}
}

func TestParentAndChild(t *testing.T) {
	set, ts := resolve(t, blogModels()...)
	tests := []struct {
		name          string
		rel           string
		parent, child string
		ownerIsParent bool
	}{
		{name: "one_to_many", rel: "User.Posts", parent: "users", child: "posts", ownerIsParent: true},
		{name: "many_to_one", rel: "Post.User", parent: "users", child: "posts"},
		{name: "one_to_one parent side", rel: "User.Profile", parent: "users", child: "profiles", ownerIsParent: true},
		{name: "many_to_many", rel: "Post.Tags", parent: "posts", child: "post_tags", ownerIsParent: true},
		{name: "self-referential child side", rel: "Comment.Parent", parent: "comments", child: "comments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, name := splitField(tc.rel)
			rel := set.Field(ts[typ], name)
			eq(t, "parent", tc.parent, rel.Parent().Name)
			eq(t, "child", tc.child, rel.Child().Name)
			eq(t, "owner is parent", tc.ownerIsParent, rel.OwnerIsParent())
			eq(t, "string", "relation_test."+tc.rel, rel.String())
		})
	}
}

func TestPath(t *testing.T) {
	set, ts := resolve(t, blogModels()...)
	tests := []struct {
		name string
		path string
		want []string
		err  string
	}{
		{name: "one step", path: "Posts", want: []string{"User.Posts"}},
		{name: "nested", path: "Posts.Comments.Replies.Author", want: []string{"User.Posts", "Post.Comments", "Comment.Replies", "Comment.Author"}},
		{name: "through many_to_many", path: "Posts.Tags.Posts", want: []string{"User.Posts", "Post.Tags", "Tag.Posts"}},
		{name: "unknown segment", path: "Posts.Likes", err: `path "Posts.Likes": relation_test.Post has no relationship "Likes"`},
		{name: "a column is not a relationship", path: "Username", err: `has no relationship "Username"`},
		{name: "empty", path: "", err: "empty path"},
		{name: "empty segment", path: "Posts..Tags", err: `has no relationship ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rels, err := set.Path(ts["User"], tc.path)
			if tc.err != "" {
				if !errors.Is(err, relation.ErrNoRelation) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want ErrNoRelation with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "path", tc.want, relNames(rels))
		})
	}
}

func relNames(rels []*relation.Relation) []string {
	var out []string
	for _, r := range rels {
		out = append(out, r.Table.GoType.Name()+"."+r.Name)
	}
	return out
}

func splitField(s string) (string, string) {
	for i := range s {
		if s[i] == '.' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}
