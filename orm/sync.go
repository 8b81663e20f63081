package orm

import (
	"slices"
	"unsafe"

	"github.com/crucible-orm/crucible/relation"
)

// Parent key → child foreign key copies (SQLAlchemy's sync.py), and the
// end of a flush: both sides of every relationship agree again and each
// object's relationship history is taken anew.

// sync copies the parents' keys into the foreign keys a's object writes,
// right before its values are read (generated keys of parents inserted
// earlier in the flush included); see relFlush.
func (fr *relFlush) sync(a *action) {
	if fr == nil {
		return
	}
	fr.claimsOf(a.st, func(c *claim) {
		if c.write {
			c.fk.sync(fr.f, c.child, c.to)
		}
	})
}

// after runs once the flush succeeded; see relFlush.
func (fr *relFlush) after() {
	if fr == nil {
		return
	}
	for i := range fr.claims {
		if c := &fr.claims[i]; c.link {
			fr.settle(c)
		}
	}
	for _, w := range fr.pairs {
		if w != nil {
			w.settle()
		}
	}
	fr.dropDeleted()
	fr.snapshot()
}

// settle makes both sides of a written key agree: the child's references
// name its parent (nil for a cleared key), and it leaves the fields of the
// parents it had and joins its new parent's.
func (fr *relFlush) settle(l *claim) {
	child := l.child
	if child.status != Persistent || !l.write && l.via == nil {
		return
	}
	g := l.fk
	_, unknown := g.childKey.key(child.obj) // a key whose parent the session does not hold
	unknown = unknown && l.to == nil
	for _, rb := range g.childSides {
		rb.r.SetOne(child.obj, l.to)
		if child.relLoaded |= bit(rb.idx); unknown {
			child.relLoaded &^= bit(rb.idx)
		}
	}
	for _, rb := range g.parentSides {
		for _, old := range [2]unsafe.Pointer{l.old, l.from} {
			if old != nil && old != l.to {
				rb.detach(old, child.obj)
			}
		}
		if l.to != nil && !(l.inTo && l.via == rb) {
			rb.attach(l.to, child.obj)
		}
	}
}

// dropDeleted removes the objects the flush deleted from every field that
// holds them. A reference that held one says nothing afterwards (it counts
// as not loaded): its row went with the parent or lost its key in the
// database (ON DELETE), or its key names a row that is gone, and a later
// flush must not read its nil as a removal.
func (fr *relFlush) dropDeleted() {
	var gone map[unsafe.Pointer]bool
	for _, a := range fr.f.actions {
		if a.kind == actDelete {
			if gone == nil {
				gone = map[unsafe.Pointer]bool{}
			}
			gone[a.st.obj] = true
		}
	}
	if gone == nil {
		return
	}
	for _, st := range fr.visited {
		if st.status != Persistent {
			continue
		}
		for _, ru := range st.m.rules {
			rb := ru.base()
			for _, t := range rb.targets(st.obj) {
				if gone[t] {
					rb.detach(st.obj, t)
					if rb.r.Side == relation.FKOnOwner {
						st.relLoaded &^= bit(rb.idx)
					}
				}
			}
		}
	}
}

// snapshot records every flushed object's relationships as of now (see
// historyArena.take).
func (fr *relFlush) snapshot() {
	h := &historyArena{}
	for _, st := range fr.visited {
		if st.status == Persistent {
			a := fr.f.actionOf(st)
			h.take(st, a != nil && a.kind == actInsert)
		}
	}
}

// historyArena allocates the histories one flush takes in a few blocks.
type historyArena struct {
	ptrs []unsafe.Pointer
	hdrs []relSeen
}

// take records st's relationships as of now: an inserted object's are all
// loaded (its fields are all there is) but for a nil reference whose key
// the program set, a reference that names a parent is known, and each
// collection's (and parent-side one_to_one's) targets are its new history.
func (h *historyArena) take(st *state, inserted bool) {
	if inserted {
		st.relLoaded = ^uint64(0)
	}
	var seen relSeen
	for i, ru := range st.m.rules {
		rb := ru.base()
		if rb.r.Side == relation.FKOnOwner {
			switch {
			case rb.r.One(st.obj) != nil:
				st.relLoaded |= bit(i)
			case inserted && rb.fk.hasKey(st.obj):
				// Written by its key alone: the reference was never loaded,
				// and its nil says nothing (it is no orphan).
				st.relLoaded &^= bit(i)
			}
			continue
		}
		cur := rb.targets(st.obj)
		if slices.Equal(cur, st.seenOf(i)) {
			continue
		}
		if seen == nil {
			n := len(st.m.rules)
			seen = st.withSeen(make(relSeen, n), n)
		}
		seen[i], h.ptrs = carve(h.ptrs, cur)
		if !rb.r.Uselist {
			st.relLoaded |= bit(i) // a unique key's child is the whole truth
		}
	}
	if seen != nil {
		if len(h.hdrs) == cap(h.hdrs) {
			h.hdrs = make([]relSeen, 0, max(16, 2*cap(h.hdrs)))
		}
		h.hdrs = append(h.hdrs, seen)
		st.relSeen = &h.hdrs[len(h.hdrs)-1]
	}
}

// carve copies ps into arena (grown as needed) and returns the copy, whose
// capacity ends at its length.
func carve(arena, ps []unsafe.Pointer) ([]unsafe.Pointer, []unsafe.Pointer) {
	if len(ps) == 0 {
		return nil, arena
	}
	if cap(arena)-len(arena) < len(ps) {
		arena = make([]unsafe.Pointer, 0, max(256, 2*cap(arena), len(ps)))
	}
	lo := len(arena)
	arena = append(arena, ps...)
	return arena[lo:len(arena):len(arena)], arena
}
