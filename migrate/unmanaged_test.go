package migrate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
)

// unmanagedSQL fills a database with what no model describes: a table
// with rows and its enum type, an unused enum type, a view, and a schema
// of another application with a table of its own.
const unmanagedSQL = `
CREATE TYPE invoice_state AS ENUM ('open', 'paid');
CREATE TABLE invoices (id serial PRIMARY KEY, state invoice_state NOT NULL, total numeric(10,2));
INSERT INTO invoices (state, total) VALUES ('open', 10), ('paid', 20);
CREATE TYPE unused_kind AS ENUM ('a');
CREATE VIEW invoice_totals AS SELECT state, sum(total) AS total FROM invoices GROUP BY state;
CREATE SCHEMA billing;
CREATE TABLE billing.ledger (id int PRIMARY KEY, note text);
INSERT INTO billing.ledger VALUES (1, 'kept');`

// TestUnmanagedObjectsSurvive runs the whole life of a blog schema in a
// database it shares: nothing the models do not describe is dropped, and
// what the revisions created is.
func TestUnmanagedObjectsSurvive(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	if _, err := h.pool.Exec(ctx, unmanagedSQL); err != nil {
		t.Fatal(err)
	}
	blog := newBlog().meta(t)
	rev := h.revise(blog, "blog")
	for _, op := range rev.Upgrade {
		if migrate.Destructive(op) != "" {
			t.Errorf("destructive op in the first revision: %s", op)
		}
	}
	if got := objectNames(h.diff.Unmanaged); !slices.Equal(got, []string{"table invoices", "type unused_kind"}) {
		t.Errorf("unmanaged %q", got)
	}
	h.upgrade(blog, migrate.Head)
	h.assertClean(blog, "after upgrade")

	t.Run("another schema is read when included", func(t *testing.T) {
		d, err := h.runner(blog, migrate.WithScope(migrate.Scope{IncludeSchemas: []string{"bill*"}})).Autogenerate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := objectNames(d.Unmanaged); !slices.Equal(got, []string{"table invoices", "table billing.ledger", "type unused_kind"}) || !d.Empty() {
			t.Errorf("unmanaged %q, ops %q", got, opNames(d.Ops))
		}
	})

	// A revision written by hand creates a table with SQL: Crucible cannot
	// know it made it, so it is not managed either.
	h.revs = append(h.revs, migrate.Revision{ID: "notes", Down: rev.ID, Message: "notes by hand",
		Upgrade:   []migrate.Op{migrate.Execute{SQL: "CREATE TABLE notes (id int)", Undo: "DROP TABLE notes"}},
		Downgrade: []migrate.Op{migrate.Execute{SQL: "DROP TABLE notes", Undo: "CREATE TABLE notes (id int)"}}})
	h.upgrade(blog, migrate.Head)

	noComments := newBlog().without("comments").meta(t)
	rev = h.revise(noComments, "drop comments")
	if got := opNames(rev.Upgrade); !slices.Equal(got, []string{"drop table comments"}) {
		t.Errorf("ops %q", got)
	}
	if got := objectNames(h.diff.Unmanaged); !slices.Equal(got, []string{"table invoices", "table notes", "type unused_kind"}) {
		t.Errorf("unmanaged %q", got)
	}

	h.upgrade(noComments, migrate.Head)
	h.assertClean(noComments, "after dropping comments")

	t.Run("drop unmanaged", func(t *testing.T) {
		d, err := h.runner(noComments, migrate.WithScope(migrate.Scope{DropUnmanaged: true, Exclude: []string{"notes"}})).Autogenerate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The view on invoices would make the drop fail: DROP TABLE never cascades.
		if got := opNames(d.Ops); !slices.Equal(got, []string{"drop table invoices", "drop enum invoice_state", "drop enum unused_kind"}) {
			t.Errorf("ops %q", got)
		}
	})

	h.downgrade(noComments, migrate.Base)
	if n := h.count(`SELECT count(*) FROM invoices`) + h.count(`SELECT count(*) FROM billing.ledger`); n != 3 {
		t.Errorf("%d of the 3 unmanaged rows left", n)
	}
	if n := h.count(`SELECT count(*) FROM pg_type WHERE typname IN ('invoice_state', 'unused_kind')`); n != 2 {
		t.Errorf("%d of the 2 unmanaged types left", n)
	}
	if n := h.count(`SELECT count(*) FROM pg_class WHERE relname IN ('users', 'posts', 'notes', 'invoice_totals')`); n != 1 {
		t.Errorf("want the view alone left of users, posts, notes and the view: %d", n)
	}
}
