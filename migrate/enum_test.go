package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// TestRecreateEnumConvertsRows recreates an enum type with a renamed and a
// removed value, converting a plain and an array column with their rows,
// and takes it back.
func TestRecreateEnumConvertsRows(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	cols := []migrate.EnumColumn{{Table: "people", Column: "mood", Default: &migrate.Change[string]{From: "'ok'::mood", To: "'ok'::mood"}}, {Table: "people", Column: "past", Array: true}}
	set := migrate.NewSet(
		migrate.Revision{ID: "a1", Upgrade: []migrate.Op{
			migrate.CreateEnum{Name: "mood", Values: []string{"sad", "ok", "meh"}},
			migrate.Execute{SQL: `CREATE TABLE people (id int, mood mood DEFAULT 'ok' NOT NULL, past mood[]);
				INSERT INTO people VALUES (1, 'sad', '{sad,ok}'), (2, 'ok', NULL)`},
		}},
		migrate.Revision{ID: "b2", Down: "a1", Upgrade: []migrate.Op{
			migrate.RecreateEnum{Name: "mood", From: []string{"sad", "ok", "meh"}, To: []string{"happy", "ok", "blue"},
				Renames: map[string]string{"sad": "blue"}, Columns: cols},
		}, Downgrade: []migrate.Op{
			migrate.RecreateEnum{Name: "mood", From: []string{"happy", "ok", "blue"}, To: []string{"sad", "ok", "meh"},
				Renames: map[string]string{"blue": "sad"}, Columns: cols},
		}},
	)
	r := migrate.NewRunner(pool, set)
	if _, err := r.Upgrade(ctx, "head"); err != nil {
		t.Fatal(err)
	}
	rows := func() string {
		var s string
		err := pool.QueryRow(ctx, `SELECT string_agg(mood::text || ':' || coalesce(past::text, '-'), ' ' ORDER BY id)
			|| ' ' || (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'mood'::regtype)
			|| ' ' || (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'people'::regclass AND adnum = 2)
			FROM people`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got, want := rows(), "blue:{blue,ok} ok:- happy,ok,blue 'ok'::mood"; got != want {
		t.Errorf("after upgrade: %q, want %q", got, want)
	}
	if _, err := r.Downgrade(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if got, want := rows(), "sad:{sad,ok} ok:- sad,ok,meh 'ok'::mood"; got != want {
		t.Errorf("after downgrade: %q, want %q", got, want)
	}
}

// TestRecreateEnumRefusesHeldValue removes a value rows still hold: the
// conversion fails and the revision rolls back.
func TestRecreateEnumRefusesHeldValue(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	set := migrate.NewSet(
		migrate.Revision{ID: "a1", Upgrade: []migrate.Op{
			migrate.CreateEnum{Name: "mood", Values: []string{"sad", "ok"}},
			migrate.Execute{SQL: "CREATE TABLE people (mood mood); INSERT INTO people VALUES ('sad')"},
		}},
		migrate.Revision{ID: "b2", Down: "a1", Upgrade: []migrate.Op{
			migrate.RecreateEnum{Name: "mood", From: []string{"sad", "ok"}, To: []string{"ok"},
				Columns: []migrate.EnumColumn{{Table: "people", Column: "mood"}}},
		}},
	)
	r := migrate.NewRunner(pool, set)
	_, err := r.Upgrade(ctx, "head")
	var oe *migrate.OpError
	if !errors.As(err, &oe) || oe.Revision != "b2" {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_enum WHERE enumtypid = 'mood'::regtype").Scan(&n); err != nil || n != 2 {
		t.Errorf("enum has %d values (%v): the failed revision was not rolled back", n, err)
	}
}

// TestRecreateEnumChangesDefault removes the enum value that is a column's
// default and makes another one the default: the conversion sets the new
// default itself (the old one cannot stay on the new type), and the
// downgrade sets the old one back.
func TestRecreateEnumChangesDefault(t *testing.T) {
	h := newHistory(t)
	mk := func(def string, vals ...string) *schema.Metadata {
		return meta(t, []*schema.Enum{{Name: "g", Values: vals}}, table("p", col("id", "bigint"),
			&schema.Column{Name: "g", Type: schema.EnumRef{Name: "g"}, ServerDefault: def},
			&schema.Column{Name: "gs", Type: schema.Array{Elem: schema.EnumRef{Name: "g"}}, ServerDefault: "'{}'"}))
	}
	before, after := mk("'U'", "M", "F", "U"), mk("'X'", "M", "F", "X")
	h.revise(before, "one")
	h.upgrade(before, "head")
	h.insert("INSERT INTO p (id, g, gs) VALUES (1, 'M', '{F,M}')")
	rev := h.revise(after, "two")
	if got := opNames(rev.Upgrade); !slicesEqual(got, []string{"recreate enum g"}) {
		t.Errorf("ops %q: the default change belongs to the conversion", got)
	}
	h.upgrade(after, "head")
	h.assertClean(after, "after upgrade")
	h.insert("INSERT INTO p (id) VALUES (2)")
	if n := h.count("SELECT count(*) FROM p WHERE g = 'X' AND gs = '{}'"); n != 1 {
		t.Errorf("new default: %d rows", n)
	}
	h.insert("DELETE FROM p WHERE id = 2")
	h.downgrade(after, "-1")
	h.assertCleanAt(before, "after downgrade", 1)
	if n := h.count("SELECT count(*) FROM p WHERE g = 'M' AND gs = '{F,M}'"); n != 1 {
		t.Errorf("rows lost in the round trip: %d", n)
	}
}

// TestNewEnumValueUsedAtOnce adds an enum value and makes it a default in
// one model change: autogenerate warns that the revision would fail, it
// does fail (rolled back, naming the revision and the op), and split the
// way the hint says, it applies.
func TestNewEnumValueUsedAtOnce(t *testing.T) {
	h := newHistory(t)
	mk := func(def string, vals ...string) *schema.Metadata {
		return meta(t, []*schema.Enum{{Name: "g", Values: vals}}, table("p", col("id", "bigint"),
			&schema.Column{Name: "g", Type: schema.EnumRef{Name: "g"}, ServerDefault: def}))
	}
	before, after := mk("'A'", "A", "B"), mk("'C'", "A", "B", "C")
	h.revise(before, "one")
	h.upgrade(before, "head")
	rev := h.revise(after, "two")
	if len(h.diff.Hints) != 1 || !strings.Contains(h.diff.Hints[0].Text, "enum g gains value C, which alter column p.g (default) already uses") {
		t.Errorf("hints %+v", h.diff.Hints)
	}
	_, err := h.runner(after).Upgrade(context.Background(), migrate.Head)
	var opErr *migrate.OpError
	if !errors.As(err, &opErr) || opErr.Revision != rev.ID || opErr.Op != "alter column p.g (default)" {
		t.Fatalf("upgrade: %v", err)
	}
	if cur, _ := h.runner(after).Current(context.Background()); len(cur) != 1 || cur[0] != h.revs[0].ID {
		t.Errorf("current %v after the failed revision", cur)
	}
	split := h.revs[1]
	h.revs[1] = migrate.Revision{ID: "add_c", Down: split.Down, Upgrade: split.Upgrade[:1], Downgrade: split.Downgrade[1:]}
	h.revs = append(h.revs, migrate.Revision{ID: "use_c", Down: "add_c", Upgrade: split.Upgrade[1:], Downgrade: split.Downgrade[:1]})
	h.upgrade(after, "head")
	h.assertClean(after, "after the split revisions")
	h.downgrade(after, "base")
	h.assertEmptySchema()
}

// TestRecreateEnumKeepsIndexesAndChecks changes the values of an enum type
// that a partial index, an expression index and a check name: the
// recreated type takes them over (PostgreSQL cannot convert an expression
// holding a value of the old type), in the search path's schema and in
// another, both ways, on a table with rows.
func TestRecreateEnumKeepsIndexesAndChecks(t *testing.T) {
	people := func(nsp string, values ...string) *schema.Metadata {
		mood := schema.EnumRef{Schema: nsp, Name: "mood"}
		tb := table("people", col("id", "bigint"), &schema.Column{Name: "mood", Type: mood},
			&schema.Column{Name: "past", Type: schema.Array{Elem: mood}, Nullable: true})
		tb.Schema = nsp
		tb.Indexes = []*schema.Index{
			{Name: "ix_people_happy", Columns: []string{"id"}, Where: "mood = 'happy'"},
			{Name: "ix_people_was_sad", Exprs: []string{"('sad' = ANY (past))"}},
		}
		tb.Checks = []*schema.Check{{Name: "ck_people_mood", Expr: "mood <> 'sad' OR id > 0"}}
		return meta(t, []*schema.Enum{{Schema: nsp, Name: "mood", Values: values}}, tb)
	}
	tests := []struct {
		name         string
		schema       string
		before, next []string
		ops          []string
	}{
		{"value added", "", []string{"happy", "sad", "meh"}, []string{"happy", "sad", "meh", "blue"},
			[]string{"add value blue to enum mood"}},
		{"value removed", "", []string{"happy", "sad", "meh"}, []string{"happy", "sad"},
			[]string{"recreate enum mood"}},
		{"value added in another schema", "sales", []string{"happy", "sad", "meh"}, []string{"happy", "sad", "meh", "blue"},
			[]string{"add value blue to enum sales.mood"}},
		{"values reordered in another schema", "sales", []string{"happy", "sad", "meh"}, []string{"sad", "happy", "meh"},
			[]string{"recreate enum sales.mood"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory(t)
			before, next := people(tc.schema, tc.before...), people(tc.schema, tc.next...)
			h.revise(before, "people")
			h.upgrade(before, migrate.Head)
			table := schema.QualifiedName(tc.schema, "people")
			if _, err := h.pool.Exec(context.Background(), "INSERT INTO "+table+" VALUES (1, 'happy', '{sad}'), (2, 'sad', NULL)"); err != nil {
				t.Fatal(err)
			}
			dependents := func(when string) {
				t.Helper()
				got := h.strings(`SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = $1::regclass
					AND (indpred IS NOT NULL OR indexprs IS NOT NULL)
					UNION ALL SELECT conname::text FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c'
					ORDER BY 1`, table)
				want := []string{"ck_people_mood", schema.QualifiedName(tc.schema, "ix_people_happy"), schema.QualifiedName(tc.schema, "ix_people_was_sad")}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s: indexes and checks %q, want %q", when, got, want)
				}
				if n := h.count("SELECT count(*) FROM " + table + " WHERE mood = 'happy' AND 'sad' = ANY (past)"); n != 1 {
					t.Errorf("%s: %d rows found through the indexes' expressions, want 1", when, n)
				}
			}
			rev := h.revise(next, "moods")
			if got := opNames(rev.Upgrade); strings.Join(got, " ") != strings.Join(tc.ops, " ") {
				t.Errorf("ops %q, want %q", got, tc.ops)
			}
			h.upgrade(next, migrate.Head)
			dependents("after upgrade")
			h.assertClean(next, "after upgrade")
			h.downgrade(before, "-1")
			dependents("after downgrade")
			h.revs = h.revs[:1] // as if the second revision had never been written
			h.assertClean(before, "after downgrade")
			h.downgrade(before, migrate.Base)
			h.assertEmptySchema()
		})
	}
}
