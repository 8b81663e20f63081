package migrate_test

import (
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

func meta(t *testing.T, enums []*schema.Enum, tables ...*schema.Table) *schema.Metadata {
	t.Helper()
	m, err := schema.NewMetadata(tables, enums)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func table(name string, cols ...*schema.Column) *schema.Table {
	return &schema.Table{Name: name, Columns: cols, PrimaryKey: &schema.PrimaryKey{Name: "pk_" + name, Columns: []string{cols[0].Name}}}
}

func opNames(ops []migrate.Op) []string {
	var out []string
	for _, op := range ops {
		out = append(out, op.String())
	}
	return out
}

// cycleMeta holds the tables a and b, which reference each other.
func cycleMeta(t *testing.T) *schema.Metadata {
	a := table("a", col("id", "bigint"), col("b_id", "bigint"))
	a.ForeignKeys = []*schema.ForeignKey{fk("a", "b_id", "b", schema.NoAction)}
	b := table("b", col("id", "bigint"), col("a_id", "bigint"))
	b.ForeignKeys = []*schema.ForeignKey{fk("b", "a_id", "a", schema.NoAction)}
	return meta(t, nil, a, b)
}

// cycleOps returns the ops that create cycleMeta's tables, in the order
// the metadata lists them.
func cycleOps(t *testing.T) []string {
	first, second := "a", "b"
	if cycleMeta(t).Tables()[0].Name == "b" {
		first, second = "b", "a"
	}
	return []string{"create table " + first, "create table " + second,
		"add foreign key fk_" + first + "_" + second + "_id_" + second + " on " + first}
}

func gender(values ...string) []*schema.Enum {
	return []*schema.Enum{{Name: "gender", Values: values}}
}

func TestCompare(t *testing.T) {
	id := func() *schema.Column { return col("id", "bigint") }
	tests := []struct {
		name        string
		live, want  func() *schema.Metadata
		ops         []string
		destructive []string
	}{
		{
			name: "type aliases are no change",
			live: func() *schema.Metadata {
				return meta(t, nil, table("t", id(), col("a", "integer"), &schema.Column{Name: "b", Type: schema.Scalar{Name: "character varying", Size: 20}}, col("c", "timestamp with time zone")))
			},
			want: func() *schema.Metadata {
				return meta(t, nil, table("t", col("id", "int8"), col("a", "int4"), &schema.Column{Name: "b", Type: schema.Scalar{Name: "varchar", Size: 20}}, col("c", "timestamptz")))
			},
		},
		{
			name: "default spellings are no change",
			live: func() *schema.Metadata {
				return meta(t, nil, table("t", id(), &schema.Column{Name: "at", Type: scalar("timestamp with time zone"), ServerDefault: "now()"},
					&schema.Column{Name: "tags", Type: schema.Array{Elem: scalar("text")}, ServerDefault: "'{}'::text[]"},
					&schema.Column{Name: "n", Type: scalar("integer"), ServerDefault: "0"}))
			},
			want: func() *schema.Metadata {
				return meta(t, nil, table("t", id(), &schema.Column{Name: "at", Type: scalar("timestamptz"), ServerDefault: "CURRENT_TIMESTAMP"},
					&schema.Column{Name: "tags", Type: schema.Array{Elem: scalar("text")}, ServerDefault: "'{}'"},
					&schema.Column{Name: "n", Type: scalar("int4"), ServerDefault: "'0'::integer"}))
			},
		},
		{
			name: "constraint names are no change",
			live: func() *schema.Metadata {
				tb := table("t", id(), col("a", "text"))
				tb.PrimaryKey.Name = "t_pkey"
				tb.Uniques = []*schema.Unique{{Name: "t_a_key", Columns: []string{"a"}}}
				tb.Indexes = []*schema.Index{{Name: "t_a_idx", Columns: []string{"a"}}}
				return meta(t, nil, tb)
			},
			want: func() *schema.Metadata {
				tb := table("t", id(), col("a", "text"))
				tb.Uniques = []*schema.Unique{{Name: "uq_t_a", Columns: []string{"a"}}}
				tb.Indexes = []*schema.Index{{Name: "ix_t_a", Columns: []string{"a"}}}
				return meta(t, nil, tb)
			},
		},
		{
			name: "enum values in the same order are no change",
			live: func() *schema.Metadata { return meta(t, gender("B", "A")) },
			want: func() *schema.Metadata { return meta(t, gender("B", "A")) },
		},
		{
			name: "enum value added in the middle and first",
			live: func() *schema.Metadata { return meta(t, gender("B", "D")) },
			want: func() *schema.Metadata { return meta(t, gender("A", "B", "C", "D")) },
			ops:  []string{"add value A to enum gender", "add value C to enum gender"},
		},
		{
			name:        "enum values reordered or removed",
			live:        func() *schema.Metadata { return meta(t, gender("A", "B", "C")) },
			want:        func() *schema.Metadata { return meta(t, gender("C", "A")) },
			ops:         []string{"recreate enum gender"},
			destructive: []string{"removes value(s) B of enum gender: fails if rows still hold them"},
		},
		{
			name: "enum column on an existing table creates the type first",
			live: func() *schema.Metadata { return meta(t, nil, table("t", id())) },
			want: func() *schema.Metadata {
				return meta(t, gender("A"), table("t", id(), &schema.Column{Name: "g", Type: schema.EnumRef{Name: "gender"}}))
			},
			ops: []string{"create enum gender", "add column t.g"},
		},
		{
			name: "unused enum is dropped last",
			live: func() *schema.Metadata {
				return meta(t, gender("A"), table("t", id(), &schema.Column{Name: "g", Type: schema.EnumRef{Name: "gender"}}))
			},
			want:        func() *schema.Metadata { return meta(t, nil, table("t", id())) },
			ops:         []string{"drop column t.g", "drop enum gender"},
			destructive: []string{"drops column t.g and its data"},
		},
		{
			name: "tables are dropped children first and created parents first",
			live: func() *schema.Metadata {
				child := table("child", id(), col("parent_id", "bigint"))
				child.ForeignKeys = []*schema.ForeignKey{fk("child", "parent_id", "parent", schema.Cascade)}
				return meta(t, nil, table("parent", id()), child)
			},
			want: func() *schema.Metadata {
				b := table("b", id(), col("a_id", "bigint"))
				b.ForeignKeys = []*schema.ForeignKey{fk("b", "a_id", "a", schema.NoAction)}
				return meta(t, nil, b, table("a", id()))
			},
			ops:         []string{"drop table child", "drop table parent", "create table a", "create table b"},
			destructive: []string{"drops table child and all its rows", "drops table parent and all its rows"},
		},
		{
			name: "a reference cycle is closed after the tables exist",
			live: func() *schema.Metadata { return meta(t, nil) },
			want: func() *schema.Metadata { return cycleMeta(t) },
			// Which table comes first is the metadata's choice (Tables()
			// order); the first one gets its key once the other exists.
			ops: cycleOps(t),
		},
		{
			name: "changed foreign-key action is dropped and added",
			live: func() *schema.Metadata {
				c := table("c", id(), col("p_id", "bigint"))
				c.ForeignKeys = []*schema.ForeignKey{fk("c", "p_id", "p", schema.NoAction)}
				return meta(t, nil, table("p", id()), c)
			},
			want: func() *schema.Metadata {
				c := table("c", id(), col("p_id", "bigint"))
				c.ForeignKeys = []*schema.ForeignKey{fk("c", "p_id", "p", schema.Cascade)}
				return meta(t, nil, table("p", id()), c)
			},
			ops: []string{"drop foreign key fk_c_p_id_p on c", "add foreign key fk_c_p_id_p on c"},
		},
		{
			name: "primary key, check and index changes",
			live: func() *schema.Metadata {
				tb := table("t", id(), col("a", "integer"))
				tb.Checks = []*schema.Check{{Name: "ck_t_a", Expr: "(a > 0)"}}
				tb.Indexes = []*schema.Index{{Name: "ix_t_a", Columns: []string{"a"}}}
				return meta(t, nil, tb)
			},
			want: func() *schema.Metadata {
				tb := table("t", id(), col("a", "integer"))
				tb.PrimaryKey.Columns = []string{"id", "a"}
				tb.Checks = []*schema.Check{{Name: "ck_t_a", Expr: "a > 1"}}
				tb.Indexes = []*schema.Index{{Name: "ix_t_a", Columns: []string{"a"}, Where: "a > 0"}}
				return meta(t, nil, tb)
			},
			ops: []string{"drop primary key pk_t on t", "drop check ck_t_a on t", "drop index ix_t_a on t",
				"add primary key pk_t on t", "add check ck_t_a on t", "create index ix_t_a on t"},
		},
		{
			name: "column attributes",
			live: func() *schema.Metadata {
				return meta(t, nil, table("t", id(), nullCol("a", "text"), &schema.Column{Name: "b", Type: scalar("bigint"), Identity: schema.IdentityByDefault},
					&schema.Column{Name: "c", Type: schema.Scalar{Name: "character varying", Size: 20}}, col("d", "text"), col("e", "integer")))
			},
			want: func() *schema.Metadata {
				return meta(t, nil, table("t", id(), col("a", "text"), col("b", "bigint"),
					&schema.Column{Name: "c", Type: schema.Scalar{Name: "character varying", Size: 10}},
					&schema.Column{Name: "d", Type: scalar("text"), Comment: "hi", ServerDefault: "'x'"}, col("e", "bigint")))
			},
			ops: []string{"alter column t.a (nullable)", "alter column t.b (identity)", "alter column t.c (type)",
				"alter column t.d (default, comment)", "alter column t.e (type)"},
			destructive: []string{"makes column t.a NOT NULL: fails if it holds NULLs",
				"narrows column t.c from character varying(20) to character varying(10): values that do not fit fail the migration or are cut"},
		},
		{
			name: "table comment",
			live: func() *schema.Metadata { return meta(t, nil, table("t", id())) },
			want: func() *schema.Metadata {
				tb := table("t", id())
				tb.Comment = "things"
				return meta(t, nil, tb)
			},
			ops: []string{"alter table t comment"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := compareAll(t, tc.live(), tc.want())
			if got := opNames(d.Ops); !slices.Equal(got, tc.ops) {
				t.Errorf("ops\n got %q\nwant %q", got, tc.ops)
			}
			var destructive []string
			for _, op := range d.Ops {
				if why := migrate.Destructive(op); why != "" {
					destructive = append(destructive, why)
				}
			}
			if !slices.Equal(destructive, tc.destructive) {
				t.Errorf("destructive\n got %q\nwant %q", destructive, tc.destructive)
			}
			if _, err := d.Reverse(); err != nil {
				t.Errorf("reverse: %v", err)
			}
		})
	}
}

func TestCompareRenameHints(t *testing.T) {
	live := meta(t, gender("A", "B"), table("t", col("id", "bigint"), col("name", "text"), col("n", "integer")))
	want := meta(t, gender("A", "C"), table("t", col("id", "bigint"), col("full_name", "text"), col("m", "bigint")))
	d := compareAll(t, live, want)
	var codes []string
	for _, h := range d.Hints {
		codes = append(codes, h.Code)
	}
	wantCodes := []string{
		`migrate.RenameEnumValue{Enum: "gender", From: "B", To: "C"},`,
		`migrate.RenameColumn{Table: "t", From: "name", To: "full_name"},`,
	}
	if !slices.Equal(codes, wantCodes) {
		t.Errorf("hints\n got %q\nwant %q", codes, wantCodes)
	}
}

// TestCompareKeysDoNotCollide compares objects whose names hold the
// characters a joined key would have used as separators: each is its own
// object.
func TestCompareKeysDoNotCollide(t *testing.T) {
	cols := func() []*schema.Column {
		return []*schema.Column{col("id", "bigint"), col("a,b", "text"), col("a", "text"), col("b", "text"), col("a|b", "text"), col("c", "text")}
	}
	tests := []struct {
		name       string
		live, want func(tb *schema.Table)
		ops        []string
	}{
		{"index on a,b vs index on (a, b)",
			func(tb *schema.Table) { tb.Indexes = []*schema.Index{idx("ix_1", "a,b")} },
			func(tb *schema.Table) { tb.Indexes = []*schema.Index{idx("ix_1", "a", "b")} },
			[]string{"drop index ix_1 on t", "create index ix_1 on t"}},
		{"index on a|b vs a partial index",
			func(tb *schema.Table) { tb.Indexes = []*schema.Index{idx("ix_1", "a|b")} },
			func(tb *schema.Table) {
				tb.Indexes = []*schema.Index{{Name: "ix_1", Columns: []string{"a"}, Where: "b"}}
			},
			[]string{"drop index ix_1 on t", "create index ix_1 on t"}},
		{"operator class on one key vs the other",
			func(tb *schema.Table) {
				tb.Indexes = []*schema.Index{{Name: "ix_1", Columns: []string{"a", "b"}, OpClasses: []string{"text_pattern_ops", ""}}}
			},
			func(tb *schema.Table) {
				tb.Indexes = []*schema.Index{{Name: "ix_1", Columns: []string{"a", "b"}, OpClasses: []string{"", "text_pattern_ops"}}}
			},
			[]string{"drop index ix_1 on t", "create index ix_1 on t"}},
		{"default operator classes spelled or not",
			func(tb *schema.Table) {
				tb.Indexes = []*schema.Index{{Name: "ix_1", Columns: []string{"a"}, OpClasses: []string{""}}}
			},
			func(tb *schema.Table) { tb.Indexes = []*schema.Index{idx("ix_1", "a")} },
			nil},
		{"index method",
			func(tb *schema.Table) {
				tb.Indexes = []*schema.Index{{Name: "ix_1", Columns: []string{"a"}, Method: "btree"}}
			},
			func(tb *schema.Table) {
				tb.Indexes = []*schema.Index{{Name: "ix_1", Columns: []string{"a"}, Method: "hash"}}
			},
			[]string{"drop index ix_1 on t", "create index ix_1 on t"}},
		{"unique on a,b vs unique on (a, b)",
			func(tb *schema.Table) { tb.Uniques = []*schema.Unique{{Name: "uq_1", Columns: []string{"a,b"}}} },
			func(tb *schema.Table) { tb.Uniques = []*schema.Unique{{Name: "uq_1", Columns: []string{"a", "b"}}} },
			[]string{"drop unique uq_1 on t", "add unique uq_1 on t"}},
		{"foreign key from a,b vs from (a, b)",
			func(tb *schema.Table) {
				tb.ForeignKeys = []*schema.ForeignKey{{Name: "fk_1", Columns: []string{"a,b"}, RefTable: "p", RefColumns: []string{"x,y"}}}
			},
			func(tb *schema.Table) {
				tb.ForeignKeys = []*schema.ForeignKey{{Name: "fk_1", Columns: []string{"a", "b"}, RefTable: "p", RefColumns: []string{"x", "y"}}}
			},
			[]string{"drop foreign key fk_1 on t", "add foreign key fk_1 on t"}},
	}
	parent := func() *schema.Table {
		return table("p", col("x,y", "text"), col("x", "text"), col("y", "text"))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, w := table("t", cols()...), table("t", cols()...)
			tc.live(l)
			tc.want(w)
			d := compareAll(t, meta(t, nil, parent(), l), meta(t, nil, parent(), w))
			if got := opNames(d.Ops); !slices.Equal(got, tc.ops) {
				t.Errorf("ops\n got %q\nwant %q", got, tc.ops)
			}
		})
	}
}

// compareAll compares with a scope that drops whatever want lacks, as
// autogenerate does for what its revisions created.
func compareAll(t *testing.T, live, want *schema.Metadata) *migrate.Diff {
	t.Helper()
	d, err := migrate.Compare(live, want, migrate.Scope{DropUnmanaged: true})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
