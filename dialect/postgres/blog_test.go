package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/internal/blogtest"
	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// TestBlog creates the blog model of DESIGN.md (users, profiles with a
// gender enum, text[] interests and jsonb contacts, posts, comments, tags
// and post_tags), checks in the catalogs what `psql \d` would show, uses
// the defaults and identities, and drops it all.
func TestBlog(t *testing.T) {
	pool := pgtest.NewPool(t)
	m := blogMetadata(t)
	inTx(t, pool, must[[]string](t)(pg.CreateAll(m)))

	require.Equal(t, []string{"MALE", "FEMALE", "UNDEFINED"}, labels(t, pool, "gender"))
	for _, tc := range blogCatalog {
		t.Run(tc.table, func(t *testing.T) {
			require.Equal(t, tc.columns, columns(t, pool, tc.table))
			require.Equal(t, tc.constraints, constraints(t, pool, tc.table))
			require.Equal(t, tc.indexes, strs(t, pool, `SELECT indexname::text FROM pg_indexes WHERE tablename = $1 ORDER BY 1`, tc.table))
		})
	}
	useBlog(t, pool)

	inTx(t, pool, must[[]string](t)(pg.DropAll(m)))
	require.Empty(t, ourObjects(t, pool), "DropAll leaves no type, table, sequence or index")
}

// useBlog writes rows that rely on the identities, the server defaults,
// the enum default and the cascades.
func useBlog(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	var user, post int64
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO users (username, email, password) VALUES ('john', 'j@x', 'pw') RETURNING id`).Scan(&user))
	_, err := pool.Exec(ctx, `INSERT INTO profiles (user_id, interests, contacts) VALUES ($1, '{go,sql}', '{"mail": "j@x"}')`, user)
	require.NoError(t, err)
	require.Equal(t, "UNDEFINED", str(t, pool, `SELECT gender::text FROM profiles`))
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO posts (title, content, user_id) VALUES ('hi', '', $1) RETURNING id`, user).Scan(&post))
	_, err = pool.Exec(ctx, `WITH c AS (INSERT INTO comments (body, post_id) VALUES ('first', $1)),
		t AS (INSERT INTO tags (name) VALUES ('go') RETURNING id)
		INSERT INTO post_tags (post_id, tag_id) SELECT $1, id FROM t`, post)
	require.NoError(t, err)
	const counts = `SELECT (SELECT count(*) FROM comments) || ' ' || (SELECT count(*) FROM post_tags) || ' ' || (SELECT count(*) FROM tags)`
	require.Equal(t, "1 1 1", str(t, pool, counts))
	execAll(t, pool, `DELETE FROM posts`)
	require.Equal(t, "0 0 1", str(t, pool, counts), "comments and post_tags rows go with their post")
	require.Equal(t, "true", str(t, pool, `SELECT (created_at = updated_at AND created_at <= now())::text FROM users`))
}

// blogMetadata maps the blog models (internal/blogtest) with the schema mapper and resolves their
// relationships (which add the post_tags association table), as
// orm.NewRegistry does.
func blogMetadata(t *testing.T) *schema.Metadata {
	t.Helper()
	tables, enums, err := schema.NewMapper().MapAll(blogtest.Models()...)
	require.NoError(t, err)
	_, extra, err := relation.Resolve(tables)
	require.NoError(t, err)
	m, err := schema.NewMetadata(append(tables, extra...), enums)
	require.NoError(t, err)
	return m
}

// blogCatalog is what the catalogs must show for the blog model.
var blogCatalog = []struct {
	table       string
	columns     []column
	constraints []string
	indexes     []string
}{
	{"users", baseColumns(
		column{Name: "username", Type: "text", NotNull: true},
		column{Name: "email", Type: "text", NotNull: true},
		column{Name: "password", Type: "text", NotNull: true},
		column{Name: "phone", Type: "text"},
	), []string{
		"pk_users: PRIMARY KEY (id)",
		"uq_users_email: UNIQUE (email)",
		"uq_users_username: UNIQUE (username)",
	}, []string{"ix_users_email", "pk_users", "uq_users_email", "uq_users_username"}},
	{"profiles", baseColumns(
		column{Name: "user_id", Type: "bigint", NotNull: true},
		column{Name: "name", Type: "text"},
		column{Name: "age", Type: "bigint"},
		column{Name: "gender", Type: "gender", Default: "'UNDEFINED'::gender", NotNull: true},
		column{Name: "interests", Type: "text[]", NotNull: true}, // a nil slice is written as {}
		column{Name: "contacts", Type: "jsonb", NotNull: true},   // and a nil map as {}
	), []string{
		"fk_profiles_user_id_users: FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
		"pk_profiles: PRIMARY KEY (id)",
		"uq_profiles_user_id: UNIQUE (user_id)",
	}, []string{"pk_profiles", "uq_profiles_user_id"}},
	{"posts", baseColumns(
		column{Name: "title", Type: "text", NotNull: true},
		column{Name: "content", Type: "text", NotNull: true},
		column{Name: "user_id", Type: "bigint", NotNull: true},
	), []string{
		"fk_posts_user_id_users: FOREIGN KEY (user_id) REFERENCES users(id)",
		"pk_posts: PRIMARY KEY (id)",
	}, []string{"pk_posts"}},
	{"comments", baseColumns(
		column{Name: "body", Type: "text", NotNull: true},
		column{Name: "post_id", Type: "bigint", NotNull: true},
	), []string{
		"fk_comments_post_id_posts: FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE",
		"pk_comments: PRIMARY KEY (id)",
	}, []string{"pk_comments"}},
	{"tags", baseColumns(
		column{Name: "name", Type: "text", NotNull: true},
	), []string{
		"pk_tags: PRIMARY KEY (id)",
		"uq_tags_name: UNIQUE (name)",
	}, []string{"pk_tags", "uq_tags_name"}},
	{"post_tags", []column{
		{Name: "post_id", Type: "bigint", NotNull: true},
		{Name: "tag_id", Type: "bigint", NotNull: true},
	}, []string{
		"fk_post_tags_post_id_posts: FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE",
		"fk_post_tags_tag_id_tags: FOREIGN KEY (tag_id) REFERENCES tags(id) ON DELETE CASCADE",
		"pk_post_tags: PRIMARY KEY (post_id, tag_id)",
	}, []string{"ix_post_tags_tag_id", "pk_post_tags"}},
}

// baseColumns prepends Base's columns: the identity key and the two
// timestamps with their server defaults.
func baseColumns(cols ...column) []column {
	return append([]column{
		{Name: "id", Type: "bigint", NotNull: true, Identity: "d"},
		{Name: "created_at", Type: "timestamp with time zone", Default: "now()", NotNull: true},
		{Name: "updated_at", Type: "timestamp with time zone", Default: "now()", NotNull: true},
	}, cols...)
}
