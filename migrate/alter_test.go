package migrate_test

import (
	"context"
	"testing"

	"github.com/crucible-orm/crucible/schema"
)

// TestAlterColumnWithRows changes columns of a table holding rows, each
// way round: the revision applies, autogenerate finds nothing after it,
// the downgrade applies, and an insert still works on both sides (a
// sequence that took over a column starts after its values).
func TestAlterColumnWithRows(t *testing.T) {
	status := []*schema.Enum{{Name: "status", Values: []string{"draft", "done"}}}
	identity := func(typ string) *schema.Column {
		return &schema.Column{Name: "id", Type: scalar(typ), Identity: schema.IdentityByDefault}
	}
	withDefault := func(name string, typ schema.Type, def string) *schema.Column {
		return &schema.Column{Name: name, Type: typ, ServerDefault: def}
	}
	tests := []struct {
		name     string
		from, to []*schema.Column
		ops      []string
		seed     string // rows before the change; then a row is inserted after each way
	}{
		{"text to enum, keeping its default",
			[]*schema.Column{identity("bigint"), withDefault("state", scalar("text"), "'draft'")},
			[]*schema.Column{identity("bigint"), withDefault("state", schema.EnumRef{Name: "status"}, "'draft'")},
			[]string{"alter column t.state (type, default)"}, "INSERT INTO t DEFAULT VALUES"},
		{"integer to bigint, keeping its default",
			[]*schema.Column{identity("bigint"), withDefault("n", scalar("integer"), "7")},
			[]*schema.Column{identity("bigint"), withDefault("n", scalar("bigint"), "7")},
			[]string{"alter column t.n (type, default)"}, "INSERT INTO t DEFAULT VALUES"},
		{"serial to identity",
			[]*schema.Column{col("id", "serial")},
			[]*schema.Column{identity("integer")},
			[]string{"alter column t.id (type, identity)"}, "INSERT INTO t DEFAULT VALUES"},
		{"serial to bigserial",
			[]*schema.Column{col("id", "serial")},
			[]*schema.Column{col("id", "bigserial")},
			[]string{"alter column t.id (type)"}, "INSERT INTO t DEFAULT VALUES"},
		{"plain integer to identity",
			[]*schema.Column{col("id", "integer")},
			[]*schema.Column{identity("integer")},
			[]string{"alter column t.id (identity)"}, "INSERT INTO t VALUES (1), (2)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory(t)
			before := meta(t, status, table("t", tc.from...))
			after := meta(t, status, table("t", tc.to...))
			h.revise(before, "create")
			h.upgrade(before, "head")
			h.insert(tc.seed)
			rev := h.revise(after, "alter")
			if got := opNames(rev.Upgrade); !slicesEqual(got, tc.ops) {
				t.Errorf("ops %q, want %q", got, tc.ops)
			}
			h.upgrade(after, "head")
			h.assertClean(after, "after upgrade")
			h.insert("INSERT INTO t DEFAULT VALUES")
			h.downgrade(after, "-1")
			h.assertCleanAt(before, "after downgrade", 1)
			if tc.seed == "INSERT INTO t DEFAULT VALUES" {
				h.insert(tc.seed)
			}
			h.downgrade(after, "base")
			h.assertEmptySchema()
		})
	}
}

// insert runs an INSERT on the table of the test; columns without a
// default get one from the sequence or the test's VALUES.
func (h *history) insert(sql string) {
	h.t.Helper()
	if _, err := h.pool.Exec(context.Background(), sql); err != nil {
		h.t.Fatalf("%s: %v", sql, err)
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestKeyChangeUnderForeignKey changes a primary key that foreign keys
// reference, one from a kept table and one from a dropped table: they go
// before the key and the kept one comes back after the new keys.
func TestKeyChangeUnderForeignKey(t *testing.T) {
	mk := func(changed bool) *schema.Metadata {
		a := &schema.Table{Name: "a",
			Columns:    []*schema.Column{col("id", "integer"), col("k", "integer")},
			PrimaryKey: &schema.PrimaryKey{Name: "pk_a", Columns: []string{"id"}},
		}
		b := &schema.Table{Name: "b",
			Columns:     []*schema.Column{col("id", "integer"), col("a_id", "bigint")},
			PrimaryKey:  &schema.PrimaryKey{Name: "pk_b", Columns: []string{"id"}},
			ForeignKeys: []*schema.ForeignKey{fk("b", "a_id", "a", schema.Cascade)},
		}
		gone := &schema.Table{Name: "gone",
			Columns:     []*schema.Column{col("a_id", "integer")},
			ForeignKeys: []*schema.ForeignKey{fk("gone", "a_id", "a", schema.NoAction)},
		}
		if !changed {
			return meta(t, nil, a, b, gone)
		}
		a.Columns[0].Type = scalar("bigint")
		a.PrimaryKey.Columns = []string{"id", "k"}
		a.Uniques = []*schema.Unique{{Name: "uq_a_id", Columns: []string{"id"}}}
		return meta(t, nil, a, b)
	}
	h := newHistory(t)
	before, after := mk(false), mk(true)
	h.revise(before, "before")
	h.upgrade(before, "head")
	rev := h.revise(after, "after")
	want := []string{"drop foreign key fk_gone_a_id_a on gone", "drop foreign key fk_b_a_id_a on b", "drop primary key pk_a on a",
		"drop table gone", "alter column a.id (type)", "add primary key pk_a on a", "add unique uq_a_id on a", "add foreign key fk_b_a_id_a on b"}
	if got := opNames(rev.Upgrade); !slicesEqual(got, want) {
		t.Errorf("ops\n got %q\nwant %q", got, want)
	}
	h.upgrade(after, "head")
	h.assertClean(after, "after upgrade")
	h.downgrade(after, "-1")
	h.assertCleanAt(before, "after downgrade", 1)
}
