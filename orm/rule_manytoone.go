package orm

import (
	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
)

// manyToOne is the rule of a reference whose owner (the child) holds the
// foreign key: Post.User over posts.user_id, and the child side of a
// one_to_one. Its history is the key column's snapshot: the reference
// changed when it names a row other than the one the key held, or was set
// to nil after it had been loaded.
type manyToOne struct{ *relBase }

var _ rule = (*manyToOne)(nil)

// changed reports whether st's reference was pointed away from the row
// its key held when loaded (nil counts only once the reference was
// loaded: an unloaded nil says nothing).
func (r *manyToOne) changed(s *Session, st *state) bool {
	cur := r.one(st.obj)
	if st.snap.IsNil() {
		return !cur.IsNil()
	}
	was, wok := r.fk.childKey.stored(st.snap)
	if cur.IsNil() {
		return wok && st.isLoaded(r.idx)
	}
	now, nok := r.fk.parentKeyOf(s, cur)
	return !nok || !wok || now != was
}

// keyWritten reports whether the program wrote st's foreign key column
// itself, the reference left as it was: a stored row whose key differs
// from its snapshot, or a new one with a key and no reference.
func (r *manyToOne) keyWritten(st *state) bool {
	now, ok := r.fk.childKey.keyIn(st, st.obj)
	if st.snap.IsNil() {
		return ok && r.one(st.obj).IsNil()
	}
	was, wok := r.fk.childKey.stored(st.snap)
	return ok != wok || now != was
}

// added returns the referenced parent when the reference changed.
func (r *manyToOne) added(s *Session, st *state) []mem.Ptr {
	if p := r.one(st.obj); !p.IsNil() && r.changed(s, st) {
		return []mem.Ptr{p}
	}
	return nil
}

// changes claims st for its new parent, or lets it go from the old one
// when the reference was set to nil.
func (r *manyToOne) changes(fr *relFlush, st *state) {
	if !r.changed(fr.s, st) {
		if r.keyWritten(st) {
			fr.keyed(st, r.fk)
		}
		return
	}
	if p := r.one(st.obj); !p.IsNil() {
		fr.attachTo(st, r.fk, p, r.relBase, childSide)
		return
	}
	fr.letGo(st, r.fk, r.fk.parentOf(fr.s, st.snap), r.relBase)
}

// needsLoad: with the delete cascade, deleting the child deletes its
// parent, which must then be found: through the reference, the identity
// map, or a statement.
func (r *manyToOne) needsLoad(fr *relFlush, st *state) (bool, error) {
	rel := r.r
	if !rel.Cascade.Has(relation.Delete) || st.isLoaded(r.idx) || rel.Lazy == relation.NoLoad {
		return false, nil
	}
	if _, ok := r.fk.childKey.stored(st.snap); !ok || !r.fk.parentOf(fr.s, st.snap).IsNil() {
		return false, nil
	}
	if rel.Lazy == relation.Raise {
		return false, raiseError(r.relBase, "delete cascade")
	}
	return true, nil
}

// deleted deletes the parent of a deleted child when the reference has the
// delete cascade (SQLAlchemy's many-to-one cascade="all").
func (r *manyToOne) deleted(fr *relFlush, st *state, next []*state) []*state {
	if !r.r.Cascade.Has(relation.Delete) {
		return next
	}
	p := r.one(st.obj)
	if p.IsNil() && !r.changed(fr.s, st) {
		p = r.fk.parentOf(fr.s, st.snap)
	}
	if ps := fr.s.stateOf(r.target, p); ps != nil && ps.status == Persistent && !ps.deleting {
		fr.markDeleting(ps)
		next = append(next, ps)
	}
	return next
}

// held answers for owners whose parent the identity map holds.
func (r *manyToOne) held(l *loader, g *keyGroups) ([]loadedRow, []*state) {
	if !r.fk.ident {
		return nil, g.reps
	}
	var rows []loadedRow
	rest := g.reps[:0:0]
	for id, o := range g.reps {
		k, _ := r.localKey.keyIn(o, o.obj)
		if st := l.s.lookup(k); st != nil && st.status == Persistent && !st.deleting {
			rows = append(rows, loadedRow{int32(id), st})
			continue
		}
		rest = append(rest, o)
	}
	return rows, rest
}

// pointBack sets child's reference rb to owner after a load of rb's
// partner, unless the program pointed it elsewhere since (and the load is
// no refresh), and records it as loaded.
func (l *loader) pointBack(rb *relBase, child *state, owner mem.Ptr) {
	if cur := rb.one(child.obj); !cur.IsNil() && cur != owner && l.held == keepChanges && (&manyToOne{rb}).changed(l.s, child) {
		return
	}
	rb.setOne(child.obj, owner)
	child.relLoaded |= bit(rb.idx)
}

// bit is the relLoaded bit of relationship i (none past the 64th).
func bit(i int) uint64 {
	if i >= 64 {
		return 0
	}
	return 1 << uint(i)
}
