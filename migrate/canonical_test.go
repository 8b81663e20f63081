package migrate_test

import (
	"testing"

	"github.com/crucible-orm/crucible/schema"
)

// TestCanonicalForms writes a model in every spelling that differs from
// the server's own and checks that, once upgraded, autogenerate finds
// nothing: the model goes through the scratch schema and compares in the
// server's canonical form.
func TestCanonicalForms(t *testing.T) {
	sized := func(name, typ string, size int) *schema.Column {
		return &schema.Column{Name: name, Type: schema.Scalar{Name: typ, Size: size}}
	}
	def := func(c *schema.Column, expr string) *schema.Column { c.ServerDefault = expr; return c }
	items := &schema.Table{Name: "items",
		Columns: []*schema.Column{
			col("id", "serial"),
			col("big", "bigserial"),
			col("small", "int2"),
			def(col("count", "int4"), "'0'"),
			sized("code", "varchar", 20),
			sized("flag", "char", 3),
			{Name: "price", Type: schema.Scalar{Name: "decimal", Precision: 10, Scale: 2}},
			def(col("ratio", "float8"), "1.5"),
			def(col("active", "bool"), "TRUE"),
			def(col("created", "timestamptz"), "CURRENT_TIMESTAMP"),
			def(col("seen", "timestamp"), "now()"),
			def(&schema.Column{Name: "labels", Type: schema.Array{Elem: scalar("varchar")}}, "'{}'"),
			def(&schema.Column{Name: "moods", Type: schema.Array{Elem: schema.EnumRef{Name: "mood"}}}, "'{}'"),
			def(&schema.Column{Name: "mood", Type: schema.EnumRef{Name: "mood"}}, "'ok'"),
			def(&schema.Column{Name: "doc", Type: schema.JSON{Binary: true}}, "'{}'::jsonb"),
			def(col("uid", "uuid"), "gen_random_uuid()"),
			def(nullCol("note", "varchar"), "'n/a'"),
			nullCol("deleted_at", "timestamptz"),
		},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_items", Columns: []string{"id"}},
		Checks:     []*schema.Check{{Name: "ck_items_price", Expr: "price > 0 AND count >= 0"}},
		Indexes: []*schema.Index{
			{Name: "ix_items_live_code", Columns: []string{"code"}, Where: "deleted_at IS NULL"},
			{Name: "ix_items_lower_code", Exprs: []string{"lower(code)"}},
			{Name: "ix_items_code_flag", Columns: []string{"code", "flag"}, Unique: true},
		},
		Uniques: []*schema.Unique{{Name: "uq_items_uid", Columns: []string{"uid"}}},
	}
	m := meta(t, []*schema.Enum{{Name: "mood", Values: []string{"sad", "ok"}}}, items)
	h := newHistory(t)
	h.revise(m, "items")
	h.upgrade(m, "head")
	h.assertClean(m, "after upgrade")
	h.downgrade(m, "base")
	h.assertEmptySchema()
}
