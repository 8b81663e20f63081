package orm

import "testing"

// TestBigPoolZeroes checks that pooled storage comes back empty and
// zeroed, so that no session's states stay reachable through the pool, and
// that a pooled slice too small for a request is not handed out.
func TestBigPoolZeroes(t *testing.T) {
	var p bigPool[*state]
	s := p.get(300)
	for range 300 {
		s = append(s, &state{})
	}
	p.put(s)
	got := p.get(300)
	if len(got) != 0 || cap(got) < 300 {
		t.Fatalf("got len %d cap %d, want an empty slice with room for 300", len(got), cap(got))
	}
	for i, st := range got[:cap(got)] {
		if st != nil {
			t.Fatalf("element %d still points to a state", i)
		}
	}
	p.put(make([]*state, 0, 10))
	if got := p.get(300); cap(got) < 300 {
		t.Fatalf("cap %d: a too small pooled slice was handed out", cap(got))
	}
}

// TestGrowJournal checks that growing a journal keeps its entries, in
// order, whether it stays small or moves to pooled storage.
func TestGrowJournal(t *testing.T) {
	var p flushPool
	var j []undo
	sts := make([]state, 200)
	for i := range sts {
		j = p.growJournal(j, 1+i%7)
		j = append(j, undo{st: &sts[i], zero: uint64(i)})
	}
	if len(j) != len(sts) {
		t.Fatalf("len %d, want %d", len(j), len(sts))
	}
	for i := range j {
		if j[i].st != &sts[i] || j[i].zero != uint64(i) {
			t.Fatalf("entry %d changed", i)
		}
	}
	if kept := p.dropJournal(j); kept != nil {
		t.Fatalf("a journal of %d entries was kept by the session", cap(j))
	}
	for i, u := range j[:cap(j)] {
		if u.st != nil {
			t.Fatalf("dropped journal entry %d still points to a state", i)
		}
	}
}
