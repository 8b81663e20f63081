package orm

import (
	"testing"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// TestLoadedAt: the loaded state of an object is found by its address,
// whether the list is short (scanned) or long (indexed, the index extended
// by states loaded after it was built and rebuilt after the list is
// filtered); a detached state is never returned, an earlier live one of the
// same object is.
func TestLoadedAt(t *testing.T) {
	for _, n := range []int{10, 200} {
		objs := make([]int64, n+3)
		s := &Session{db: &DB{}}
		for i := range n {
			s.loaded = append(s.loaded, &state{obj: mem.Of(&objs[i]), status: Persistent})
		}
		for i := range n {
			if st := s.loadedAt(mem.Of(&objs[i])); st == nil || st != s.loaded[i] {
				t.Fatalf("n=%d: object %d: got %p, want %p", n, i, st, s.loaded[i])
			}
		}
		if st := s.loadedAt(mem.Of(&objs[n])); st != nil {
			t.Fatalf("n=%d: an object never loaded found %p", n, st)
		}
		// Loaded after the index was built.
		later := &state{obj: mem.Of(&objs[n]), status: Persistent}
		s.loaded = append(s.loaded, later)
		if st := s.loadedAt(later.obj); st != later {
			t.Fatalf("n=%d: a state loaded later: got %p, want %p", n, st, later)
		}
		// A detached state after a live one of the same object.
		s.loaded = append(s.loaded, &state{obj: mem.Of(&objs[0]), status: detached})
		if st := s.loadedAt(mem.Of(&objs[0])); st != s.loaded[0] {
			t.Fatalf("n=%d: behind a detached state: got %p, want %p", n, st, s.loaded[0])
		}
		// Only detached.
		s.loaded[1].status = detached
		if st := s.loadedAt(mem.Of(&objs[1])); st != nil {
			t.Fatalf("n=%d: a detached state was returned", n)
		}
		// The list filtered: the states moved. (These states have no model
		// to put them in the identity map by.)
		s.indexed = len(s.loaded)
		s.filterLoaded(func(st *state) bool { return st.status == detached })
		if st := s.loadedAt(mem.Of(&objs[2])); st == nil || st.obj != mem.Of(&objs[2]) {
			t.Fatalf("n=%d: after filterLoaded: got %p", n, st)
		}
		if st := s.loadedAt(later.obj); st != later {
			t.Fatalf("n=%d: after filterLoaded, the later state: got %p", n, st)
		}
	}
}
