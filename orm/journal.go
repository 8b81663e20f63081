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
	st    *state      // nil for an entry of many inserted rows (rows)
	rows  *insertUndo // the rows of one INSERT, restored together
	prev  *state      // the state before the flush changed it; nil in a final flush
	saved mem.Ptr     // copy of the object holding the overwritten columns
	zero  uint64      // columns (positions below 64) to set back to zero
	over  uint64      // columns (positions below 64) to copy back from saved
	wide  *[2]colSet  // zero and over for every position, in tables that wide
	rels  [][]mem.Ptr // the relationship fields before a Before hook ran (keepRelations)
}

// insertUndo is the one journal entry of the rows of an INSERT statement
// that were plain pending objects (no relationships, no per-object
// options, nothing journaled before in the flush): a replay zeroes their
// cols (what the server filled) and makes them pending again, which is all
// a state copy per row would have put back. One entry for the statement
// keeps a flush of many new rows inside a transaction from holding an
// undo record and a copy of the state of every row until it ends.
type insertUndo struct {
	states []*state
	cols   []*column
}

// groupJournaled is the jidx of a state whose flush journaled it in an
// insertUndo entry.
const groupJournaled = -2

// plainInsert reports whether pending st can be journaled by its INSERT's
// insertUndo: making it pending again then restores every field the flush
// changes.
func (f *flush) plainInsert(st *state) bool {
	return st.status == Pending && st.more == nil && st.relSeen == nil && st.relLoaded == 0 &&
		len(st.m.rules) == 0 && !st.deleting && f.markOf(st).jidx == -1
}

// journalInserts records that the flush fills cols of the states of one
// INSERT: one insertUndo entry for the plain pending ones, entries of
// their own for the others.
func (f *flush) journalInserts(states []*state, cols []*column) {
	plain := states
	for i, st := range states {
		if !f.plainInsert(st) {
			plain = slices.Clone(states[:i])
			break
		}
	}
	if len(plain) < len(states) {
		for _, st := range states[len(plain):] {
			if f.plainInsert(st) {
				plain = append(plain, st)
				continue
			}
			for _, c := range cols {
				f.filled(st, c)
			}
		}
	}
	if len(plain) == 0 {
		return
	}
	for _, st := range plain {
		f.mark(st).jidx = groupJournaled
	}
	t := f.s.tx
	t.journal = append(t.journal, undo{rows: &insertUndo{states: plain, cols: cols}})
}

// each calls fn with the state of the entry, or each state of its rows.
func (u *undo) each(fn func(st *state)) {
	if u.rows == nil {
		fn(u.st)
		return
	}
	for _, st := range u.rows.states {
		fn(st)
	}
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
	if j := f.markOf(st).jidx; j >= 0 {
		return &t.journal[j]
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
		// Room for every action of the flush at once, taken on first use:
		// a flush whose rows need no entry of their own (updates of a
		// Commit, inserts journaled by insertUndo) holds no journal.
		f.s.growJournal(len(f.actions))
	}
	t.journal = append(t.journal, u)
	j := int32(len(t.journal) - 1)
	f.mark(st).jidx = j
	return &t.journal[j]
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
		entries[i].each(func(st *state) {
			touched[st] = struct{}{}
			s.idmap.del(st.id(), st)
		})
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
	if u.rows != nil {
		u.rows.apply()
		return
	}
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

// apply zeroes the filled columns of the rows and makes them pending
// again, as they were before their flush.
func (r *insertUndo) apply() {
	for _, st := range r.states {
		for _, c := range r.cols {
			c.setZero(st.obj)
		}
		st.status, st.snap, st.kp, st.kn, st.more = Pending, mem.Ptr{}, mem.Ptr{}, 0, nil
	}
}

// relink rebuilds the pending list, the loaded list and the identity map
// for the touched states, in linear time.
func (s *Session) relink(entries []undo, touched map[*state]struct{}) {
	keep := func(st *state) bool { _, ok := touched[st]; return ok }
	s.pending = slices.DeleteFunc(s.pending, keep)
	s.filterLoaded(keep)
	for i := range entries {
		entries[i].each(func(st *state) {
			if _, ok := touched[st]; !ok {
				return // seen
			}
			delete(touched, st)
			switch st.status {
			case Pending:
				s.pending = append(s.pending, st)
			case Persistent:
				s.idmap.put(st.id(), st)
				s.loaded = append(s.loaded, st)
			}
		})
	}
	slices.SortFunc(s.pending, func(a, b *state) int { return cmp.Compare(a.ord, b.ord) })
	s.byPtr.reset(nil)
	if len(s.pending) > pendingIndex {
		s.byPtr.reset(s.pending)
	}
}

// committed ends the journal after a successful COMMIT: deleted objects
// become detached.
func (s *Session) committed() {
	if s.tx == nil {
		return
	}
	for _, u := range s.tx.journal {
		if u.st != nil && u.st.status == Deleted { // rows of an insertUndo are not deleted
			u.st.status = detached
		}
	}
	clear(s.tx.journal)
	s.tx.journal = s.tx.journal[:0]
	if cap(s.tx.journal) > keptJournal {
		// A large flush's undo records are not kept by the session.
		s.db.spares.journals.keep(s.tx.journal)
		s.tx.journal = nil
	}
}

// growJournal makes room in the journal for n more entries; a large
// journal comes from the DB's spares.
func (s *Session) growJournal(n int) {
	j := s.tx.journal
	switch {
	case cap(j)-len(j) >= n:
		return
	case len(j)+n <= keptJournal:
		s.tx.journal = slices.Grow(j, n)
		return
	}
	s.tx.journal = append(s.db.spares.journals.get(max(len(j)+n, 2*len(j))), j...)
	if cap(j) > keptJournal {
		s.db.spares.journals.keep(j)
	}
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
