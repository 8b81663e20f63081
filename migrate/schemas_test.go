package migrate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// Models across two PostgreSQL schemas, with the index tags: a serial key,
// an enum type in sales, foreign keys both ways between the schemas, and
// indexes of every method, with an operator class, a predicate and keys
// in an order of their own.

// OrderStatus is an enum type of schema sales.
type OrderStatus string

// EnumValues lists the statuses.
func (OrderStatus) EnumValues() []string { return []string{"open", "paid", "void"} }

type (
	// Shop is in the search path's schema.
	Shop struct {
		ID   int32  `orm:"pk,type:serial"`
		Name string `orm:"index:ix_shops_name,opclass:text_pattern_ops"`
	}
	// Order is in schema sales.
	Order struct {
		ID        int64
		ShopID    int16       `orm:"fk:shops.id,unique_index:ux_orders_shop_placed,position:2"`
		PlacedAt  int64       `orm:"unique_index:ux_orders_shop_placed,position:1,index:ix_orders_placed,using:brin"`
		Status    OrderStatus `orm:"enum:sales.order_status,server_default:'open',default:open,index:ix_orders_open,where:status = 'open'"`
		Tags      []string    `orm:"type:text[],index,using:gin"`
		Search    *string     `orm:"type:tsvector,index:ix_orders_search,using:gist"`
		Reference string      `orm:"index:ix_orders_ref,using:hash"`
	}
	// Line is in schema sales, named by a blank field.
	Line struct {
		_       struct{} `orm:"schema:sales,table:lines"`
		ID      int64
		OrderID int64 `orm:"fk:sales.orders.id,ondelete:cascade"`
	}
	// Refund is in the search path's schema and references sales.
	Refund struct {
		ID     int64
		LineID int64 `orm:"fk:sales.lines.id"`
	}
)

// TableName puts orders in schema sales.
func (Order) TableName() string { return "sales.orders" }

// shopMeta returns the metadata of the shop models, or of those given.
func shopMeta(t testing.TB, models ...any) *schema.Metadata {
	t.Helper()
	if len(models) == 0 {
		models = []any{&Shop{}, &Order{}, &Line{}, &Refund{}}
	}
	return mapModels(t, models...)
}

// mapModels maps models into metadata.
func mapModels(t testing.TB, models ...any) *schema.Metadata {
	t.Helper()
	tables, enums, err := schema.NewMapper().MapAll(models...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := schema.NewMetadata(tables, enums)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// strings returns the first column of a query's rows.
func (h *history) strings(query string, args ...any) []string {
	h.t.Helper()
	rows, err := h.pool.Query(context.Background(), query, args...)
	if err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestSchemasRoundTrip(t *testing.T) {
	h := newHistory(t)
	meta := shopMeta(t)
	rev := h.revise(meta, "shops and sales")
	if got := opNames(rev.Upgrade)[:3]; !slices.Equal(got, []string{"create schema sales", "create enum sales.order_status", "create table shops"}) {
		t.Errorf("first ops %q", got)
	}
	h.upgrade(meta, migrate.Head)

	wantIndexes := []string{
		"CREATE INDEX ix_orders_open ON sales.orders USING btree (status) WHERE (status = 'open'::sales.order_status)",
		"CREATE INDEX ix_orders_placed ON sales.orders USING brin (placed_at)",
		"CREATE INDEX ix_orders_ref ON sales.orders USING hash (reference)",
		"CREATE INDEX ix_orders_search ON sales.orders USING gist (search)",
		"CREATE INDEX ix_orders_tags ON sales.orders USING gin (tags)",
		"CREATE UNIQUE INDEX ux_orders_shop_placed ON sales.orders USING btree (placed_at, shop_id)",
		"CREATE INDEX ix_shops_name ON public.shops USING btree (name text_pattern_ops)",
	}
	gotIndexes := h.strings(`SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'ix%' OR indexname LIKE 'ux%' ORDER BY schemaname DESC, indexname`)
	if !slices.Equal(gotIndexes, wantIndexes) {
		t.Errorf("indexes\n got %q\nwant %q", gotIndexes, wantIndexes)
	}
	wantFKs := []string{
		"refunds: FOREIGN KEY (line_id) REFERENCES sales.lines(id)",
		"sales.lines: FOREIGN KEY (order_id) REFERENCES sales.orders(id) ON DELETE CASCADE",
		"sales.orders: FOREIGN KEY (shop_id) REFERENCES shops(id)",
	}
	gotFKs := h.strings(`SELECT conrelid::regclass::text || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1`)
	if !slices.Equal(gotFKs, wantFKs) {
		t.Errorf("foreign keys\n got %q\nwant %q", gotFKs, wantFKs)
	}
	if got := h.strings(`SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'sales.orders'::regclass AND attname = 'status'`); !slices.Equal(got, []string{"sales.order_status"}) {
		t.Errorf("status type %q", got)
	}
	h.assertClean(meta, "after upgrade")

	// Without its models, what the revision made in sales goes, then the
	// schema.
	shops := shopMeta(t, &Shop{})
	rev = h.revise(shops, "shops only")
	want := []string{"drop table refunds", "drop table sales.lines",
		"drop table sales.orders", "drop enum sales.order_status", "drop schema sales"}
	if got := opNames(rev.Upgrade); !slices.Equal(got, want) {
		t.Errorf("ops\n got %q\nwant %q", got, want)
	}
	h.upgrade(shops, migrate.Head)
	h.assertClean(shops, "without sales")
	if n := h.count(`SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'`); n != 0 {
		t.Errorf("schema sales left")
	}
	h.downgrade(shops, "-1")
	if n := h.count(`SELECT count(*) FROM pg_class WHERE relnamespace = 'sales'::regnamespace AND relkind = 'r'`); n != 2 {
		t.Errorf("%d tables in sales after the downgrade, want 2", n)
	}

	h.downgrade(meta, migrate.Base)
	h.assertEmptySchema()
	if n := h.count(`SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'`); n != 0 {
		t.Errorf("schema sales left after downgrade to base")
	}
}

// TestSchemaNamedAsTheSearchPath compares models that name the search
// path's schema (public.things, a foreign key to public.things or from an
// unqualified fk:things.id to it, an enum public.mood) with a database
// that reads it unnamed: each builds, then
// autogenerate finds nothing, and the downgrade leaves nothing.
func TestSchemaNamedAsTheSearchPath(t *testing.T) {
	publicTable := func(name string, cols ...*schema.Column) *schema.Table {
		tb := table(name, cols...)
		tb.Schema = "public"
		return tb
	}
	notes := func(refSchema string) *schema.Table {
		tb := table("notes", col("id", "bigint"), col("thing_id", "bigint"))
		tb.ForeignKeys = []*schema.ForeignKey{{Name: "fk_notes_thing_id_things", Columns: []string{"thing_id"},
			RefSchema: refSchema, RefTable: "things", RefColumns: []string{"id"}}}
		return tb
	}
	moody := table("moody", col("id", "bigint"), &schema.Column{Name: "mood", Type: schema.EnumRef{Schema: "public", Name: "mood"}})
	mood := []*schema.Enum{{Schema: "public", Name: "mood", Values: []string{"a"}}}
	tests := []struct {
		name   string
		enums  []*schema.Enum
		tables []*schema.Table
		ops    []string
	}{
		{"table and enum named public", mood, []*schema.Table{publicTable("things", col("id", "bigint"), nullCol("note", "text"))},
			[]string{"create enum mood", "create table things"}},
		{"foreign key naming public to an unnamed table", nil, []*schema.Table{table("things", col("id", "bigint")), notes("public")},
			[]string{"create table things", "create table notes"}},
		{"unqualified foreign key to a table named public", nil, []*schema.Table{publicTable("things", col("id", "bigint")), notes("")},
			[]string{"create table things", "create table notes"}},
		{"enum named public on an unnamed table", mood, []*schema.Table{moody},
			[]string{"create enum mood", "create table moody"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory(t)
			meta := meta(t, tc.enums, tc.tables...)
			rev := h.revise(meta, "things")
			if got := opNames(rev.Upgrade); !slices.Equal(got, tc.ops) {
				t.Errorf("ops %q, want %q", got, tc.ops)
			}
			h.upgrade(meta, migrate.Head)
			h.assertClean(meta, "after upgrade")
			h.downgrade(meta, migrate.Base)
			h.assertEmptySchema()
		})
	}
}
