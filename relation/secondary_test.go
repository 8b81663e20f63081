package relation_test

import (
	"testing"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// tableShape is a built table, flattened for comparison.
type tableShape struct {
	columns []string // "name type"
	pk      string   // "name(col,col)"
	fks     []string // "name(cols)->ref(cols) ON DELETE action"
	indexes []string // "name(cols)"
}

func shapeOf(t *schema.Table) tableShape {
	var s tableShape
	for _, c := range t.Columns {
		null := ""
		if c.Nullable {
			null = " null"
		}
		s.columns = append(s.columns, c.Name+" "+c.Type.String()+null)
	}
	s.pk = t.PrimaryKey.Name + list(t.PrimaryKey.Columns)
	for _, fk := range t.ForeignKeys {
		s.fks = append(s.fks, fk.Name+list(fk.Columns)+"->"+fk.RefTable+list(fk.RefColumns)+" ON DELETE "+string(fk.OnDelete))
	}
	for _, ix := range t.Indexes {
		s.indexes = append(s.indexes, ix.Name+list(ix.Columns))
	}
	return s
}

func list(names []string) string {
	out := "("
	for i, n := range names {
		if i > 0 {
			out += ","
		}
		out += n
	}
	return out + ")"
}

// Uuided has a non-integer key, so the built columns must copy its type.
type Uuided struct {
	ID     [16]byte `orm:"pk"`
	Labels []*Label `rel:"many_to_many,secondary:app.uuided_labels"`
}

type Label struct {
	ID int32 `orm:"pk"`
}

func TestResolveBuildsSecondary(t *testing.T) {
	tests := []struct {
		name   string
		models []any
		mutate func(ts tables)
		want   map[string]tableShape
	}{
		{
			name:   "blog post_tags and self-referential follows",
			models: blogModels(),
			want: map[string]tableShape{
				"follows": {
					columns: []string{"follower_id bigint", "followed_id bigint"},
					pk:      "pk_follows(follower_id,followed_id)",
					fks: []string{
						"fk_follows_follower_id_users(follower_id)->users(id) ON DELETE CASCADE",
						"fk_follows_followed_id_users(followed_id)->users(id) ON DELETE CASCADE",
					},
					indexes: []string{"ix_follows_followed_id(followed_id)"},
				},
				"post_tags": {
					columns: []string{"post_id bigint", "tag_id bigint"},
					pk:      "pk_post_tags(post_id,tag_id)",
					fks: []string{
						"fk_post_tags_post_id_posts(post_id)->posts(id) ON DELETE CASCADE",
						"fk_post_tags_tag_id_tags(tag_id)->tags(id) ON DELETE CASCADE",
					},
					indexes: []string{"ix_post_tags_tag_id(tag_id)"},
				},
			},
		},
		{
			name:   "schema-qualified, typed like the keys, one side only",
			models: []any{&Uuided{}, &Label{}},
			want: map[string]tableShape{
				"uuided_labels": {
					columns: []string{"uuided_id uuid", "label_id integer"},
					pk:      "pk_uuided_labels(uuided_id,label_id)",
					fks: []string{
						"fk_uuided_labels_uuided_id_uuideds(uuided_id)->uuideds(id) ON DELETE CASCADE",
						"fk_uuided_labels_label_id_labels(label_id)->labels(id) ON DELETE CASCADE",
					},
					indexes: []string{"ix_uuided_labels_label_id(label_id)"},
				},
			},
		},
		{
			name:   "columns named by foreign_key",
			models: []any{&Post{}, &Tag{}, &User{}, &Profile{}, &Comment{}},
			mutate: func(ts tables) {
				ts.tag("Post.Tags", "many_to_many,secondary:post_tags,foreign_key:article_id,back_populates:Posts")
				ts.tag("User.Following", "many_to_many,secondary:follows,foreign_key:follower_id")
				ts.tag("User.Followers", "many_to_many,secondary:follows,foreign_key:followed_id")
			},
			want: map[string]tableShape{
				"post_tags": {
					columns: []string{"article_id bigint", "tag_id bigint"},
					pk:      "pk_post_tags(article_id,tag_id)",
					fks: []string{
						"fk_post_tags_article_id_posts(article_id)->posts(id) ON DELETE CASCADE",
						"fk_post_tags_tag_id_tags(tag_id)->tags(id) ON DELETE CASCADE",
					},
					indexes: []string{"ix_post_tags_tag_id(tag_id)"},
				},
				"follows": {
					columns: []string{"follower_id bigint", "followed_id bigint"},
					pk:      "pk_follows(follower_id,followed_id)",
					fks: []string{
						"fk_follows_follower_id_users(follower_id)->users(id) ON DELETE CASCADE",
						"fk_follows_followed_id_users(followed_id)->users(id) ON DELETE CASCADE",
					},
					indexes: []string{"ix_follows_followed_id(followed_id)"},
				},
			},
		},
		{
			name:   "a mapped secondary is not built",
			models: []any{&Student{}, &Course{}, &Enrollment{}},
			want:   map[string]tableShape{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list := mapTables(t, tc.models...)
			if tc.mutate != nil {
				tc.mutate(byType(list))
			}
			set, extra, err := relation.Resolve(list)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]tableShape{}
			for _, tb := range extra {
				got[tb.Name] = shapeOf(tb)
				if tb.GoType != nil || tb.Relations != nil {
					t.Errorf("%s: built table has a Go type or relations", tb.Name)
				}
			}
			eq(t, "built tables", tc.want, got)
			for _, rel := range set.All() {
				if rel.Secondary != nil && !rel.SecondaryMapped && !contains(extra, rel.Secondary) {
					t.Errorf("%s: secondary %s is not among the returned tables", rel, rel.Secondary.Name)
				}
			}
		})
	}
}

func TestResolveSchemaQualifiedSecondary(t *testing.T) {
	_, extra, err := relation.Resolve(mapTables(t, &Uuided{}, &Label{}))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "schema", "app", extra[0].Schema)
}

func contains(tables []*schema.Table, t *schema.Table) bool {
	for _, x := range tables {
		if x == t {
			return true
		}
	}
	return false
}
