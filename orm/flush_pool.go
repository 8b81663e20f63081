package orm

import (
	"slices"
	"sync"
)

// flushPool keeps the storage of large flushes (action slabs, action
// lists, journals) between flushes of all the DB's sessions, zeroed. A
// session keeps only small storage for its next flush (maxKeptActions,
// keptJournal), so that it holds no per-object flush bookkeeping once a
// flush is done; without the pool a program committing many objects at a
// time would allocate that storage again on every Commit.
type flushPool struct {
	chunks   bigPool[action]  // action slabs of exactly maxKeptActions, cut as a flush grows
	slabs    bigPool[action]  // action slabs sized for a flush of many rows
	lists    bigPool[*action] // flush.actions
	journals bigPool[undo]
}

// maxPooled bounds the slices the pool keeps (in elements): larger ones,
// the storage of flushes of tens of thousands of rows, are left to the
// garbage collector rather than kept alive by the pool until its next
// cycles.
const maxPooled = 4096

// bigPool is a pool of slices of one element type, each empty and zeroed.
type bigPool[E any] struct{ p sync.Pool }

// get returns an empty slice with room for n elements: a pooled one when
// it is large enough (a smaller one is dropped), else a new one.
func (b *bigPool[E]) get(n int) []E {
	if v, _ := b.p.Get().(*[]E); v != nil && cap(*v) >= n {
		return (*v)[:0]
	}
	return make([]E, 0, n)
}

// put zeroes s (so that the pool holds no reference into a session) and
// keeps it for the next get, unless it is larger than maxPooled.
func (b *bigPool[E]) put(s []E) {
	if cap(s) > maxPooled {
		return
	}
	s = s[:cap(s)]
	clear(s)
	s = s[:0]
	b.p.Put(&s)
}

// actionList returns an empty action list with room for n, from old when
// it is large enough, else from the room inline or the pool.
func (p *flushPool) actionList(old, inline []*action, n int) []*action {
	if n > maxKeptActions && cap(old) < n {
		return p.lists.get(n)
	}
	return reuse(old, inline, n)
}

// actionSlab is actionList for the action slab.
func (p *flushPool) actionSlab(old, inline []action, n int) []action {
	if n > maxKeptActions && cap(old) < n {
		return p.slabs.get(n)
	}
	return reuse(old, inline, n)
}

// nextSlab returns the slab that follows f's full one: twice its size up
// to maxKeptActions, the last size taken from the pool (when f belongs to
// a session).
func (f *flush) nextSlab() []action {
	n := min(max(8, 2*cap(f.slab)), maxKeptActions)
	if n < maxKeptActions || f.s == nil {
		return make([]action, 0, n)
	}
	return f.s.db.flushes.chunks.get(n)
}

// give takes back a finished flush's slab: chunks of maxKeptActions go to
// chunks, larger slabs to slabs.
func (p *flushPool) give(slab []action) {
	switch {
	case cap(slab) == maxKeptActions:
		p.chunks.put(slab)
	case cap(slab) > maxKeptActions:
		p.slabs.put(slab)
	}
}

// growJournal returns j with room for n more entries: a large journal is
// taken from the pool (the old one going back), a small one grown.
func (p *flushPool) growJournal(j []undo, n int) []undo {
	want := len(j) + n
	if cap(j) >= want {
		return j
	}
	if want <= keptJournal {
		return slices.Grow(j, n)
	}
	bigger := append(p.journals.get(want), j...)
	if cap(j) > keptJournal {
		p.journals.put(j)
	} else {
		clear(j)
	}
	return bigger
}

// dropJournal takes back a finished transaction's journal when it is too
// large for the session to keep, returning what the session keeps.
func (p *flushPool) dropJournal(j []undo) []undo {
	if cap(j) > keptJournal {
		p.journals.put(j)
		return nil
	}
	clear(j[:cap(j)])
	return j[:0]
}
