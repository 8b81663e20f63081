package migrate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
)

// Scenarios from docs/migrations.md ("What autogenerate looks at, and what
// it may drop"): a table no model describes is reported, never dropped nor
// altered — also when a model's table of the same name lives in another
// schema, and when it sits in a schema a revision created.
func TestUnmanagedTableBesideAModelOfTheSameName(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	// public.orders belongs to another application; the models put their
	// orders in sales.
	if _, err := h.pool.Exec(ctx, `CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL);
		INSERT INTO orders VALUES (1, 'theirs')`); err != nil {
		t.Fatal(err)
	}
	meta := shopMeta(t)
	rev := h.revise(meta, "shop")
	for _, op := range rev.Upgrade {
		if migrate.Destructive(op) != "" {
			t.Errorf("destructive op: %s", op)
		}
	}
	if got := objectNames(h.diff.Unmanaged); !slices.Equal(got, []string{"table orders"}) {
		t.Errorf("unmanaged %q, want public's orders", got)
	}
	h.upgrade(meta, migrate.Head)
	h.assertClean(meta, "after upgrade")
	// A table added by hand in sales, which a revision created.
	if _, err := h.pool.Exec(ctx, `CREATE TABLE sales.notes (id int PRIMARY KEY); INSERT INTO sales.notes VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	d, err := h.runner(meta).Autogenerate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := objectNames(d.Unmanaged); !d.Empty() || !slices.Contains(got, "table sales.notes") {
		t.Errorf("ops %q, unmanaged %q: want sales.notes reported and nothing to do", opNames(d.Ops), got)
	}
	// The models leave sales: their tables go, the hand-made one stays.
	noSales := shopMeta(t, &Shop{})
	rev = h.revise(noSales, "no sales")
	for _, op := range rev.Upgrade {
		if s := op.String(); s == "drop table sales.notes" || s == "drop table orders" {
			t.Errorf("drops an unmanaged table: %s", s)
		}
	}
	if got := opNames(rev.Upgrade); slices.Contains(got, "drop schema sales") {
		t.Errorf("ops %q: sales still holds notes, DROP SCHEMA would fail", got)
	}
	h.upgrade(noSales, migrate.Head)
	h.assertClean(noSales, "after leaving sales")
	if n := h.count(`SELECT count(*) FROM orders`) + h.count(`SELECT count(*) FROM sales.notes`); n != 2 {
		t.Errorf("%d of the 2 unmanaged rows left", n)
	}
	// Down to base, the first revision's DROP SCHEMA sales (its exact
	// inverse) fails on the hand-made table rather than cascade: that
	// revision stays applied, and nothing unmanaged is lost.
	if _, err := h.runner(noSales).Downgrade(ctx, migrate.Base); err == nil {
		t.Error("downgrade base dropped schema sales with notes in it")
	}
	if n := h.count(`SELECT count(*) FROM orders`) + h.count(`SELECT count(*) FROM sales.notes`); n != 2 {
		t.Errorf("after downgrade base: %d of the 2 unmanaged rows left", n)
	}
}
