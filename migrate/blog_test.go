package migrate_test

import (
	"testing"

	"github.com/crucible-orm/crucible/schema"
)

// blog is the blog model of DESIGN.md as metadata, built by hand so that
// each test can change it. Names follow the naming convention.
type blog struct {
	enums  []*schema.Enum
	tables []*schema.Table
}

func scalar(name string) schema.Type { return schema.Scalar{Name: name} }

func col(name, typ string) *schema.Column { return &schema.Column{Name: name, Type: scalar(typ)} }

func nullCol(name, typ string) *schema.Column {
	return &schema.Column{Name: name, Type: scalar(typ), Nullable: true}
}

// base returns the columns every model embeds.
func base() []*schema.Column {
	return []*schema.Column{
		{Name: "id", Type: scalar("bigint"), Identity: schema.IdentityByDefault},
		{Name: "created_at", Type: scalar("timestamp with time zone"), ServerDefault: "now()"},
		{Name: "updated_at", Type: scalar("timestamp with time zone"), ServerDefault: "CURRENT_TIMESTAMP"},
	}
}

func pk(table string) *schema.PrimaryKey {
	return &schema.PrimaryKey{Name: "pk_" + table, Columns: []string{"id"}}
}

func fk(table, column, ref string, onDelete schema.Action) *schema.ForeignKey {
	return &schema.ForeignKey{Name: "fk_" + table + "_" + column + "_" + ref, Columns: []string{column},
		RefTable: ref, RefColumns: []string{"id"}, OnDelete: onDelete}
}

func newBlog() *blog {
	users := &schema.Table{Name: "users", PrimaryKey: pk("users"),
		Columns: append(base(), col("username", "text"), col("email", "text"), col("password", "text"), nullCol("phone", "text")),
		Uniques: []*schema.Unique{{Name: "uq_users_username", Columns: []string{"username"}},
			{Name: "uq_users_email", Columns: []string{"email"}}},
		Indexes: []*schema.Index{{Name: "ix_users_email", Columns: []string{"email"}}},
	}
	profiles := &schema.Table{Name: "profiles", PrimaryKey: pk("profiles"),
		Columns: append(base(), col("user_id", "bigint"), nullCol("name", "text"), nullCol("age", "integer"),
			&schema.Column{Name: "gender", Type: schema.EnumRef{Name: "gender"}, ServerDefault: "'UNDEFINED'"},
			&schema.Column{Name: "interests", Type: schema.Array{Elem: scalar("text")}, ServerDefault: "'{}'"},
			&schema.Column{Name: "contacts", Type: schema.JSON{Binary: true}, Nullable: true}),
		Uniques:     []*schema.Unique{{Name: "uq_profiles_user_id", Columns: []string{"user_id"}}},
		ForeignKeys: []*schema.ForeignKey{fk("profiles", "user_id", "users", schema.Cascade)},
		Checks:      []*schema.Check{{Name: "ck_profiles_age", Expr: "age >= 0"}},
	}
	posts := &schema.Table{Name: "posts", PrimaryKey: pk("posts"),
		Columns:     append(base(), col("title", "text"), col("content", "text"), col("user_id", "bigint")),
		ForeignKeys: []*schema.ForeignKey{fk("posts", "user_id", "users", schema.NoAction)},
	}
	comments := &schema.Table{Name: "comments", PrimaryKey: pk("comments"),
		Columns:     append(base(), col("body", "text"), col("post_id", "bigint")),
		ForeignKeys: []*schema.ForeignKey{fk("comments", "post_id", "posts", schema.Cascade)},
	}
	tags := &schema.Table{Name: "tags", PrimaryKey: pk("tags"),
		Columns: append(base(), &schema.Column{Name: "name", Type: schema.Scalar{Name: "character varying", Size: 50}}),
		Uniques: []*schema.Unique{{Name: "uq_tags_name", Columns: []string{"name"}}},
	}
	return &blog{
		enums:  []*schema.Enum{{Name: "gender", Values: []string{"MALE", "FEMALE", "UNDEFINED"}}},
		tables: []*schema.Table{users, profiles, posts, comments, tags},
	}
}

func (b *blog) table(name string) *schema.Table {
	for _, t := range b.tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func (b *blog) enum(name string) *schema.Enum {
	for _, e := range b.enums {
		if e.Name == name {
			return e
		}
	}
	return nil
}

func (b *blog) column(table, name string) *schema.Column {
	return b.table(table).Column(name)
}

func (b *blog) meta(t testing.TB) *schema.Metadata {
	t.Helper()
	m, err := schema.NewMetadata(b.tables, b.enums)
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	return m
}

// postTags is the many-to-many association table of posts and tags.
func postTags() *schema.Table {
	return &schema.Table{Name: "post_tags",
		Columns:    []*schema.Column{col("post_id", "bigint"), col("tag_id", "bigint")},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_post_tags", Columns: []string{"post_id", "tag_id"}},
		ForeignKeys: []*schema.ForeignKey{fk("post_tags", "post_id", "posts", schema.Cascade),
			fk("post_tags", "tag_id", "tags", schema.Cascade)},
	}
}

func idx(name string, cols ...string) *schema.Index { return &schema.Index{Name: name, Columns: cols} }
