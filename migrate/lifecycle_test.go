package migrate_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// change is one step of the model's evolution and the ops autogenerate
// must find for it.
type change struct {
	name   string
	mutate func(b *blog)
	want   []string // op descriptions, in order
	hint   string   // a substring of a hint, "" for none
	edit   func(rev *migrate.Revision)
	check  func(h *history) // more checks once it is applied
}

var changes = []change{
	{
		name: "add and drop a column",
		mutate: func(b *blog) {
			users := b.table("users")
			users.Columns = append(users.Columns, nullCol("bio", "text"))
			posts := b.table("posts")
			posts.Columns = slices.DeleteFunc(posts.Columns, func(c *schema.Column) bool { return c.Name == "content" })
		},
		want: []string{"drop column posts.content", "add column users.bio"},
	},
	{
		name:   "change nullability",
		mutate: func(b *blog) { b.column("profiles", "name").Nullable = false },
		want:   []string{"alter column profiles.name (nullable)"},
	},
	{
		name: "widen types",
		mutate: func(b *blog) {
			b.column("tags", "name").Type = schema.Scalar{Name: "character varying", Size: 200}
			b.column("profiles", "age").Type = schema.Scalar{Name: "bigint"}
		},
		want: []string{"alter column tags.name (type)", "alter column profiles.age (type)"},
	},
	{
		name: "add an enum value",
		mutate: func(b *blog) {
			b.enum("gender").Values = []string{"MALE", "FEMALE", "OTHER", "UNDEFINED"}
		},
		want: []string{"add value OTHER to enum gender"},
	},
	{
		name: "add an enum column to an existing table",
		mutate: func(b *blog) {
			b.enums = append(b.enums, &schema.Enum{Name: "post_status", Values: []string{"draft", "published"}})
			posts := b.table("posts")
			posts.Columns = append(posts.Columns, &schema.Column{Name: "status",
				Type: schema.EnumRef{Name: "post_status"}, ServerDefault: "'draft'::post_status"})
		},
		want: []string{"create enum post_status", "add column posts.status"},
	},
	{
		name: "add an index",
		mutate: func(b *blog) {
			posts := b.table("posts")
			posts.Indexes = append(posts.Indexes, &schema.Index{Name: "ix_posts_title", Columns: []string{"title"}})
		},
		want: []string{"create index ix_posts_title on posts"},
	},
	{
		name: "add a foreign key",
		mutate: func(b *blog) {
			comments := b.table("comments")
			comments.Columns = append(comments.Columns, nullCol("user_id", "bigint"))
			comments.ForeignKeys = append(comments.ForeignKeys, fk("comments", "user_id", "users", schema.SetNull))
		},
		want: []string{"add column comments.user_id", "add foreign key fk_comments_user_id_users on comments"},
	},
	{
		name: "rename a column with the hint",
		mutate: func(b *blog) {
			b.column("users", "phone").Name = "mobile"
		},
		want: []string{"drop column users.phone", "add column users.mobile"},
		hint: `migrate.RenameColumn{Table: "users", From: "phone", To: "mobile"}`,
		edit: func(rev *migrate.Revision) {
			rev.Upgrade = []migrate.Op{migrate.RenameColumn{Table: "users", From: "phone", To: "mobile"}}
			rev.Downgrade = []migrate.Op{migrate.RenameColumn{Table: "users", From: "mobile", To: "phone"}}
		},
		check: func(h *history) {
			if n := h.count("SELECT count(*) FROM users WHERE mobile = '555-0100'"); n != 1 {
				h.t.Errorf("rename lost the data: %d users with the phone as mobile", n)
			}
		},
	},
	{
		name:   "add a many-to-many table",
		mutate: func(b *blog) { b.tables = append(b.tables, postTags()) },
		want:   []string{"create table post_tags"},
	},
	{
		name: "remove an enum value",
		mutate: func(b *blog) {
			b.enum("gender").Values = []string{"MALE", "FEMALE", "UNDEFINED"}
		},
		want: []string{"recreate enum gender"},
	},
	{
		name: "drop an enum column and its type",
		mutate: func(b *blog) {
			b.enums = slices.DeleteFunc(b.enums, func(e *schema.Enum) bool { return e.Name == "post_status" })
			posts := b.table("posts")
			posts.Columns = slices.DeleteFunc(posts.Columns, func(c *schema.Column) bool { return c.Name == "status" })
		},
		want: []string{"drop column posts.status", "drop enum post_status"},
	},
}

// TestLifecycle is the scenario of issue 5, from the blog model: each
// change autogenerates the expected ops, upgrades (with rows in the
// tables), leaves nothing to autogenerate, downgrades cleanly and upgrades
// again. At the end the database goes back to base and holds no table,
// type or sequence; then concurrent runners apply every revision once. The
// whole cycle runs three times and must write the same files each time.
// The revisions then go through a CI job (offline SQL, check) and are
// compiled as a user's migrations package.
func TestLifecycle(t *testing.T) {
	var first *history
	for round := range 3 {
		h := runLifecycle(t)
		if round == 0 {
			first = h
			continue
		}
		for i := range first.files {
			if !bytes.Equal(h.files[i], first.files[i]) {
				t.Errorf("round %d: file %d differs from round 0:\n%s\n---\n%s", round, i, h.files[i], first.files[i])
			}
		}
	}
	final := blogAt(t, len(changes))
	t.Run("ci job", func(t *testing.T) { ciJob(t, first.set(), final) })
	t.Run("compiled files", func(t *testing.T) { compileRevisions(t, first) })
}

func runLifecycle(t *testing.T) *history {
	h := newHistory(t)
	prev := blogAt(t, 0)
	h.revise(prev, "create blog")
	h.upgrade(prev, "head")
	h.assertClean(prev, "create blog")
	seedBlog(h)
	for i, ch := range changes {
		meta := blogAt(t, i+1)
		rev := h.revise(meta, ch.name)
		checkRevision(t, ch, rev, h.diff)
		if ch.edit != nil {
			ch.edit(&h.revs[len(h.revs)-1])
		}
		h.upgrade(meta, "head")
		h.assertClean(meta, ch.name+": after upgrade")
		h.assertSeeded(ch.name + ": after upgrade")
		if ch.check != nil {
			ch.check(h)
		}
		h.downgrade(meta, "-1")
		h.assertCleanAt(prev, ch.name+": after downgrade", len(h.revs)-1)
		h.assertSeeded(ch.name + ": after downgrade")
		h.upgrade(meta, "head")
		prev = meta
	}
	h.downgrade(prev, migrate.Base)
	h.assertEmptySchema()
	concurrentUpgrade(h, prev, 4)
	h.downgrade(prev, migrate.Base)
	h.assertEmptySchema()
	return h
}

// blogAt returns the blog model with the first n changes made, built
// afresh so that earlier metadata is left alone.
func blogAt(t *testing.T, n int) *schema.Metadata {
	b := newBlog()
	for _, ch := range changes[:n] {
		ch.mutate(b)
	}
	return b.meta(t)
}

func checkRevision(t *testing.T, ch change, rev *migrate.Revision, d *migrate.Diff) {
	t.Helper()
	var got []string
	for _, op := range rev.Upgrade {
		got = append(got, op.String())
	}
	if !slices.Equal(got, ch.want) {
		t.Errorf("%s: ops\n got %q\nwant %q", ch.name, got, ch.want)
	}
	var hints []string
	for _, hn := range d.Hints {
		hints = append(hints, hn.Text+" "+hn.Code)
	}
	switch {
	case ch.hint == "" && len(hints) > 0:
		t.Errorf("%s: unexpected hints %q", ch.name, hints)
	case ch.hint != "" && !slices.ContainsFunc(hints, func(s string) bool { return strings.Contains(s, ch.hint) }):
		t.Errorf("%s: hints %q lack %q", ch.name, hints, ch.hint)
	}
}

func (h *history) assertCleanAt(meta *schema.Metadata, when string, n int) {
	h.t.Helper()
	saved := h.revs
	h.revs = h.revs[:n]
	defer func() { h.revs = saved }()
	h.assertClean(meta, when)
}
