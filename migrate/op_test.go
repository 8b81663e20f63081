package migrate_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// sampleOps holds one op of every kind, for the reverse and render tests.
func sampleOps() []migrate.Op {
	users := newBlog().table("users")
	ix := &schema.Index{Name: "ix_t_a", Columns: []string{"a"}, Where: "(a > 0)"}
	return []migrate.Op{
		migrate.CreateSchema{Name: "sales"},
		migrate.DropSchema{Name: "sales"},
		migrate.CreateEnum{Name: "mood", Values: []string{"sad", "happy"}},
		migrate.CreateEnum{Schema: "sales", Name: "status", Values: []string{"open"}},
		migrate.DropEnum{Name: "mood", Values: []string{"sad", "happy"}},
		migrate.RenameEnumValue{Enum: "mood", From: "sad", To: "blue"},
		migrate.RecreateEnum{Name: "mood", From: []string{"a", "b"}, To: []string{"b"},
			Columns: []migrate.EnumColumn{{Table: "t", Column: "m", Default: &migrate.Change[string]{From: "'b'::mood", To: "'a'::mood"}}, {Table: "t", Column: "ms", Array: true}},
			Renames: map[string]string{"c": "b", "a": "z"}},
		migrate.CreateTable{Table: users},
		migrate.DropTable{Table: users},
		migrate.RenameTable{From: "a", To: "b"},
		migrate.AlterTable{Table: "t", Comment: &migrate.Change[string]{From: "", To: "things"}},
		migrate.AddColumn{Table: "t", Column: nullCol("a", "text")},
		migrate.AddColumn{Table: "t", Column: col("n", "text")},
		migrate.DropColumn{Table: "t", Column: col("a", "text")},
		migrate.RenameColumn{Table: "t", From: "a", To: "b"},
		migrate.RenameColumn{Schema: "sales", Table: "t", From: "a", To: "b"},
		migrate.AlterColumn{Table: "t", Column: "a",
			Type:     &migrate.TypeChange{From: scalar("integer"), To: scalar("bigint")},
			Nullable: &migrate.Change[bool]{From: true, To: false},
			Default:  &migrate.Change[string]{From: "", To: "0"},
			Identity: &migrate.Change[schema.Identity]{From: schema.IdentityNone, To: schema.IdentityAlways},
			Comment:  &migrate.Change[string]{From: "old", To: "new"}},
		migrate.CreateIndex{Table: "t", Index: ix, Concurrently: true},
		migrate.DropIndex{Table: "t", Index: ix},
		migrate.DropIndex{Schema: "sales", Table: "t", Index: &schema.Index{Name: "ix_t_b", Columns: []string{"b"}, Method: "gin", OpClasses: []string{"jsonb_path_ops"}}},
		migrate.AddPrimaryKey{Table: "t", PrimaryKey: &schema.PrimaryKey{Name: "pk_t", Columns: []string{"id"}}},
		migrate.DropPrimaryKey{Table: "t", PrimaryKey: &schema.PrimaryKey{Name: "pk_t", Columns: []string{"id"}}},
		migrate.AddUnique{Table: "t", Unique: &schema.Unique{Name: "uq_t_a", Columns: []string{"a"}}},
		migrate.DropUnique{Table: "t", Unique: &schema.Unique{Name: "uq_t_a", Columns: []string{"a"}}},
		migrate.AddForeignKey{Table: "t", ForeignKey: fk("t", "u_id", "users", schema.SetNull)},
		migrate.DropForeignKey{Table: "t", ForeignKey: fk("t", "u_id", "users", schema.Restrict)},
		migrate.AddCheck{Table: "t", Check: &schema.Check{Name: "ck_t_a", Expr: "a > 0"}},
		migrate.DropCheck{Table: "t", Check: &schema.Check{Name: "ck_t_a", Expr: "a > 0"}},
		migrate.RenameConstraint{Schema: "sales", Table: "t", From: "pk_t", To: "t_pkey"},
		migrate.RenameIndex{Schema: "sales", Table: "t", From: "ix_t_a", To: "t_a_idx"},
		migrate.Execute{SQL: "UPDATE t\nSET a = 1", Undo: "UPDATE t SET a = NULL"},
	}
}

func TestReverseIsExact(t *testing.T) {
	for _, op := range sampleOps() {
		t.Run(op.String(), func(t *testing.T) {
			r, err := op.Reverse()
			if err != nil {
				t.Fatal(err)
			}
			back, err := r.Reverse()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, op) {
				t.Errorf("reverse of reverse\n got %#v\nwant %#v", back, op)
			}
		})
	}
}

func TestIrreversible(t *testing.T) {
	tests := []struct {
		name string
		op   migrate.Op
	}{
		{"hand-written enum value", migrate.AddEnumValue{Enum: "mood", Value: "meh"}},
		{"execute without undo", migrate.Execute{SQL: "DELETE FROM t"}},
		{"irreversible marker", migrate.Irreversible{Reason: "data is gone"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.op.Reverse()
			var ie *migrate.IrreversibleError
			if !errors.As(err, &ie) || ie.Op != tc.op.String() {
				t.Errorf("err = %v, want *IrreversibleError for %q", err, tc.op)
			}
		})
	}
}

func TestAlterColumnUsingIsNotReversed(t *testing.T) {
	op := migrate.AlterColumn{Table: "t", Column: "a", Type: &migrate.TypeChange{From: scalar("text"), To: scalar("integer"), Using: "length(a)"}}
	r, err := op.Reverse()
	if err != nil {
		t.Fatal(err)
	}
	want := migrate.AlterColumn{Table: "t", Column: "a", Type: &migrate.TypeChange{From: scalar("integer"), To: scalar("text")}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got %#v", r)
	}
}

func TestCaution(t *testing.T) {
	tests := []struct {
		name   string
		column *schema.Column
		want   bool
	}{
		{"nullable", nullCol("a", "text"), false},
		{"server default", &schema.Column{Name: "a", Type: scalar("integer"), ServerDefault: "0"}, false},
		{"identity", &schema.Column{Name: "a", Type: scalar("bigint"), Identity: schema.IdentityAlways}, false},
		{"serial", col("a", "bigserial"), false},
		{"not null without default", col("a", "text"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := migrate.Caution(migrate.AddColumn{Table: "t", Column: tc.column})
			if (got != "") != tc.want {
				t.Errorf("caution %q, want one: %v", got, tc.want)
			}
			if got := migrate.Caution(migrate.DropColumn{Table: "t", Column: tc.column}); got != "" {
				t.Errorf("drop column: caution %q", got)
			}
		})
	}
}
