package orm

import (
	"sync"
	"sync/atomic"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// partials remembers the collections filtered loads filled
// (Load("Posts", orm.Where(...))), by the owner object and by the
// collection's backing array, for as long as they live and whatever
// session loaded them: Merge must not take such a collection for the
// whole truth and orphan the rows the filter left out, which nobody saw.
var partials = partialViews{m: map[partialKey]*partialView{}, sweepAt: partialSweepMin}

// partialSweepMin is the size of the record below which dead entries are
// not looked for.
const partialSweepMin = 64

type partialViews struct {
	mu      sync.Mutex
	m       map[partialKey]*partialView
	n       atomic.Int64 // len(m), read without the lock
	sweepAt int          // the size at which the next note drops dead entries
}

// partialKey is an owner object's address, or a collection's backing
// array's, and the relationship.
type partialKey struct {
	at uintptr
	rb *relBase
}

// partialView is what a filtered load put in a collection: the keys of the
// rows it loaded. at is what the key's address held then (an address is
// reused once its object is collected).
type partialView struct {
	at   mem.Weak
	seen map[idKey]struct{}
}

// note records what a load stored in owner's collection rb: a filtered load
// (filteredRows) records the rows it loaded, targets; a load of the whole
// field forgets an earlier filtered one of the owner.
func (pv *partialViews) note(rb *relBase, owner mem.Ptr, targets []mem.Ptr, scope loadScope) {
	if !rb.r.Uselist || scope != filteredRows && pv.n.Load() == 0 {
		return
	}
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if scope != filteredRows {
		delete(pv.m, partialKey{owner.Uintptr(), rb})
		pv.n.Store(int64(len(pv.m)))
		return
	}
	v := &partialView{seen: make(map[idKey]struct{}, len(targets))}
	for _, t := range targets {
		v.seen[rb.target.rowKey(t)] = struct{}{}
	}
	pv.put(rb, owner, v)
	if data := rb.fieldData(owner); !data.IsNil() {
		pv.put(rb, data, v)
	}
	if len(pv.m) >= pv.sweepAt {
		for k, e := range pv.m {
			if !e.at.Alive() {
				delete(pv.m, k)
			}
		}
		pv.sweepAt = max(partialSweepMin, 2*len(pv.m))
	}
	pv.n.Store(int64(len(pv.m)))
}

// put records v under the object at p.
func (pv *partialViews) put(rb *relBase, p mem.Ptr, v *partialView) {
	e := *v
	e.at = mem.MakeWeak(p)
	pv.m[partialKey{p.Uintptr(), rb}] = &e
}

// of returns the filtered load that filled collection rb of one of the
// objects given (an owner, by its own address, or its collection, by the
// backing array), the first found; nil when none did.
func (pv *partialViews) of(rb *relBase, owners ...mem.Ptr) *partialView {
	if pv.n.Load() == 0 {
		return nil
	}
	pv.mu.Lock()
	defer pv.mu.Unlock()
	for _, o := range owners {
		for _, p := range [2]mem.Ptr{o, rb.fieldData(o)} {
			if v := pv.m[partialKey{p.Uintptr(), rb}]; v != nil && !p.IsNil() && v.at.Is(p) {
				return v
			}
		}
	}
	return nil
}

// fieldData returns the backing array of owner's collection rb; nil when
// it has none (or no capacity).
func (rb *relBase) fieldData(owner mem.Ptr) mem.Ptr {
	p := rb.fieldRead(owner)
	if p.IsNil() {
		return mem.Ptr{}
	}
	return mem.SliceArray(p)
}
