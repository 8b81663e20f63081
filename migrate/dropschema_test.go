package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
)

// TestDowngradeSchemaHoldingOthersObjects: downgrading the revision that
// created a schema, after someone put objects of their own in it (a table
// made by hand with its sequence and index, a view, a function, a type), fails before changing anything with
// an error naming the schema and the objects that keep it, and drops
// nothing: the revision's own tables stay, the hand-made ones too, and the
// database stays at the revision.
func TestDowngradeSchemaHoldingOthersObjects(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	meta := shopMeta(t, &Shop{}, &Order{}, &Line{})
	rev := h.revise(meta, "shop")
	h.upgrade(meta, "heads")
	for _, q := range []string{
		`CREATE TYPE sales.mood AS ENUM ('calm')`,
		`CREATE TABLE sales.handmade (id serial PRIMARY KEY, mood sales.mood)`,
		`CREATE VIEW sales.open_orders AS SELECT 1 AS id`,
		`CREATE FUNCTION sales.answer() RETURNS int LANGUAGE sql AS 'SELECT 42'`,
	} {
		if _, err := h.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, err := h.runner(meta).Downgrade(ctx, "base")
	var se *migrate.SchemaNotEmptyError
	if !errors.As(err, &se) || !errors.Is(err, migrate.ErrSchemaNotEmpty) {
		t.Fatalf("downgrade = %v, want a *SchemaNotEmptyError", err)
	}
	msg := err.Error()
	for _, want := range []string{`"sales"`, "sales.handmade", "sales.open_orders", "sales.answer()", "type sales.mood", rev.ID} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not name %s: %s", want, msg)
		}
	}
	if se.Schema != "sales" || len(se.Objects) != 4 {
		t.Errorf("error fields: schema %q, objects %q", se.Schema, se.Objects)
	}
	t.Log(msg)
	for _, tbl := range []string{"orders", "lines", "handmade"} {
		if n := h.count(`SELECT count(*) FROM pg_tables WHERE schemaname = 'sales' AND tablename = $1`, tbl); n != 1 {
			t.Errorf("sales.%s was dropped", tbl)
		}
	}
	if n := h.count(`SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'shops'`); n != 1 {
		t.Error("shops was dropped")
	}
	cur, err := h.runner(meta).Current(ctx)
	if err != nil || len(cur) != 1 || cur[0] != rev.ID {
		t.Fatalf("current = %v, %v; want %s", cur, err, rev.ID)
	}
	// Once the hand-made objects go, the downgrade runs.
	if _, err := h.pool.Exec(ctx, `DROP VIEW sales.open_orders; DROP TABLE sales.handmade; DROP FUNCTION sales.answer(); DROP TYPE sales.mood`); err != nil {
		t.Fatal(err)
	}
	h.downgrade(meta, "base")
	if n := h.count(`SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'`); n != 0 {
		t.Error("the schema is still there")
	}
}

// TestDowngradeTableOthersDependOn: a downgrade dropping a table that a
// hand-made view depends on fails with the server's error and its detail,
// which names the view; nothing is dropped (never CASCADE).
func TestDowngradeTableOthersDependOn(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	meta := shopMeta(t, &Shop{}, &Order{}, &Line{})
	h.revise(meta, "shop")
	h.upgrade(meta, "heads")
	if _, err := h.pool.Exec(ctx, `CREATE VIEW public.open_orders AS SELECT id FROM sales.orders`); err != nil {
		t.Fatal(err)
	}
	_, err := h.runner(meta).Downgrade(ctx, "base")
	var oe *migrate.OpError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "view open_orders depends on table sales.orders") {
		t.Fatalf("downgrade = %v, want an OpError naming the view", err)
	}
	if strings.Contains(err.Error(), "CASCADE") {
		t.Errorf("the error suggests CASCADE: %v", err)
	}
	for _, tbl := range []string{"orders", "lines"} {
		if n := h.count(`SELECT count(*) FROM pg_tables WHERE schemaname = 'sales' AND tablename = $1`, tbl); n != 1 {
			t.Errorf("sales.%s was dropped", tbl)
		}
	}
	if n := h.count(`SELECT count(*) FROM pg_views WHERE viewname = 'open_orders'`); n != 1 {
		t.Error("the view was dropped")
	}
}
