package orm

import (
	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// oneToMany is the rule of a collection whose targets (the children) hold
// the foreign key: User.Posts over posts.user_id.
type oneToMany struct{ *relBase }

var _ rule = (*oneToMany)(nil)

// added returns the children attached since the last load or flush.
func (r *oneToMany) added(_ *Session, st *state) []mem.Ptr {
	return minus(r.targets(st.obj), st.seenOf(r.idx))
}

// changes claims the children attached to st's field for st, and lets go
// of those removed from it.
func (r *oneToMany) changes(fr *relFlush, st *state) {
	r.history(st, func(t mem.Ptr) {
		if cs := fr.s.stateOf(r.target, t); cs != nil {
			fr.attachTo(cs, r.fk, st.obj, r.relBase, parentSide)
		}
	}, func(t mem.Ptr) {
		if cs := fr.s.stateOf(r.target, t); cs != nil && cs.status == Persistent {
			fr.letGo(cs, r.fk, st.obj, r.relBase)
		}
	})
}

// needsLoad: the children of a deleted parent must be known when the
// session deletes them (delete) or clears their key (nullable), unless the
// database does it (ON DELETE CASCADE / SET NULL).
func (r *oneToMany) needsLoad(fr *relFlush, st *state) (bool, error) {
	rel := r.r
	acts := rel.Cascade.Has(relation.Delete) || rel.Nullable
	switch {
	case rel.PassiveDeletes || !acts || rel.Lazy == relation.NoLoad:
		return false, nil
	case st.isLoaded(r.idx) && !r.holdsStrangers(fr.s, st):
		return false, nil
	case rel.Lazy == relation.Raise:
		return false, raiseError(r.relBase, "delete cascade")
	}
	return true, nil
}

// holdsStrangers reports whether st's field holds a child the session
// does not hold (expunged since it was loaded): its row is selected again
// so that the cascade reaches it.
func (r *oneToMany) holdsStrangers(s *Session, st *state) bool {
	for _, t := range r.targets(st.obj) {
		if s.stateOf(r.target, t) == nil {
			return true
		}
	}
	return false
}

// deleted deletes the children of st (delete cascade) or clears their key
// (nullable); children the flush moves to another parent stay. Children
// removed from the field since load count as its children. A passive key
// (ON DELETE CASCADE or SET NULL) needs no statement for the children the
// session does not hold, but those it holds get the same treatment here,
// so that the session knows what became of them: deleted along ON DELETE
// CASCADE, their key cleared along SET NULL.
func (r *oneToMany) deleted(fr *relFlush, st *state, next []*state) []*state {
	cur := r.targets(st.obj)
	for _, list := range [][]mem.Ptr{cur, minus(st.seenOf(r.idx), cur)} {
		for _, t := range list {
			cs := fr.s.stateOf(r.target, t)
			if cs == nil || cs.status != Persistent || cs.deleting || fr.movedAway(cs, r.fk, st.obj) {
				continue
			}
			switch {
			case r.r.Cascade.Has(relation.Delete) || r.r.PassiveDeletes && r.fk.fk.OnDelete == schema.Cascade:
				fr.markDeleting(cs)
				next = append(next, cs)
			case r.r.Nullable:
				fr.clearKey(cs, r.fk, nil)
			}
		}
	}
	return next
}

// oneToOne is the rule of the parent side of a one_to_one (User.Profile
// over the unique profiles.user_id): a oneToMany of at most one child.
// Its key being unique, a parent taking a new child lets the old one go
// (history.go displace), and the old child's DELETE or UPDATE goes before
// the new one's write (dependency.go).
type oneToOne struct{ oneToMany }

var _ rule = (*oneToOne)(nil)

// held answers for owners whose field is loaded: a one-to-one holds the
// whole truth, so the step need not select them again.
func (r *oneToOne) held(l *loader, g *keyGroups) ([]loadedRow, []*state) {
	var rows []loadedRow
	rest := g.reps[:0:0]
	for id, o := range g.reps {
		if o.status != Persistent || !o.isLoaded(r.idx) {
			rest = append(rest, o)
			continue
		}
		t := r.one(o.obj)
		if t.IsNil() {
			continue
		}
		ts := l.s.stateOf(r.target, t)
		if ts == nil {
			rest = append(rest, o)
			continue
		}
		rows = append(rows, loadedRow{int32(id), ts})
	}
	return rows, rest
}
