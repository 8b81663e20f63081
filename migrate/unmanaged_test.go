package migrate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
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

// TestExpressionIndexLeftAlone adds indexes by hand to a table the models
// describe: a plain one is compared like any index (dropped, since the
// models lack it), an expression index, which no tag can declare, is left
// alone unless the models declare expression indexes on that table too.
func TestExpressionIndexLeftAlone(t *testing.T) {
	lower := &schema.Index{Name: "ix_things_lower_name", Exprs: []string{"lower(name)"}}
	upper := &schema.Index{Name: "ix_things_upper_name", Exprs: []string{"upper(name)"}}
	tests := []struct {
		name    string
		indexes []*schema.Index // the models' indexes on things besides ix_things_name
		ops     []string
		kept    int // ix_things_lower_name after the upgrade
	}{
		{"models declare no expression index", nil,
			[]string{"drop index dba_things_size on things"}, 1},
		{"models declare that expression index", []*schema.Index{lower},
			[]string{"drop index dba_things_size on things"}, 1},
		{"models declare another expression index", []*schema.Index{upper},
			[]string{"drop index dba_things_size on things", "drop index ix_things_lower_name on things", "create index ix_things_upper_name on things"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory(t)
			things := thingsMeta(t)
			h.revise(things, "things")
			h.upgrade(things, migrate.Head)
			if _, err := h.pool.Exec(context.Background(),
				"CREATE INDEX ix_things_lower_name ON things (lower(name)); CREATE INDEX dba_things_size ON things (size)"); err != nil {
				t.Fatal(err)
			}
			tb := *things.Table("things")
			tb.Indexes = append(slices.Clone(tb.Indexes), tc.indexes...)
			want := meta(t, nil, &tb)
			d, err := h.runner(want).Autogenerate(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := opNames(d.Ops); !slices.Equal(got, tc.ops) {
				t.Errorf("ops %q, want %q", got, tc.ops)
			}
			h.revise(want, "indexes")
			h.upgrade(want, migrate.Head)
			h.assertClean(want, "after upgrade")
			if n := h.count("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_things_lower_name'"); n != tc.kept {
				t.Errorf("%d ix_things_lower_name left, want %d", n, tc.kept)
			}
		})
	}
}
