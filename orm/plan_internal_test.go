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
		(&flush{}).dependsOn(after, deps[i], i == 3 || i == 65)
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
