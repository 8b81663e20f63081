package orm

import (
	"cmp"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// The journal lets a failed flush, a failed commit or a Rollback put the
// session back as it was when the transaction (or savepoint) began, in the
// spirit of SQLAlchemy's SessionTransaction._restore_snapshot. Each flush
// records, before it writes into an object or changes its state, an undo
// entry: the state as it was, the columns it filled that were zero (keys
// and server defaults read back, client defaults applied), and a copy of
// columns it overwrote (version counters, onupdate values).

type undo struct {
	st    *state
	prev  *state      // the state before the flush changed it; nil in a final flush
	saved mem.Ptr     // copy of the object holding the overwritten columns
	zero  uint64      // columns (positions below 64) to set back to zero
	over  uint64      // columns (positions below 64) to copy back from saved
	wide  *[2]colSet  // zero and over for every position, in tables that wide
	rels  [][]mem.Ptr // the relationship fields before a Before hook ran (keepRelations)
}

// The two column sets of an undo entry.
const (
	undoZero = iota
	undoOver
)

// mark adds column position pos to set which of u.
func (u *undo) mark(which, pos int) {
	if pos >= 64 {
		if u.wide == nil {
			u.wide = new([2]colSet)
		}
		u.wide[which].add(pos)
		return
	}
	if which == undoZero {
		u.zero |= 1 << pos
	} else {
		u.over |= 1 << pos
	}
}

// marked reports whether column position pos is in set which of u.
func (u *undo) marked(which, pos int) bool {
	switch {
	case pos >= 64:
		return u.wide != nil && u.wide[which].has(pos)
	case which == undoZero:
		return u.zero&(1<<pos) != 0
	}
	return u.over&(1<<pos) != 0
}

// journal returns the flush's undo entry for st, creating it on first use.
func (f *flush) journal(st *state) *undo {
	t := f.s.tx
	if st.flushID == f.id && st.jidx >= 0 {
		return &t.journal[st.jidx]
	}
	u := undo{st: st}
	if !f.final {
		// A flush that does not end the transaction changes states that a
		// later failure must put back; a final flush changes states only
		// once its COMMIT has succeeded.
		u.prev = f.s.newState(st.m, st.obj)
		*u.prev = *st
	}
	if len(t.journal) == cap(t.journal) {
		// Room for every action of the flush at once: one growth a flush.
		t.journal = f.s.db.flushes.growJournal(t.journal, len(f.actions))
	}
	t.journal = append(t.journal, u)
	st.at(f.id)
	st.jidx = int32(len(t.journal) - 1)
	return &t.journal[st.jidx]
}

// filled records that the flush is about to fill column c of st, which is
// zero now.
func (f *flush) filled(st *state, c *column) { f.journal(st).mark(undoZero, c.pos) }

// overwrite records the current value of column c of st before the flush
// replaces it.
func (f *flush) overwrite(st *state, c *column) {
	u := f.journal(st)
	if u.saved.IsNil() {
		u.saved = f.s.snapChunk(st.m).next()
	}
	if !u.marked(undoOver, c.pos) {
		c.copyTo(u.saved, st.obj)
		u.mark(undoOver, c.pos)
	}
}

// keepRelations records st's relationship fields before a Before hook may
// change them: each to-one's target, a copy of each collection's elements.
func (f *flush) keepRelations(st *state) {
	u := f.journal(st)
	if u.rels != nil || len(st.m.rules) == 0 {
		return
	}
	u.rels = make([][]mem.Ptr, len(st.m.rules))
	for i, ru := range st.m.rules {
		if rb := ru.base(); rb.r.Field.Many {
			u.rels[i] = slices.Clone(rb.many(st.obj))
		} else {
			u.rels[i] = []mem.Ptr{rb.one(st.obj)}
		}
	}
}

// restoreRelations puts back the fields keepRelations recorded.
func (u *undo) restoreRelations() {
	for i, ru := range u.st.m.rules {
		if rb := ru.base(); rb.r.Field.Many {
			rb.setMany(u.st.obj, u.rels[i])
		} else {
			rb.setOne(u.st.obj, u.rels[i][0])
		}
	}
}

// restore replays the journal back to entry mark, newest first, and
// rebuilds the session's collections for the states it touched.
func (s *Session) restore(mark int) {
	if s.tx == nil || len(s.tx.journal) <= mark {
		return
	}
	entries := s.tx.journal[mark:]
	touched := make(map[*state]struct{}, len(entries))
	for i := range entries {
		st := entries[i].st
		touched[st] = struct{}{}
		s.idmap.del(st.id(), st)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		entries[i].apply()
	}
	s.relink(entries, touched)
	clear(entries)
	s.tx.journal = s.tx.journal[:mark]
}

// apply puts one entry's object columns and state back. A mark for
// deletion is the caller's intent, not the flush's doing: it survives the
// replay, so that an object deleted in the transaction is marked again.
func (u *undo) apply() {
	for _, c := range u.st.m.cols {
		if u.marked(undoZero, c.pos) {
			c.setZero(u.st.obj)
		}
		if u.marked(undoOver, c.pos) {
			c.copyTo(u.st.obj, u.saved)
		}
	}
	if u.rels != nil {
		u.restoreRelations()
	}
	if u.prev == nil {
		return
	}
	marked := u.st.deleting
	*u.st = *u.prev
	u.st.deleting = u.st.deleting || marked
}

// relink rebuilds the pending list, the loaded list and the identity map
// for the touched states, in linear time.
func (s *Session) relink(entries []undo, touched map[*state]struct{}) {
	keep := func(st *state) bool { _, ok := touched[st]; return ok }
	s.pending = slices.DeleteFunc(s.pending, keep)
	s.filterLoaded(keep)
	for i := range entries {
		st := entries[i].st
		if _, ok := touched[st]; !ok {
			continue // seen
		}
		delete(touched, st)
		switch st.status {
		case Pending:
			s.pending = append(s.pending, st)
		case Persistent:
			s.idmap.put(st.id(), st)
			s.loaded = append(s.loaded, st)
		}
	}
	slices.SortFunc(s.pending, func(a, b *state) int { return cmp.Compare(a.ord, b.ord) })
	s.byPtr = nil
	if len(s.pending) > pendingIndex {
		s.byPtr = make(map[mem.Ptr]*state, len(s.pending))
		for _, st := range s.pending {
			s.byPtr[st.obj] = st
		}
	}
}

// committed ends the journal after a successful COMMIT: deleted objects
// become detached.
func (s *Session) committed() {
	if s.tx == nil {
		return
	}
	for _, u := range s.tx.journal {
		if u.st.status == Deleted {
			u.st.status = detached
		}
	}
	// A large flush's undo records are not kept by the session.
	s.tx.journal = s.db.flushes.dropJournal(s.tx.journal)
}

// discard drops the changes the session holds for objects added after the
// Add counter seq (all of them for 0): those pending leave the session;
// every persistent object gets back its snapshot values and loses its mark
// for deletion.
func (s *Session) discard(seq uint64) {
	for _, st := range slices.Clone(s.pending) {
		if uint64(st.ord) > seq {
			s.expunge(st)
		}
	}
	for _, st := range s.loaded {
		if st.status == Persistent {
			st.deleting = false
			st.revert()
			s.revertRelations(st)
		}
	}
}

// revertRelations puts st's relationship fields back to their history, as
// its columns are put back to their snapshot: a collection (and the parent
// side of a one_to_one) holds again the targets it held when last loaded or
// flushed, and a reference names the parent its stored key names when the
// session holds it (else it is nil, and not loaded). Without it a move or a
// removal a Rollback discarded would be written by the next flush.
func (s *Session) revertRelations(st *state) {
	for i, ru := range st.m.rules {
		rb := ru.base()
		if r, ok := ru.(*manyToOne); ok {
			if !rb.fk.ident || !r.changed(s, st) {
				continue
			}
			parent := rb.fk.parentOf(s, st.snap)
			rb.setOne(st.obj, parent)
			if parent.IsNil() {
				st.relLoaded &^= bit(i)
			}
			continue
		}
		if seen := st.seenOf(i); !slices.Equal(rb.targets(st.obj), seen) {
			rb.setField(st.obj, slices.Clone(seen))
		}
	}
}
