package orm

import (
	"math/rand/v2"
	"testing"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// TestPtrIndexAgreesWithMap runs random puts and deletes (growth, runs
// that wrap around the table, backward shifts) against a map.
func TestPtrIndexAgreesWithMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	objs := make([]*int, 3000)
	for i := range objs {
		objs[i] = new(int)
	}
	var x ptrIndex
	want := map[mem.Ptr]*state{}
	x.reset([]*state{})
	for step := range 20000 {
		p := mem.Of(objs[r.IntN(len(objs))])
		if r.IntN(3) == 0 {
			x.del(p)
			delete(want, p)
		} else {
			st := &state{obj: p}
			x.put(st)
			want[p] = st
		}
		if step%1000 == 0 {
			for _, o := range objs {
				p := mem.Of(o)
				if got := x.get(p); got != want[p] {
					t.Fatalf("step %d: get = %p, want %p", step, got, want[p])
				}
			}
			if x.n != len(want) {
				t.Fatalf("step %d: %d entries, want %d", step, x.n, len(want))
			}
		}
	}
	x.reset(nil)
	if x.on() || x.get(mem.Of(objs[0])) != nil {
		t.Fatal("an index turned off still finds states")
	}
}
