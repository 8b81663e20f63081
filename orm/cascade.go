package orm

import (
	"context"
	"fmt"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
)

// Cascades along relationships, with SQLAlchemy's meanings: save-update
// when an object is added and, at every flush, for what was attached since
// (rule.added); delete from deleted parents to their children, deepest
// first, and along a many_to_one that asks for it; expunge and
// refresh-expire from a parent to its children. Merge is in merge.go.

// targetScope says which targets of a field a cascade follows.
type targetScope uint8

const (
	// attachedSince: those attached since the last load or flush.
	attachedSince targetScope = iota
	// allTargets: every target the field holds (a new object).
	allTargets
)

// saveUpdate adds the targets of st's save-update relationships (those in
// scope) that the session does not hold.
func (s *Session) saveUpdate(st *state, scope targetScope) error {
	for _, ru := range st.m.rules {
		rb := ru.base()
		if !rb.r.Cascade.Has(relation.SaveUpdate) {
			continue
		}
		targets := ru.added(s, st)
		if scope == allTargets {
			targets = rb.targets(st.obj)
		}
		for _, t := range targets {
			if err := s.cascadeAdd(rb, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// cascadeAdd adds target t reached along rb, unless the session holds it.
// An object whose database-generated key is set but which the session does
// not hold comes from another session (or was expunged): adding it would
// insert its row again, so it is a *DetachedError.
func (s *Session) cascadeAdd(rb *relBase, t mem.Ptr) error {
	if t.IsNil() || s.stateOf(rb.target, t) != nil {
		return nil
	}
	m := rb.target
	if k, ok := m.keyOf(t); ok && m.generatedKey() {
		held := s.lookup(k)
		return &DetachedError{Object: m.table.Name + "(" + m.ident.keyText(t) + ")", Via: rb.String(), Held: held != nil}
	}
	st, err := s.addObject(m, t) // t is a *m: the field's type is the target's
	if st != nil && rb.fk != nil && rb.r.Side != relation.FKOnOwner && st.status == Pending {
		st.brought = true
	}
	return err
}

// generatedKey reports whether the database generates the model's key
// (identity or server default), so that a set key means a stored row.
func (m *model) generatedKey() bool { return len(m.pk) == 1 && m.pk[0].serverGen }

// cascadeSaves is the flush's save-update cascade: what was attached to
// pending and persistent objects since they were added or loaded.
func (fr *relFlush) cascadeSaves() error {
	s := fr.s
	for i := 0; i < len(s.pending); i++ {
		if err := s.saveUpdate(s.pending[i], allTargets); err != nil {
			return err
		}
	}
	for _, st := range s.loaded {
		if st.status == Persistent && !st.deleting && len(st.m.rules) > 0 {
			if err := s.saveUpdate(st, attachedSince); err != nil {
				return err
			}
		}
	}
	return nil
}

// cascadeDeletes follows deletions from the objects in work, level by
// level: each rule marks or detaches what the deletion means along it.
// Targets a rule needs but that are not loaded are selected first, one
// statement per rule and level for all the level's owners.
func (fr *relFlush) cascadeDeletes(work []*state) error {
	l := &loader{s: fr.s, all: true}
	for len(work) > 0 {
		need := make([][]*state, len(fr.s.db.reg.rules))
		var order []rule
		for _, st := range work {
			for _, ru := range st.m.rules {
				if !softCascades(st, ru) {
					continue // softdelete.go
				}
				ok, err := ru.needsLoad(fr, st)
				if err != nil {
					return err
				}
				if ok || reloadsHidden(st, ru) {
					id := ru.base().id
					if need[id] == nil {
						order = append(order, ru)
					}
					need[id] = append(need[id], st)
				}
			}
		}
		for _, ru := range order {
			if _, err := l.step(fr.f.ctx, ru, need[ru.base().id], nil); err != nil {
				return err
			}
		}
		var next []*state
		for _, st := range work {
			for _, ru := range st.m.rules {
				if softCascades(st, ru) {
					n := len(next)
					next = ru.deleted(fr, st, next)
					hardenCascaded(st, next[n:])
				}
			}
		}
		work = next
	}
	return nil
}

// raiseError is the error of a lazy:raise relationship a cascade needs.
func raiseError(rb *relBase, need string) error {
	return &NotLoadedError{Model: rb.owner.typ.String(), Relation: rb.r.Name, Need: need}
}

// Expunge removes obj from the session without touching the database: it
// becomes detached, later changes to it are not tracked, and its targets
// along relationships with the expunge cascade (in "all") leave with it,
// but for children the program attached elsewhere since (appended to
// another parent's field, or pointed at another parent), which stay to be
// moved by the next flush. A pending object is simply forgotten.
func (s *Session) Expunge(obj any) {
	m, p, err := s.object(obj)
	if err != nil {
		return
	}
	if st := s.stateOf(m, p); st != nil {
		s.expungeTree(st)
	}
}

// expungeTree expunges st and its targets along the expunge cascade but
// for the children attached elsewhere (see Expunge).
func (s *Session) expungeTree(st *state) {
	out := s.cascaded(st, relation.Expunge, nil)
	if len(out) > 1 {
		in := make(map[*state]bool, len(out))
		for _, x := range out {
			in[x] = true
		}
		held := s.heldOutside(in)
		out = s.cascaded(st, relation.Expunge, func(rb *relBase, owner, t mem.Ptr) bool {
			return rb.fk != nil && rb.r.Side != relation.FKOnOwner &&
				(held[fkChild{rb.fk, t}] || s.pointedOutside(rb, t, in))
		})
	}
	for _, x := range out {
		s.expunge(x)
	}
}

// cascaded returns st and the objects the session holds that st reaches
// along relationships with cascade c, each once, st first; skip (when not
// nil) leaves out a target t of owner's field rb.
func (s *Session) cascaded(st *state, c relation.Cascade, skip func(rb *relBase, owner, t mem.Ptr) bool) []*state {
	out := []*state{st}
	seen := map[*state]bool{st: true}
	for i := 0; i < len(out); i++ {
		owner := out[i].obj
		for _, ru := range out[i].m.rules {
			rb := ru.base()
			if !rb.r.Cascade.Has(c) {
				continue
			}
			for _, t := range rb.targets(owner) {
				if ts := s.stateOf(rb.target, t); ts != nil && !seen[ts] && (skip == nil || !skip(rb, owner, t)) {
					seen[ts] = true
					out = append(out, ts)
				}
			}
		}
	}
	return out
}

// fkChild is a child along one foreign key.
type fkChild struct {
	g *fkGroup
	t mem.Ptr
}

// heldOutside returns the children held in the parent-side fields of the
// session's objects that are not in set, by foreign key.
func (s *Session) heldOutside(set map[*state]bool) map[fkChild]bool {
	out := map[fkChild]bool{}
	for _, list := range [][]*state{s.pending, s.loaded} {
		for _, st := range list {
			if set[st] {
				continue
			}
			for _, ru := range st.m.rules {
				if rb := ru.base(); rb.fk != nil && rb.r.Side != relation.FKOnOwner {
					for _, t := range rb.targets(st.obj) {
						out[fkChild{rb.fk, t}] = true
					}
				}
			}
		}
	}
	return out
}

// pointedOutside reports whether the program pointed child t's reference
// along rb's foreign key, since it was loaded, at a parent outside set.
func (s *Session) pointedOutside(rb *relBase, t mem.Ptr, set map[*state]bool) bool {
	ts := s.stateOf(rb.target, t)
	for _, cb := range rb.fk.childSides {
		p := cb.one(t)
		if !p.IsNil() && ts != nil && (&manyToOne{cb}).changed(s, ts) && !set[s.stateOf(cb.target, p)] {
			return true
		}
	}
	return false
}

// refreshRelated reloads the loaded relationships of the persistent object
// st (the membership of its collections, its references), and along the
// refresh-expire cascade (in "all") refreshes the targets themselves and
// their loaded relationships, level by level: one statement per
// relationship and level.
func (s *Session) refreshRelated(ctx context.Context, st *state) error {
	l := &loader{s: s, fields: takeRow}
	work, seen := []*state{st}, map[*state]bool{st: true}
	for len(work) > 0 {
		var next []*state
		for _, ru := range s.db.reg.rules {
			owners := loadedOwners(ru.base(), work)
			if len(owners) == 0 {
				continue
			}
			l.held = keepChanges
			if ru.base().r.Cascade.Has(relation.RefreshExpire) {
				l.held = takeRow
			}
			rows, err := l.step(ctx, ru, owners, nil)
			if err != nil {
				return fmt.Errorf("%s: %w", ru.base(), err)
			}
			for _, t := range distinct(rows) {
				if l.held == takeRow && !seen[t] {
					seen[t] = true
					next = append(next, t)
				}
			}
		}
		work = next
	}
	return nil
}

// loadedOwners returns the states of work, of rb's owner model, whose rb
// is loaded.
func loadedOwners(rb *relBase, work []*state) []*state {
	var out []*state
	for _, st := range work {
		if st.m == rb.owner && st.status == Persistent && st.isLoaded(rb.idx) {
			out = append(out, st)
		}
	}
	return out
}
