package orm

import (
	"math/bits"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// ptrIndex finds pending states by their object's address (the session's
// pending index): open addressing with linear probing over a
// power-of-two table at most three quarters full, hashed from the address, which
// is stable (the garbage collector does not move heap objects, and an
// object a session holds is on the heap). It is cheaper to fill and to
// probe than a map, and smaller. The zero ptrIndex is off: it holds
// nothing and finds nothing.
type ptrIndex struct {
	slots []*state
	n     int
	shift uint8 // 64 - log2(len(slots))

	// spare, when set, is where tables come from and go back to, so that
	// a session indexing thousands of pending objects does not regrow its
	// table from scratch every time (the DB's spares, set by the session).
	spare *spares[*state]
}

// on reports whether the index is built.
func (x *ptrIndex) on() bool { return x.slots != nil }

// reset builds the index over list, or turns it off when list is nil.
func (x *ptrIndex) reset(list []*state) {
	if list == nil {
		x.drop(x.slots)
		*x = ptrIndex{spare: x.spare}
		return
	}
	if size := tableSize(len(list)); size > len(x.slots) || size < len(x.slots)/4 {
		x.alloc(size)
	} else {
		clear(x.slots)
		x.n = 0
	}
	for _, st := range list {
		x.put(st)
	}
}

// tableSize is the table length for n entries: a power of two above
// 1.5n, and at least 32.
func tableSize(n int) int { return max(32, 1<<bits.Len(uint(n+n/2))) }

// alloc gives the index an empty table of size slots (the old table
// goes back to spare: the caller must not use it after).
func (x *ptrIndex) alloc(size int) {
	old := x.slots
	if x.spare != nil {
		x.slots = x.spare.get(size)[:size] // cleared by put
	} else {
		x.slots = make([]*state, size)
	}
	x.n = 0
	x.shift = uint8(64 - bits.TrailingZeros(uint(size)))
	x.drop(old)
}

// drop gives a table the index no longer uses back to spare.
func (x *ptrIndex) drop(slots []*state) {
	if x.spare != nil && slots != nil {
		giveBack(x.spare, slots)
	}
}

// grow doubles the table.
func (x *ptrIndex) grow() {
	old := x.slots
	x.slots = nil // alloc must not give it back before it is rehashed
	x.alloc(2 * len(old))
	for _, st := range old {
		if st != nil {
			x.put(st)
		}
	}
	x.drop(old)
}

// home returns the slot where a search for p starts.
func (x *ptrIndex) home(p mem.Ptr) int {
	return int((uint64(p.Uintptr()) * 0x9E3779B97F4A7C15) >> x.shift)
}

// get returns the state of the object at p, or nil.
func (x *ptrIndex) get(p mem.Ptr) *state {
	if x.n == 0 {
		return nil
	}
	mask := len(x.slots) - 1
	for i := x.home(p); ; i = (i + 1) & mask {
		if st := x.slots[i]; st == nil || st.obj == p {
			return st
		}
	}
}

// put indexes st by its object, replacing the state indexed for it.
func (x *ptrIndex) put(st *state) {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.grow()
	}
	mask := len(x.slots) - 1
	for i := x.home(st.obj); ; i = (i + 1) & mask {
		switch cur := x.slots[i]; {
		case cur == nil:
			x.slots[i] = st
			x.n++
			return
		case cur.obj == st.obj:
			x.slots[i] = st
			return
		}
	}
}

// del removes the object at p. The entries after it in its run move back
// when their search starts at or before the freed slot (backward shift
// deletion), so that no search stops short of them.
func (x *ptrIndex) del(p mem.Ptr) {
	if x.n == 0 {
		return
	}
	mask := len(x.slots) - 1
	i := x.home(p)
	for ; x.slots[i] == nil || x.slots[i].obj != p; i = (i + 1) & mask {
		if x.slots[i] == nil {
			return
		}
	}
	x.slots[i] = nil
	x.n--
	for j := (i + 1) & mask; x.slots[j] != nil; j = (j + 1) & mask {
		k := x.home(x.slots[j].obj)
		// Entry j stays when its home is cyclically in (i, j].
		if i < j && i < k && k <= j || i > j && (k > i || k <= j) {
			continue
		}
		x.slots[i], x.slots[j] = x.slots[j], nil
		i = j
	}
}
