package orm

import "testing"

// TestValueDeps: an action knows which of its dependencies its values come
// from; past the 64th dependency it takes every later one for such a
// dependency (the flush then waits for more results than it must, never
// fewer).
func TestValueDeps(t *testing.T) {
	after := &action{}
	deps := make([]*action, 70)
	for i := range deps {
		deps[i] = &action{}
		kind := orderOnly
		if i == 3 || i == 65 {
			kind = copiesValues
		}
		(&flush{}).dependsOn(after, deps[i], kind)
	}
	cases := []struct {
		name string
		dep  int
		want bool
	}{
		{"plain dependency", 0, false},
		{"value dependency", 3, true},
		{"plain after a value dependency", 4, false},
		{"last within the mask", 63, false},
		{"value dependency past the mask", 65, true},
		{"plain past the mask, taken for a value one", 66, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := after.valueDep(tc.dep); got != tc.want {
				t.Fatalf("valueDep(%d) = %v, want %v", tc.dep, got, tc.want)
			}
		})
	}
	if plain := (&action{deps: deps[:2]}); plain.valueDep(0) || plain.valueDep(1) {
		t.Fatal("an action without value dependencies reports one")
	}
}

// TestUndoColumnSets: an undo entry keeps the columns to zero and to copy
// back apart, for narrow tables in two words and for wide ones past the
// 64th column too.
func TestUndoColumnSets(t *testing.T) {
	cases := []struct {
		name  string
		which int
		pos   int
	}{
		{"first column to zero", undoZero, 0},
		{"64th column to copy back", undoOver, 63},
		{"65th column to zero", undoZero, 64},
		{"last column to copy back", undoOver, maxColumns - 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u undo
			u.mark(tc.which, tc.pos)
			other := undoZero + undoOver - tc.which
			for _, pos := range []int{0, 1, 62, 63, 64, 65, maxColumns - 1} {
				if got, want := u.marked(tc.which, pos), pos == tc.pos; got != want {
					t.Errorf("marked(%d) = %v, want %v", pos, got, want)
				}
				if u.marked(other, pos) {
					t.Errorf("position %d leaked into the other set", pos)
				}
			}
		})
	}
}

// TestSortRows: a batch's inserts go in Add order, its updates and deletes
// in key order (integer or encoded), whatever order they were collected in.
func TestSortRows(t *testing.T) {
	intModel := &model{ident: keyCodec{intKey: true}}
	strModel := &model{}
	states := func(m *model, ords []uint32, keys []int64, strs []string) []*action {
		acts := make([]*action, len(ords))
		for i := range acts {
			st := &state{m: m, ord: ords[i]}
			switch {
			case keys != nil:
				st.setID(idKey{m: m, n: keys[i]})
			case strs != nil:
				st.setID(idKey{m: m, s: strs[i]})
			}
			acts[i] = &action{st: st}
		}
		return acts
	}
	for _, tc := range []struct {
		name string
		kind actionKind
		acts []*action
		want []uint32 // the ords, in the order sorted
	}{
		{"insert by Add order", actInsert, states(intModel, []uint32{3, 1, 2}, nil, nil), []uint32{1, 2, 3}},
		{"update by integer key", actUpdate, states(intModel, []uint32{1, 2, 3}, []int64{30, -5, 7}, nil), []uint32{2, 3, 1}},
		{"delete by encoded key", actDelete, states(strModel, []uint32{1, 2, 3}, nil, []string{"b", "c", "a"}), []uint32{3, 1, 2}},
		{"already in order", actUpdate, states(intModel, []uint32{1, 2, 3}, []int64{1, 2, 3}, nil), []uint32{1, 2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &batch{kind: tc.kind, m: tc.acts[0].st.m, actions: tc.acts}
			sortRows(b)
			for i, a := range b.actions {
				if a.st.ord != tc.want[i] {
					t.Fatalf("row %d: ord %d, want order %v", i, a.st.ord, tc.want)
				}
			}
		})
	}
}
