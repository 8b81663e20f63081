package orm

import (
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Row-level order from relationships (SQLAlchemy's dependency.py): a child
// whose key comes from a parent inserted in the same flush waits for the
// parent's generated key; a child taking a unique key waits for the row
// leaving it (a replaced one-to-one child is deleted before its successor
// is written); association rows follow both sides' inserts and precede
// their deletes. Everything is visited in a fixed order (links as decided,
// association tables by rule), so that the same flush always sends the
// same statements in the same order.

// dependencies runs once every object has its action; see relFlush.
func (fr *relFlush) dependencies() {
	if fr == nil {
		return
	}
	uniq := false
	for i := range fr.claims {
		if c := &fr.claims[i]; c.link {
			fr.linkAction(c)
			uniq = uniq || c.write && c.fk.unique
		}
	}
	if uniq {
		fr.uniqueEdges()
	}
	for _, w := range fr.pairs {
		if w != nil {
			fr.associations(w)
		}
	}
}

// linkAction decides whether the key claim l links is written, and if so
// gives the child an action ordered after its parent's insert.
func (fr *relFlush) linkAction(l *claim) {
	f, child := fr.f, l.child
	if child.deleting || child.status != Pending && child.status != Persistent {
		return
	}
	l.old = l.fk.parentOf(fr.s, child.snap)
	if l.keyed {
		return // the key the program wrote stands (history.go decide)
	}
	var ps *state
	unsettled := false
	if !l.to.IsNil() {
		ps = fr.s.stateOf(l.fk.parent, l.to)
		_, known := l.fk.parentKeyOf(fr.s, l.to)
		unsettled = ps != nil && ps.status == Pending && !known
	}
	if !unsettled && !l.fk.differs(fr.s, child, l.to) {
		return
	}
	l.write = true
	ca := f.ensureUpdate(child)
	if ps != nil {
		if pa := f.actionOf(ps); pa != nil && pa.kind == actInsert {
			kind := orderOnly
			if unsettled {
				kind = copiesValues
			}
			f.dependsOn(ca, pa, kind)
		}
	}
}

// uniqueEdges makes each child that takes a parent's unique key wait for
// the rows leaving that key in this flush: deleted, or moved by a key
// written here or by the program.
func (fr *relFlush) uniqueEdges() {
	f := fr.f
	leaving := map[idKey][]*action{}
	leave := func(g *fkGroup, st *state, a *action) {
		if !st.snap.IsNil() {
			if k, ok := g.childKey.stored(st.snap); ok {
				leaving[k] = append(leaving[k], a)
			}
		}
	}
	for _, a := range f.actions {
		if a.st == nil || a.kind == actInsert {
			continue
		}
		for _, g := range a.m.uniqueKeys {
			if a.kind == actDelete || fr.keyMoved(g, a.st) {
				leave(g, a.st, a)
			}
		}
	}
	for i := range fr.claims {
		l := &fr.claims[i]
		if !l.write || l.to.IsNil() || !l.fk.unique {
			continue
		}
		k, ok := l.fk.parentKeyOf(fr.s, l.to)
		if !ok {
			continue // a new parent: no row holds its key yet
		}
		ca := f.actionOf(l.child)
		for _, a := range leaving[k] {
			f.dependsOn(ca, a, orderOnly)
		}
	}
}

// keyMoved reports whether the flush writes a new value into st's key g:
// a link of its own, or a change the program made to the column.
func (fr *relFlush) keyMoved(g *fkGroup, st *state) bool {
	moved := false
	fr.claimsOf(st, func(c *claim) { moved = moved || c.fk == g && c.write })
	if moved {
		return true
	}
	now, _ := g.childKey.keyIn(st, st.obj)
	was, _ := g.childKey.stored(st.snap)
	return now != was
}

// associations adds the statements of one association table: the rows of
// deleted owners and the removed pairs first (before either side's
// DELETE), then the added pairs (after both sides' INSERT) but for those
// of an object the flush deletes.
func (fr *relFlush) associations(w *pairWork) {
	f, r := fr.f, w.rule
	w.add = slices.DeleteFunc(w.add, func(p pair) bool { return fr.deleting(r.owner, p.owner) || fr.deleting(r.target, p.target) })
	sq := &f.s.db.rel[r.id].sec
	var dels *action
	if len(w.owners) > 0 {
		owners := w.owners
		a := f.statement(r.r.Secondary, nil, func(*flush) (string, []any, error) {
			return sq.deleteOwners, keyArgs(r.local, snapsOf(owners)), nil
		})
		for _, st := range owners {
			f.dependsOn(f.actionOf(st), a, orderOnly)
		}
	}
	if len(w.del) > 0 {
		pairs := w.del
		dels = f.statement(r.r.Secondary, nil, func(*flush) (string, []any, error) {
			r.sortPairs(pairs)
			return sq.deletePairs, pairArgs(r, pairs), nil
		})
		for _, p := range pairs {
			fr.deleteWaits(dels, r.owner, p.owner)
			fr.deleteWaits(dels, r.target, p.target)
		}
	}
	if len(w.add) > 0 {
		pairs := w.add
		a := f.statement(r.r.Secondary, nil, func(*flush) (string, []any, error) {
			r.sortPairs(pairs)
			return sq.insertPairs, pairArgs(r, pairs), nil
		})
		f.dependsOn(a, dels, orderOnly)
		for _, p := range pairs {
			fr.insertFirst(a, r.owner, p.owner)
			fr.insertFirst(a, r.target, p.target)
		}
	}
}

// deleting reports whether the flush deletes the object at p: a row added
// for it would go with it, so none is written.
func (fr *relFlush) deleting(m *model, p mem.Ptr) bool {
	st := fr.s.stateOf(m, p)
	return st != nil && st.deleting
}

// deleteWaits makes the delete of the object at p (if any) wait for a.
func (fr *relFlush) deleteWaits(a *action, m *model, p mem.Ptr) {
	if st := fr.s.stateOf(m, p); st != nil {
		if da := fr.f.actionOf(st); da != nil && da.kind == actDelete {
			fr.f.dependsOn(da, a, orderOnly)
		}
	}
}

// insertFirst makes a wait for the insert of the object at p (if any),
// whose generated key a copies.
func (fr *relFlush) insertFirst(a *action, m *model, p mem.Ptr) {
	if st := fr.s.stateOf(m, p); st != nil {
		if ia := fr.f.actionOf(st); ia != nil && ia.kind == actInsert {
			fr.f.dependsOn(a, ia, copiesValues)
		}
	}
}

// pairArgs builds the array parameters of association rows: the owners'
// key columns, then the targets'.
func pairArgs(r *manyToMany, pairs []pair) []any {
	owners := make([]mem.Ptr, len(pairs))
	targets := make([]mem.Ptr, len(pairs))
	for i, p := range pairs {
		owners[i], targets[i] = p.owner, p.target
	}
	return append(keyArgs(r.local, owners), keyArgs(r.remote, targets)...)
}

// snapsOf returns the snapshots of states (their keys as stored).
func snapsOf(states []*state) []mem.Ptr {
	out := make([]mem.Ptr, len(states))
	for i, st := range states {
		out[i] = st.snap
	}
	return out
}
