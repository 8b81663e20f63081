package orm

import "sync"

// The lists a session builds row by row (its loaded and pending states,
// a load's rows) come from the same pools and go back when the session
// is closed or the load is done, so that a program running the same kind
// of session again and again does not regrow them each time.
//
// A flush's storage for many rows (action slabs and lists, the journal
// of a large transaction) is not kept by its session once the flush is
// done, so that a session holds no per-object flush bookkeeping between
// flushes. It goes back to a pool on the DB instead, so that a program
// committing large batches, in one session or many, allocates it once
// rather than once per Commit.

// spares is a pool of large buffers of one element type.
type spares[E any] struct{ pool sync.Pool }

// get returns an empty buffer with room for n elements: a pooled one
// when it is large enough (a smaller one is dropped).
func (p *spares[E]) get(n int) []E {
	if b, _ := p.pool.Get().(*[]E); b != nil && cap(*b) >= n {
		return (*b)[:0]
	}
	return make([]E, 0, n)
}

// put clears b, which nothing may reference any more, and keeps it for a
// later get.
func (p *spares[E]) put(b []E) {
	clear(b[:cap(b)])
	b = b[:0]
	p.pool.Put(&b)
}

// flushSpares are the pools of a DB's flushes.
type flushSpares struct {
	slabs    spares[action]    // action slabs (plan.go newAction)
	lists    spares[*action]   // flush.actions
	journals spares[undo]      // transaction journals over keptJournal
	claims   spares[claim]     // relFlush.claims
	marks    spares[flushMark] // flush.marks
	states   spares[*state]    // relFlush.visited, Session.loaded and pending
	rows     spares[loadedRow] // a load's row buffer (loader.spare)
	groups   sync.Pool         // *keyGroups of a load step (groupOwners)
}

// maxFlushSpare bounds, in elements, the flush storage the spares take
// back (keep): the storage of a flush of more rows is left to the garbage
// collector, so that the DB does not keep it alive (a sync.Pool frees
// what it holds only after two collections) for a rare flush that size.
const maxFlushSpare = 4096

// keep is put for a flush's storage: b is kept only up to maxFlushSpare
// elements.
func (p *spares[E]) keep(b []E) {
	if cap(b) <= maxFlushSpare {
		p.put(b)
	}
}

// take returns an empty buffer with room for n: a new one when n is
// small, else one from p.
func take[E any](p *spares[E], n int) []E {
	if n < maxKeptActions {
		return make([]E, 0, n)
	}
	return p.get(n)
}

// giveBack puts b in p when it is large.
func giveBack[E any](p *spares[E], b []E) {
	if cap(b) >= maxKeptActions {
		p.put(b)
	}
}
