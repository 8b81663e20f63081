package orm

import (
	"math/rand/v2"
	"testing"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// TestPtrIndexAgreesWithMap runs random puts and deletes (growth, runs
// that wrap around the table, backward shifts) against a map, with tables
// made and with tables taken from (and given back to) spares, where two
// indexes take turns so that one reuses the tables the other gave back.
func TestPtrIndexAgreesWithMap(t *testing.T) {
	t.Run("made", func(t *testing.T) { ptrIndexAgreesWithMap(t, nil) })
	t.Run("spares", func(t *testing.T) {
		sp := new(spares[*state])
		for range 3 {
			ptrIndexAgreesWithMap(t, sp)
		}
	})
}

func ptrIndexAgreesWithMap(t *testing.T, sp *spares[*state]) {
	r := rand.New(rand.NewPCG(1, 2))
	objs := make([]*int, 3000)
	for i := range objs {
		objs[i] = new(int)
	}
	x := ptrIndex{spare: sp}
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
