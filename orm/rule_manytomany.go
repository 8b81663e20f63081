package orm

import (
	"cmp"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
)

// manyToMany is the rule of a collection through an association table
// (Post.Tags over post_tags). Its changes are association rows: a target
// appended inserts a row, one removed deletes it, from either side of a
// back_populates pair (the pair's rows are written once, on the side whose
// rule comes first in the registry).
type manyToMany struct{ *relBase }

var _ rule = (*manyToMany)(nil)

// pair is an association row: an owner and a target.
type pair struct{ owner, target mem.Ptr }

// pairWork is what one flush writes into one association table for one
// rule: rows to insert and delete (on the canonical side of a pair of
// rules), and the deleted owners whose rows the session removes itself.
type pairWork struct {
	rule     *manyToMany
	add, del []pair
	known    map[pair]bool // pairs in add or del, for duplicates
	owners   []*state
}

// added returns the targets appended since the last load or flush.
func (r *manyToMany) added(_ *Session, st *state) []mem.Ptr {
	return minus(r.targets(st.obj), st.seenOf(r.idx))
}

// changes records the association rows added to and removed from st's
// collection.
func (r *manyToMany) changes(fr *relFlush, st *state) {
	r.history(st, func(t mem.Ptr) { fr.pair(r, st.obj, t, pairAdded) },
		func(t mem.Ptr) { fr.pair(r, st.obj, t, pairRemoved) })
}

// pairChange says whether an association row is added or removed.
type pairChange uint8

const (
	pairAdded pairChange = iota
	pairRemoved
)

// pair records an association row to add or remove on the canonical side
// of r's pair of rules.
func (fr *relFlush) pair(r *manyToMany, owner, target mem.Ptr, change pairChange) {
	if b := r.back; b != nil && b.id < r.id {
		r, owner, target = fr.s.db.reg.rules[b.id].(*manyToMany), target, owner
	}
	w := fr.pairWork(r)
	p := pair{owner, target}
	if w.known[p] {
		return
	}
	if w.known == nil {
		w.known = map[pair]bool{}
	}
	w.known[p] = true
	if change == pairAdded {
		w.add = append(w.add, p)
	} else {
		w.del = append(w.del, p)
	}
}

// pairWork returns the flush's work for rule r, creating it.
func (fr *relFlush) pairWork(r *manyToMany) *pairWork {
	if fr.pairs == nil {
		fr.pairs = make([]*pairWork, len(fr.s.db.reg.rules))
	}
	if fr.pairs[r.id] == nil {
		fr.pairs[r.id] = &pairWork{rule: r}
	}
	return fr.pairs[r.id]
}

// needsLoad: the delete cascade along a many_to_many (rarely wanted)
// deletes the targets themselves, which must then be known.
func (r *manyToMany) needsLoad(_ *relFlush, st *state) (bool, error) {
	rel := r.r
	switch {
	case !rel.Cascade.Has(relation.Delete) || st.isLoaded(r.idx) || rel.Lazy == relation.NoLoad:
		return false, nil
	case rel.Lazy == relation.Raise:
		return false, raiseError(r.relBase, "delete cascade")
	}
	return true, nil
}

// deleted removes st's association rows (unless the table's foreign key
// does it, ON DELETE CASCADE) and, with the delete cascade, deletes the
// targets.
func (r *manyToMany) deleted(fr *relFlush, st *state, next []*state) []*state {
	if !r.r.PassiveDeletes {
		w := fr.pairWork(r)
		w.owners = append(w.owners, st)
	}
	if !r.r.Cascade.Has(relation.Delete) {
		return next
	}
	for _, t := range r.targets(st.obj) {
		if ts := fr.s.stateOf(r.target, t); ts != nil && ts.status == Persistent && !ts.deleting {
			fr.markDeleting(ts)
			next = append(next, ts)
		}
	}
	return next
}

// settle puts the written pairs on both sides' collections after the
// flush.
func (w *pairWork) settle() {
	r, b := w.rule.relBase, w.rule.back
	for _, p := range w.add {
		r.attach(p.owner, p.target)
		if b != nil {
			b.attach(p.target, p.owner)
		}
	}
	for _, p := range w.del {
		r.detach(p.owner, p.target)
		if b != nil {
			b.detach(p.target, p.owner)
		}
	}
}

// sortPairs orders association rows by owner key, then target key, so that
// a flush always writes (and locks) them in the same order.
func (r *manyToMany) sortPairs(pairs []pair) {
	slices.SortStableFunc(pairs, func(x, y pair) int {
		return cmp.Or(compareKeys(&r.localKey, x.owner, y.owner), compareKeys(&r.remoteKey, x.target, y.target))
	})
}

func compareKeys(kc *keyCodec, a, b mem.Ptr) int {
	ka, _ := kc.stored(a)
	kb, _ := kc.stored(b)
	return cmp.Or(cmp.Compare(ka.n, kb.n), cmp.Compare(ka.s, kb.s))
}
