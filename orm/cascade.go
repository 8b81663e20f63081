package orm

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"unsafe"

	"github.com/crucible-orm/crucible/relation"
)

// Cascades along relationships, SQLAlchemy's way: save-update when an
// object is added and again at every flush (objects attached since), the
// foreign keys every held object's relationships imply (sync.go writes
// them), delete-orphan for targets detached from a parent, and delete from
// deleted parents to their children, deepest first.

// flushRel is the relationship bookkeeping of one flush (flush.rel).
type flushRel struct {
	links    map[*state]*link // per child, a chain of one link per foreign key
	slab     []link
	written  map[unsafe.Pointer]*link // child object → the link this flush writes
	children []*state                 // keys of links in the order found
	visited  []*state                 // held objects with relationships
	orphans  []orphan
	m2mAdd   map[*relMeta][]pair // association rows to insert, by canonical side
	m2mDel   map[*relMeta][]pair // association rows to delete
	secOwner map[*relMeta][]*state
	undo     []func() // puts back what the hooks wrote before the statements ran
}

// relFailed is the failed hook: it undoes, newest first, the relationship
// fields and deletion marks the hooks set in a flush that then failed.
func relFailed(f *flush) {
	fr, _ := f.rel.(*flushRel)
	if fr == nil {
		return
	}
	for i := len(fr.undo) - 1; i >= 0; i-- {
		fr.undo[i]()
	}
	fr.undo = nil
}

// setOne writes a to-one relationship field during the flush, remembering
// its old value for relFailed.
func (fr *flushRel) setOne(r *relation.Relation, owner, v unsafe.Pointer) {
	old := r.One(owner)
	fr.undo = append(fr.undo, func() { r.SetOne(owner, old) })
	r.SetOne(owner, v)
}

// markDeleting marks st for deletion during the flush, remembering that it
// was not for relFailed.
func (fr *flushRel) markDeleting(st *state) {
	fr.undo = append(fr.undo, func() { st.deleting = false })
	st.deleting = true
}

// pair is an association row: an owner and a target of a many_to_many.
type pair struct{ owner, target unsafe.Pointer }

// orphan is a child detached from a parent's unique-key relationship (a
// replaced one_to_one): its DELETE (or key clearing) goes before the new
// child's write.
type orphan struct {
	rm     *relMeta
	parent *state
	child  *state
}

// cascadeOnAdd is the onAdd hook: the save-update cascade.
func cascadeOnAdd(s *Session, st *state) error { return saveUpdate(s, st) }

// saveUpdate adds the targets of st's save-update relationships that the
// session does not hold.
func saveUpdate(s *Session, st *state) error {
	for _, r := range st.m.rels {
		if !r.Cascade.Has(relation.SaveUpdate) {
			continue
		}
		rm := metaOf(s.db.reg, r)
		for _, t := range rm.targets(st.obj) {
			if t == nil || s.stateOf(rm.target, t) != nil {
				continue
			}
			if _, err := s.add(pointerAny(rm.target.ptrWord, t)); err != nil {
				return err
			}
		}
	}
	return nil
}

// cascadeBeforeFlush is the beforeFlush hook.
func cascadeBeforeFlush(f *flush) error {
	s := f.s
	if len(s.db.reg.rels.All()) == 0 {
		return nil
	}
	fr := &flushRel{}
	f.rel = fr
	for i := 0; i < len(s.pending); i++ {
		if err := saveUpdate(s, s.pending[i]); err != nil {
			return err
		}
	}
	for _, st := range s.loaded {
		if st.status == Persistent && !st.deleting && len(st.m.rels) > 0 {
			if err := saveUpdate(s, st); err != nil {
				return err
			}
		}
	}
	for _, list := range [][]*state{s.pending, s.loaded} {
		for _, st := range list {
			if len(st.m.rels) > 0 && (st.status == Pending || st.status == Persistent) {
				fr.visited = append(fr.visited, st)
			}
		}
	}
	for _, st := range fr.visited {
		if !st.deleting {
			fr.collectLinks(s, st)
		}
	}
	for _, st := range fr.visited {
		if st.status == Persistent && !st.deleting {
			fr.findOrphans(s, st)
		}
	}
	return fr.cascadeDeletes(f)
}

// collectLinks records the keys st's relationships imply and the
// association rows added to its collections.
func (fr *flushRel) collectLinks(s *Session, st *state) {
	rs := relOf(st)
	for i, r := range st.m.rels {
		rm := metaOf(s.db.reg, r)
		switch r.Side {
		case relation.FKOnOwner:
			p := r.One(st.obj)
			seen := rs.seenOf(i)
			if p == nil {
				fr.unset(st, rm, seen)
				continue
			}
			l := link{rm: rm, child: st, parent: p, fresh: len(seen) != 1 || seen[0] != p}
			fr.addLink(l)
			if b := r.Back; l.fresh && b != nil && !b.Uselist && b.One(p) != st.obj && l.differs() {
				fr.setOne(b, p, st.obj) // a one-to-one's other side: the old child is detached
			}
		case relation.FKOnTarget:
			seen, cur := rs.seenOf(i), rm.targets(st.obj)
			same := slices.Equal(seen, cur)
			var old map[unsafe.Pointer]struct{}
			if !same {
				old = asSet(seen)
			}
			for _, c := range cur {
				cs := s.stateOf(rm.target, c)
				if cs == nil || cs.deleting {
					continue
				}
				_, was := old[c]
				fr.addLink(link{rm: rm, child: cs, parent: st.obj, fresh: !same && !was})
			}
		case relation.FKOnSecondary:
			for _, t := range minus(rm.targets(st.obj), rs.seenOf(i)) {
				fr.addPair(s, &fr.m2mAdd, rm, st.obj, t)
			}
		}
	}
}

// unset handles a to-one field set to nil since the last load or flush:
// the child is an orphan when its parent's side has delete-orphan, else
// its key is cleared when nullable.
func (fr *flushRel) unset(st *state, rm *relMeta, seen []unsafe.Pointer) {
	r := rm.r
	switch {
	case len(seen) != 1 || seen[0] == nil:
	case r.Back != nil && r.Back.Cascade.Has(relation.DeleteOrphan) && st.status == Persistent:
		fr.markDeleting(st)
	case r.Nullable:
		fr.addLink(link{rm: rm, child: st, fresh: true})
	}
}

// addLink keeps one link per child and foreign key: a fresh link (set
// since the last flush) wins over an old one. An old link that would not
// change the key is dropped at once (the common case at every autoflush).
func (fr *flushRel) addLink(l link) {
	if !l.fresh && !l.differs() {
		return
	}
	if fr.links == nil {
		fr.links = map[*state]*link{}
	}
	head, ok := fr.links[l.child]
	if !ok {
		fr.children = append(fr.children, l.child)
	}
	for x := head; x != nil; x = x.next {
		if x.rm.r.ForeignKey == l.rm.r.ForeignKey {
			if l.fresh || !x.fresh {
				l.next = x.next
				*x = l
			}
			return
		}
	}
	if len(fr.slab) == cap(fr.slab) {
		fr.slab = make([]link, 0, max(16, 2*cap(fr.slab)))
	}
	l.next = head
	fr.slab = append(fr.slab, l)
	fr.links[l.child] = &fr.slab[len(fr.slab)-1]
}

// addPair records an association row on the canonical side of the pair
// of relationships (the one whose name sorts first).
func (fr *flushRel) addPair(s *Session, set *map[*relMeta][]pair, rm *relMeta, owner, target unsafe.Pointer) {
	if b := rm.r.Back; b != nil && b.String() < rm.r.String() {
		rm, owner, target = metaOf(s.db.reg, b), target, owner
	}
	if *set == nil {
		*set = map[*relMeta][]pair{}
	}
	for _, p := range (*set)[rm] {
		if p.owner == owner && p.target == target {
			return
		}
	}
	(*set)[rm] = append((*set)[rm], pair{owner, target})
}

// findOrphans handles the targets removed from st's relationships since
// the last load or flush: association rows are deleted; a child is
// deleted (delete-orphan) or its key cleared, unless it moved to another
// parent.
func (fr *flushRel) findOrphans(s *Session, st *state) {
	rs := relOf(st)
	if rs == nil {
		return
	}
	for i, r := range st.m.rels {
		if !r.OwnerIsParent() || len(rs.seenOf(i)) == 0 {
			continue
		}
		rm := metaOf(s.db.reg, r)
		for _, t := range minus(rs.seenOf(i), rm.targets(st.obj)) {
			if r.Side == relation.FKOnSecondary {
				fr.addPair(s, &fr.m2mDel, rm, st.obj, t)
				continue
			}
			cs := s.stateOf(rm.target, t)
			if cs == nil || cs.status != Persistent || cs.deleting || fr.moved(rm, cs, st.obj) {
				continue
			}
			if r.Back != nil && r.Back.One(t) == st.obj {
				fr.setOne(r.Back, t, nil) // the other side of the removal
			}
			switch {
			case r.Cascade.Has(relation.DeleteOrphan):
				fr.markDeleting(cs)
			case r.Nullable:
				fr.addLink(link{rm: rm, child: cs, fresh: true})
			default:
				continue
			}
			fr.orphans = append(fr.orphans, orphan{rm: rm, parent: st, child: cs})
		}
	}
}

// moved reports whether child, removed from parent's relationship, was
// attached to another parent along the same foreign key.
func (fr *flushRel) moved(rm *relMeta, child *state, parent unsafe.Pointer) bool {
	for l := fr.links[child]; l != nil; l = l.next {
		if l.rm.r.ForeignKey == rm.r.ForeignKey && l.parent != nil && l.parent != parent {
			return true
		}
	}
	return false
}

// cascadeDeletes follows delete cascades from every object marked for
// deletion, level by level: loaded children are marked too; children not
// loaded are selected (one statement per relationship and level) unless
// the database deletes or detaches them itself (passive deletes). Children
// of a relationship without delete get their key cleared when it is
// nullable (and are selected for it the same way).
func (fr *flushRel) cascadeDeletes(f *flush) error {
	s := f.s
	var work []*state
	for _, st := range s.loaded {
		if st.deleting && st.status == Persistent {
			work = append(work, st)
		}
	}
	for len(work) > 0 {
		var next []*state
		need := map[*relMeta][]unsafe.Pointer{}
		var order []*relMeta
		for _, st := range work {
			for i, r := range st.m.rels {
				if !r.OwnerIsParent() {
					continue
				}
				rm := metaOf(s.db.reg, r)
				if r.Side == relation.FKOnSecondary {
					if !r.PassiveDeletes {
						if fr.secOwner == nil {
							fr.secOwner = map[*relMeta][]*state{}
						}
						fr.secOwner[rm] = append(fr.secOwner[rm], st)
					}
					continue
				}
				for _, t := range rm.targets(st.obj) {
					next = fr.deleteChild(s, rm, t, next)
				}
				acts := r.Cascade.Has(relation.Delete) || r.Nullable // deletes or detaches them
				if relOf(st).isLoaded(i) || r.PassiveDeletes || !acts || r.Lazy == relation.NoLoad {
					continue
				}
				if r.Lazy == relation.Raise {
					return &NotLoadedError{Model: st.m.typ.String(), Relation: r.Name, Need: "delete cascade"}
				}
				if need[rm] == nil {
					order = append(order, rm)
				}
				need[rm] = append(need[rm], st.obj)
			}
		}
		for _, rm := range order {
			targets, err := loadStep(f.ctx, s, rm, need[rm], nil)
			if err != nil {
				return err
			}
			for _, t := range targets {
				next = fr.deleteChild(s, rm, t, next)
			}
		}
		work = next
	}
	return nil
}

// deleteChild marks child t of a deleted parent for deletion (and returns
// it in next) or clears its key.
func (fr *flushRel) deleteChild(s *Session, rm *relMeta, t unsafe.Pointer, next []*state) []*state {
	cs := s.stateOf(rm.target, t)
	if cs == nil || cs.status != Persistent || cs.deleting {
		return next
	}
	switch {
	case rm.r.Cascade.Has(relation.Delete):
		fr.markDeleting(cs)
		return append(next, cs)
	case rm.r.Nullable && !rm.r.PassiveDeletes:
		fr.addLink(link{rm: rm, child: cs, fresh: true})
	}
	return next
}

// asSet returns the pointers as a set.
func asSet(ps []unsafe.Pointer) map[unsafe.Pointer]struct{} {
	if len(ps) == 0 {
		return nil
	}
	out := make(map[unsafe.Pointer]struct{}, len(ps))
	for _, p := range ps {
		out[p] = struct{}{}
	}
	return out
}

// minus returns the elements of a that are not in b.
func minus(a, b []unsafe.Pointer) []unsafe.Pointer {
	if len(a) == 0 || slices.Equal(a, b) {
		return nil
	}
	in := asSet(b)
	var out []unsafe.Pointer
	for _, p := range a {
		if _, ok := in[p]; !ok && p != nil {
			out = append(out, p)
		}
	}
	return out
}

// Merge copies obj — typically a detached object, say one decoded from a
// request — onto the session's object for the same row: the one the
// session holds, else the row loaded by primary key, else a new pending
// copy. It returns that object (of obj's pointer type); obj itself never
// joins the session. Every column is copied, zero values included. Along
// relationships with the merge cascade (the default) the targets are
// merged the same way and the returned object's fields point at the
// merged ones; a nil field is left alone (it may simply not be loaded).
func (s *Session) Merge(ctx context.Context, obj any) (any, error) {
	m, p, err := s.object(obj)
	if err == nil {
		p, err = s.mergeObj(ctx, m, p, map[unsafe.Pointer]unsafe.Pointer{})
	}
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return pointerAny(m.ptrWord, p), nil
}

// mergeObj merges the object at p and its merge-cascaded targets; memo
// maps merged objects to the session's, so that cycles end.
func (s *Session) mergeObj(ctx context.Context, m *model, p unsafe.Pointer, memo map[unsafe.Pointer]unsafe.Pointer) (unsafe.Pointer, error) {
	if q, ok := memo[p]; ok {
		return q, nil
	}
	dst, fresh := p, false
	if s.stateOf(m, p) == nil {
		held, err := s.heldOrLoaded(ctx, m, p)
		if err != nil {
			return nil, err
		}
		if dst = held; dst == nil {
			dst, fresh = reflect.New(m.typ).UnsafePointer(), true
		}
		for _, c := range m.cols {
			c.copyTo(dst, p)
		}
	}
	memo[p] = dst
	for _, r := range m.rels {
		if !r.Cascade.Has(relation.Merge) {
			continue
		}
		rm := metaOf(s.db.reg, r)
		if r.Uselist && r.Many(p) != nil || !r.Uselist && r.One(p) != nil {
			if err := s.mergeField(ctx, rm, p, dst, memo); err != nil {
				return nil, err
			}
		}
	}
	if fresh {
		if _, err := s.add(pointerAny(m.ptrWord, dst)); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// mergeField merges the targets of src's relationship into dst's. An
// unloaded collection of a stored dst is loaded first, so that targets
// missing from src count as removed (delete-orphan applies).
func (s *Session) mergeField(ctx context.Context, rm *relMeta, src, dst unsafe.Pointer, memo map[unsafe.Pointer]unsafe.Pointer) error {
	if st := s.stateOf(rm.owner, dst); rm.r.Uselist && st != nil && st.status == Persistent && !relOf(st).isLoaded(rm.idx) {
		if _, err := loadStep(ctx, s, rm, []unsafe.Pointer{dst}, nil); err != nil {
			return err
		}
	}
	from := rm.targets(src)
	merged := make([]unsafe.Pointer, len(from))
	for i, t := range from {
		q, err := s.mergeObj(ctx, rm.target, t, memo)
		if err != nil {
			return err
		}
		merged[i] = q
	}
	if rm.r.Uselist {
		rm.r.SetMany(dst, merged)
	} else {
		rm.r.SetOne(dst, merged[0])
	}
	return nil
}

// heldOrLoaded returns the session's object with p's primary key: held,
// or loaded; nil when p has no key or no row has it.
func (s *Session) heldOrLoaded(ctx context.Context, m *model, p unsafe.Pointer) (unsafe.Pointer, error) {
	k, ok := m.keyOf(p)
	if !ok {
		return nil, nil
	}
	if st := s.lookup(k); st != nil {
		return st.obj, nil
	}
	args := make([]any, len(m.pk))
	for i, c := range m.pk {
		args[i] = c.arg(p)
	}
	objs, err := s.loadRows(ctx, m, s.db.sql[m.id].byKey, args)
	if err != nil || len(objs) == 0 {
		return nil, err
	}
	return objs[0], nil
}
