package orm

import "testing"

// TestSparesClearAndFit: a buffer given back is cleared (it keeps no
// state reachable) and handed out again only when it is large enough.
func TestSparesClearAndFit(t *testing.T) {
	var p spares[*state]
	st := &state{}
	b := p.get(300)
	if len(b) != 0 || cap(b) < 300 {
		t.Fatalf("get(300): len %d cap %d", len(b), cap(b))
	}
	b = append(b, st, st)
	p.put(b)
	got := p.get(10)
	if cap(got) < 10 || len(got) != 0 {
		t.Fatalf("get(10): len %d cap %d", len(got), cap(got))
	}
	for _, x := range got[:cap(got)] {
		if x != nil {
			t.Fatal("a pooled buffer still references a state")
		}
	}
	p.put(got)
	if big := p.get(cap(got) + 1); cap(big) < cap(got)+1 {
		t.Fatalf("get(%d) returned cap %d", cap(got)+1, cap(big))
	}
}
