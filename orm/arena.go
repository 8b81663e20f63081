package orm

import (
	"reflect"
	"sync"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// arena is the storage a Session allocates from and reuses, so that its
// bookkeeping costs a few large allocations rather than one per object,
// statement or argument. The session owns it; it is not safe for
// concurrent use (nor is the Session).
//
// What it holds, and for how long:
//
//   - states: the slab the session's object states are cut from. A state
//     lives while the session references it (identity map, lists,
//     journal); the slab goes with the last of them.
//   - slabs: per model, the slabs of the objects loaded by queries (handed
//     to the program: a slab lives while any object in it is referenced)
//     and of their snapshots (the session's own).
//   - dest: the scan destinations of the current query, reused by the
//     next one.
//   - args: the bound arguments of the last flush, cut per statement.
//     They are cleared when the next flush starts rather than when its
//     pipeline has run or the transaction ends, so that a QueryTracer may
//     still read a statement's arguments after Commit returns.
//   - work: what the session needs only once it writes (its transaction,
//     its flush and the flush's inline room for the small flushes that
//     are the common case, about a kilobyte), taken from the DB's pool on
//     the first write.
//
// A flush resets the arguments (endFlush); Commit and Rollback reset the
// transaction and journal in the workspace (committed, discard), which
// stays for the next transaction. Close releases the arena: the workspace
// goes back to the DB's pool holding nothing of the session, and the scan
// and argument buffers are dropped. States and slabs are never reset: the
// objects and states they hold outlive a transaction, and go with the
// session.
type arena struct {
	states    []state  // the current slab of states, cut from the front
	stateGrow int      // size of the next state slab
	slabs     []*slabs // per model id (nil until used)
	dest      []any
	work      *sessionWork
}

// slabs are a model's allocators in one session: loaded objects and
// snapshots live and die separately.
type slabs struct{ obj, snap chunk }

// sessionWork is the storage a session needs only once it writes: its
// transaction and its flush. A session takes it from its DB's pool on its
// first write and gives it back when it is closed, so that the common
// short session, one request's inserts and one Commit, does not allocate
// it each time.
type sessionWork struct {
	tx    txn
	flush flush
	args  []any // the bound arguments of the current flush's single-row statements
}

// flushRoom is a flush's inline storage, enough for the small flushes
// that are the common case (a row or two of one table) to allocate none of
// their actions, batches and pipeline steps; a larger flush takes slices
// and keeps them for the next (up to maxKeptActions).
type flushRoom struct {
	steps     [2]step
	batches   [3]batch // one per action kind
	batchPtrs [3]*batch
	actPtrs   [4]*action
	actions   [2]action
}

// keptJournal is the journal capacity a pooled workspace keeps; a larger
// one (a flush of many rows) goes to the DB's spares (spares.go).
const keptJournal = 64

// keptArgs is the argument buffer capacity a pooled workspace keeps.
const keptArgs = 64

// state returns a zero state from the slab.
func (a *arena) state() *state {
	if len(a.states) == 0 {
		a.stateGrow = min(max(1, 2*a.stateGrow), internalSlabLen(mem.Size[state]()))
		a.states = make([]state, a.stateGrow)
	}
	st := &a.states[0]
	a.states = a.states[1:]
	return st
}

// slabsOf returns the slabs of model m, creating them.
func (a *arena) slabsOf(m *model) *slabs {
	if m.id >= len(a.slabs) {
		a.slabs = append(a.slabs, make([]*slabs, m.id+1-len(a.slabs))...)
	}
	sl := a.slabs[m.id]
	if sl == nil {
		sl = &slabs{obj: chunk{typ: m.typ, size: m.typ.Size()}, snap: chunk{typ: m.snapType, size: m.snapType.Size(), max: internalSlabLen(m.snapType.Size())}}
		a.slabs[m.id] = sl
	}
	return sl
}

// scanDest returns the scan destinations, with room for n.
func (a *arena) scanDest(n int) []any {
	if cap(a.dest) < n {
		a.dest = make([]any, n)
	}
	return a.dest[:n]
}

// argsFor returns an empty slice with room for n bound arguments, cut
// from the flush's arguments.
func (w *sessionWork) argsFor(n int) []any {
	if cap(w.args)-len(w.args) < n {
		w.args = make([]any, 0, max(n, 2*cap(w.args)))
	}
	i := len(w.args)
	w.args = w.args[:i+n]
	return w.args[i : i : i+n]
}

// endFlush drops the arguments of the last flush, when the next starts.
func (w *sessionWork) endFlush() {
	clear(w.args)
	w.args = w.args[:0]
}

// workspace returns the write storage, taking it from pool on first use.
func (a *arena) workspace(pool *sync.Pool) *sessionWork {
	if a.work == nil {
		a.work, _ = pool.Get().(*sessionWork)
		if a.work == nil {
			a.work = new(sessionWork)
		}
	}
	return a.work
}

// release gives the workspace back to pool, holding nothing of the
// session (no object, state or connection stays reachable from it), and
// drops the scan buffer. The workspace keeps its journal and argument
// buffers when they are small, emptied.
func (a *arena) release(pool *sync.Pool, journals *spares[undo]) {
	a.dest = nil
	w := a.work
	if w == nil {
		return
	}
	a.work = nil
	journal, args := w.tx.journal, w.args
	*w = sessionWork{}
	if cap(args) <= keptArgs {
		clear(args[:cap(args)])
		w.args = args[:0]
	}
	if cap(journal) <= keptJournal {
		clear(journal[:cap(journal)])
		w.tx.journal = journal[:0]
	} else {
		journals.keep(journal)
	}
	pool.Put(w)
}

// chunk hands out zeroed values of one struct type from slabs, so that
// loading many rows costs one allocation per slab instead of one per row.
// A slab lives as long as any value in it is referenced.
// Slabs grow from one value to maxChunk, so that a session loading one row
// pays for one.
type chunk struct {
	typ  reflect.Type
	size uintptr
	base mem.Ptr
	left int
	grow int // size of the next slab
	max  int // largest slab: maxChunk, or internalSlab's for the session's own records
}

// maxChunk bounds the slabs of objects handed to the caller, so that one
// object kept alive keeps few others. The slabs of records only the
// session references (snapshots, states), which all die with it, grow to
// internalSlab bytes: the largest allocation Go serves from a size class,
// so that a big slab wastes no part of a page.
const (
	maxChunk     = 64
	internalSlab = 32 << 10
)

// internalSlabLen is how many records of size bytes fill an internal slab.
func internalSlabLen(size uintptr) int { return max(maxChunk, int(internalSlab/max(size, 1))) }

// The snapshot slabs of a model hold records (see model.snapType): the
// row, then room for the values its pointer fields point to.

// next returns a pointer to a fresh zero value.
func (c *chunk) next() mem.Ptr {
	if c.left == 0 {
		if c.size == 0 || c.grow <= 1 {
			c.grow = 2
			return mem.New(c.typ)
		}
		n := c.grow
		c.grow = min(2*n, max(c.max, maxChunk))
		c.base = mem.Value(reflect.MakeSlice(reflect.SliceOf(c.typ), n, n))
		c.left = n
	}
	p := c.base
	c.left--
	if c.left > 0 {
		c.base = c.base.Add(c.size)
	}
	return p
}
