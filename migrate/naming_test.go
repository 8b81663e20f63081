package migrate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// ConvAuthor and ConvBook leave every constraint and index to the naming
// convention, but for a composite unique constraint named in its tags.
type ConvAuthor struct {
	ID    int64
	Email string `orm:"unique"`
	Name  string `orm:"index"`
	Age   int32  `orm:"check:age >= 0"`
}

type ConvBook struct {
	ID       int64
	AuthorID int64 `orm:"fk:conv_authors.id"`
	Shelf    int32 `orm:"unique:conv_books_place,position:2"`
	Slot     int32 `orm:"unique:conv_books_place,position:1"`
}

// convMeta maps the models with the naming convention n.
func convMeta(t testing.TB, n schema.Naming) *schema.Metadata {
	t.Helper()
	tables, enums, err := schema.NewMapper().MapAll(&ConvAuthor{}, &ConvBook{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := schema.NewMetadata(tables, enums, schema.WithNaming(n))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// convNames reads the names of the constraints and indexes of the conv_
// tables by plain SQL.
func (h *history) convNames() []string {
	return h.strings(`SELECT conname::text FROM pg_constraint WHERE conrelid::regclass::text LIKE 'conv_%'
		UNION SELECT indexname::text FROM pg_indexes WHERE tablename LIKE 'conv_%' ORDER BY 1`)
}

// TestNamingConventionChange switches the models of a database built by
// Crucible's convention to PostgreSQL's: names alone are no change, unless
// the scope asks for renames, which a revision then makes and takes back.
func TestNamingConventionChange(t *testing.T) {
	ctx := context.Background()
	h := newHistory(t)
	crucible := convMeta(t, schema.DefaultNaming{})
	h.revise(crucible, "create")
	h.upgrade(crucible, migrate.Head)
	before := []string{"ck_conv_authors_age", "conv_books_place", "fk_conv_books_author_id_conv_authors", "ix_conv_authors_name",
		"pk_conv_authors", "pk_conv_books", "uq_conv_authors_email"}
	if got := h.convNames(); !slices.Equal(got, before) {
		t.Fatalf("names %q, want %q", got, before)
	}
	if got := h.strings(`SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'conv_books_place'`); !slices.Equal(got, []string{"UNIQUE (slot, shelf)"}) {
		t.Errorf("unique:conv_books_place is %q", got)
	}

	pg := convMeta(t, schema.PostgresNaming{})
	if d, err := h.runner(pg).Check(ctx); err != nil {
		t.Fatalf("check without renames: %v %q", err, opNames(d.Ops))
	}
	renames := migrate.WithScope(migrate.Scope{RenameConstraints: true})
	d, err := h.runner(pg, renames).Check(ctx)
	if err == nil {
		t.Fatal("check with renames: no drift")
	}
	want := []string{
		"rename constraint pk_conv_authors to conv_authors_pkey on conv_authors",
		"rename constraint uq_conv_authors_email to conv_authors_email_key on conv_authors",
		"rename constraint ck_conv_authors_age to conv_authors_age_check on conv_authors",
		"rename index ix_conv_authors_name to conv_authors_name_idx on conv_authors",
		"rename constraint pk_conv_books to conv_books_pkey on conv_books",
		"rename constraint fk_conv_books_author_id_conv_authors to conv_books_author_id_fkey on conv_books",
	}
	if got := opNames(d.Ops); !slices.Equal(got, want) {
		t.Fatalf("ops %q\nwant %q", got, want)
	}
	rev, err := migrate.Draft(h.set(), "postgres names", d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.RenderRevision("migrations", rev, d.Hints); err != nil {
		t.Fatal(err)
	}
	h.revs = append(h.revs, *rev)
	h.upgrade(pg, migrate.Head)
	after := []string{"conv_authors_age_check", "conv_authors_email_key", "conv_authors_name_idx", "conv_authors_pkey",
		"conv_books_author_id_fkey", "conv_books_pkey", "conv_books_place"}
	if got := h.convNames(); !slices.Equal(got, after) {
		t.Errorf("names after the renames %q, want %q", got, after)
	}
	if d, err := h.runner(pg, renames).Check(ctx); err != nil {
		t.Errorf("check with renames after the upgrade: %v %q", err, opNames(d.Ops))
	}
	h.downgrade(pg, "-1")
	if got := h.convNames(); !slices.Equal(got, before) {
		t.Errorf("names after the downgrade %q, want %q", got, before)
	}
}

// TestRenameConstraintsFlag: check -rename-constraints reports the names
// that differ; check alone does not.
func TestRenameConstraintsFlag(t *testing.T) {
	h := newHistory(t)
	crucible := convMeta(t, schema.DefaultNaming{})
	h.revise(crucible, "create")
	h.upgrade(crucible, migrate.Head)
	url := h.pool.Config().ConnString()
	pg := convMeta(t, schema.PostgresNaming{})
	if out, errOut, code := run(pg, h.set(), "check", "-database-url", url); code != 0 {
		t.Errorf("check: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code := run(pg, h.set(), "check", "-rename-constraints", "-database-url", url)
	if code != 1 {
		t.Fatalf("check -rename-constraints: exit %d, want 1\n%s%s", code, out, errOut)
	}
	wantLines(t, out, "  rename index ix_conv_authors_name to conv_authors_name_idx on conv_authors",
		"  rename constraint fk_conv_books_author_id_conv_authors to conv_books_author_id_fkey on conv_books")
}
