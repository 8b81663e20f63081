package migrate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// applyEnumOps plays enum ops on a list of values the way PostgreSQL would.
func applyEnumOps(t *testing.T, values []string, ops []migrate.Op) []string {
	t.Helper()
	for _, op := range ops {
		switch op := op.(type) {
		case migrate.AddEnumValue:
			at := len(values)
			if op.Before != "" {
				at = slices.Index(values, op.Before)
			} else if op.After != "" {
				at = slices.Index(values, op.After) + 1
			}
			if at < 0 || (op.After != "" && at == 0) {
				t.Fatalf("%s: anchor missing from %v", op, values)
			}
			values = slices.Insert(values, at, op.Value)
		case migrate.RecreateEnum:
			if !slices.Equal(op.From, values) {
				t.Fatalf("%s from %v, but the type holds %v", op, op.From, values)
			}
			values = slices.Clone(op.To)
		default:
			t.Fatalf("unexpected op %s", op)
		}
	}
	return values
}

// FuzzEnumDiff checks that the enum ops Compare finds, and their reverse,
// turn any value list into any other.
func FuzzEnumDiff(f *testing.F) {
	f.Add("a,b,c", "a,x,b,c,y")
	f.Add("a,b", "x,a,b")
	f.Add("a,b,c", "c,b,a")
	f.Add("a,b,c", "a,c")
	f.Add("a", "b")
	f.Fuzz(func(t *testing.T, live, want string) {
		lv, wv := enumValues(live), enumValues(want)
		if len(lv) == 0 || len(wv) == 0 || slices.Equal(lv, wv) {
			return
		}
		lm := meta(t, []*schema.Enum{{Name: "e", Values: lv}})
		wm := meta(t, []*schema.Enum{{Name: "e", Values: wv}})
		d := compareAll(t, lm, wm)
		if got := applyEnumOps(t, slices.Clone(lv), d.Ops); !slices.Equal(got, wv) {
			t.Fatalf("%v -> ops %v -> %v, want %v", lv, opNames(d.Ops), got, wv)
		}
		back, err := d.Reverse()
		if err != nil {
			t.Fatal(err)
		}
		if got := applyEnumOps(t, slices.Clone(wv), back); !slices.Equal(got, lv) {
			t.Fatalf("reverse: %v -> %v, want %v", wv, got, lv)
		}
	})
}

// enumValues splits a comma list into distinct, non-empty values.
func enumValues(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
