package orm

import (
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
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
	if !fr.f.final {
		// The fields change below and the histories are retaken: a later
		// failure or Rollback of the transaction puts both back.
		for _, st := range fr.visited {
			if st.status == Persistent {
				fr.f.journal(st)
			}
		}
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
	_, unknown := g.childKey.keyIn(child, child.obj) // a key whose parent the session does not hold
	unknown = unknown && l.to.IsNil()
	for _, rb := range g.childSides {
		rb.setOne(child.obj, l.to)
		if child.relLoaded |= bit(rb.idx); unknown {
			child.relLoaded &^= bit(rb.idx)
		}
	}
	for _, rb := range g.parentSides {
		for _, old := range [2]mem.Ptr{l.old, l.from} {
			if !old.IsNil() && old != l.to {
				rb.detach(old, child.obj)
			}
		}
		if !l.to.IsNil() && !(l.inTo && l.via == rb) {
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
	var gone map[mem.Ptr]bool
	for _, a := range fr.f.actions {
		if a.kind == actDelete {
			if gone == nil {
				gone = map[mem.Ptr]bool{}
			}
			gone[a.st.obj] = true
		}
	}
	if gone != nil {
		dropGone(fr.visited, gone)
	}
}

// dropGone removes the objects of gone from the fields of states that hold
// them (see dropDeleted).
func dropGone(states []*state, gone map[mem.Ptr]bool) {
	for _, st := range states {
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
	ptrs []mem.Ptr
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
			case !rb.one(st.obj).IsNil():
				st.relLoaded |= bit(i)
			case inserted && rb.fk.hasKey(st):
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
func carve(arena, ps []mem.Ptr) ([]mem.Ptr, []mem.Ptr) {
	if len(ps) == 0 {
		return nil, arena
	}
	if cap(arena)-len(arena) < len(ps) {
		arena = make([]mem.Ptr, 0, max(256, 2*cap(arena), len(ps)))
	}
	lo := len(arena)
	arena = append(arena, ps...)
	return arena[lo:len(arena):len(arena)], arena
}

// Rows moved by another transaction. A load that brings a held object new
// values (a query of a clean object, a refresh) may bring a new foreign
// key: another transaction moved the row. The session's fields then follow
// the row, as a flush's settle does for moves it writes, so that no later
// flush reads the stale reference or collection as the program's change
// (and puts the row back, or deletes it as an orphan).

// movedKeys returns, as bits by position in st.m.childOf, the foreign keys
// whose value the loaded row p changes (none for most loads), and for
// those the parent each named: the reference, else the parent the session
// holds for the old key. A key whose reference the program changed since
// is left out unless the load refreshes: the program's change stands, and
// the next flush writes it; a refresh puts such a reference back even when
// the key it loads is the one it had.
func (s *Session) movedKeys(st *state, p mem.Ptr, held onHeld) (uint64, []mem.Ptr) {
	var moved uint64
	var from []mem.Ptr
	for i, g := range st.m.childOf {
		if i >= 64 || st.snap.IsNil() {
			break
		}
		was, wok := g.childKey.stored(st.snap)
		now, nok := g.childKey.stored(p)
		// A refresh also undoes a reference the program pointed elsewhere
		// (the key it loads may be the one it had).
		if changed := g.referenceChanged(s, st); wok == nok && was == now && !(held == takeRow && changed) || held == keepChanges && changed {
			continue
		}
		if from == nil {
			from = make([]mem.Ptr, len(st.m.childOf))
		}
		moved |= 1 << uint(i)
		from[i] = g.parentOf(s, st.snap)
		for _, rb := range g.childSides {
			if r := rb.one(st.obj); !r.IsNil() {
				from[i] = r
			}
		}
	}
	return moved, from
}

// referenceChanged reports whether the program pointed a reference of g
// held by st elsewhere since it was loaded or flushed.
func (g *fkGroup) referenceChanged(s *Session, st *state) bool {
	for _, rb := range g.childSides {
		if (&manyToOne{rb}).changed(s, st) {
			return true
		}
	}
	return false
}

// rehome makes the fields follow the keys moved (see movedKeys) of st,
// whose new values are in place: its references name the parent the
// session holds for the new key (nil and not loaded when it holds none),
// and it leaves the old parent's fields for the new parent's, both
// parents' histories adjusted alike.
func (s *Session) rehome(st *state, moved uint64, from []mem.Ptr) {
	for i, g := range st.m.childOf {
		if i >= 64 || moved&(1<<uint(i)) == 0 {
			continue
		}
		to := g.parentOf(s, st.obj)
		for _, rb := range g.childSides {
			rb.setOne(st.obj, to)
			if st.relLoaded |= bit(rb.idx); to.IsNil() && g.hasKey(st) {
				st.relLoaded &^= bit(rb.idx)
			}
		}
		for _, pb := range g.parentSides {
			if !from[i].IsNil() && from[i] != to {
				s.leave(pb, from[i], st.obj)
			}
			if !to.IsNil() {
				s.join(pb, to, st.obj)
			}
		}
	}
}

// leave takes child out of owner's field pb and out of its history.
func (s *Session) leave(pb *relBase, owner, child mem.Ptr) {
	pb.detach(owner, child)
	if os := s.stateOf(pb.owner, owner); os != nil && slices.Contains(os.seenOf(pb.idx), child) {
		os.setSeen(pb.idx, removePtr(os.seenOf(pb.idx), child))
	}
}

// join puts child in owner's field pb and in its history.
func (s *Session) join(pb *relBase, owner, child mem.Ptr) {
	pb.attach(owner, child)
	if os := s.stateOf(pb.owner, owner); os != nil && !slices.Contains(os.seenOf(pb.idx), child) {
		seen := os.seenOf(pb.idx)
		if !pb.r.Uselist {
			seen = nil // a one-to-one holds one child
		}
		os.setSeen(pb.idx, append(slices.Clip(seen), child))
	}
}
