package orm

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"unsafe"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// Parent key → child foreign key copies (SQLAlchemy's sync.py), both
// sides of back_populates kept in step after a flush, and the
// per-relationship column accessors every relationship file uses.

// relMeta is a relationship with the orm columns of its two sides, built
// on first use and cached (relations are immutable).
type relMeta struct {
	r             *relation.Relation
	idx           int // position among the owner's relationships
	owner, target *model
	// local and remote are the join columns of the owner and the target
	// (for many_to_many, the keys each side's association column copies).
	local, remote []*column
	// parent and child are the columns of Sync: child = parent.
	parent, child []*column
}

// metaOf returns the relMeta of r, cached in the registry.
func metaOf(reg *Registry, r *relation.Relation) *relMeta {
	if v, ok := reg.relMetas.Load(r); ok {
		return v.(*relMeta)
	}
	rm := &relMeta{r: r, owner: reg.byTable[r.Table], target: reg.byTable[r.Target]}
	for i, x := range rm.owner.rels {
		if x == r {
			rm.idx = i
		}
	}
	rm.local = colsOf(rm.owner, r.LocalColumns)
	rm.remote = colsOf(rm.target, r.RemoteColumns)
	parentM, childM := rm.owner, rm.target
	if r.Side == relation.FKOnOwner {
		parentM, childM = rm.target, rm.owner
	}
	if r.Side != relation.FKOnSecondary {
		for _, p := range r.Sync {
			rm.parent = append(rm.parent, colOf(parentM, p.Parent))
			rm.child = append(rm.child, colOf(childM, p.Child))
		}
	}
	v, _ := reg.relMetas.LoadOrStore(r, rm)
	return v.(*relMeta)
}

func colsOf(m *model, cols []*schema.Column) []*column {
	out := make([]*column, len(cols))
	for i, c := range cols {
		out[i] = colOf(m, c)
	}
	return out
}

func colOf(m *model, c *schema.Column) *column {
	if i := indexOf(m.table.Columns, c); i >= 0 {
		return m.cols[i]
	}
	return m.column(c.Name)
}

// targets returns the objects a relationship field holds: the elements of
// a collection, or the one pointer of a to-one field (none when nil).
func (rm *relMeta) targets(owner unsafe.Pointer) []unsafe.Pointer {
	if rm.r.Uselist {
		return rm.r.Many(owner)
	}
	if p := rm.r.One(owner); p != nil {
		return []unsafe.Pointer{p}
	}
	return nil
}

// vkey is a comparable copy of the values of one or more columns.
type vkey struct {
	n int64
	s string
}

// readKey returns the values of cols in obj; false when one is NULL or
// zero (no key yet).
func readKey(cols []*column, obj unsafe.Pointer) (vkey, bool) {
	if len(cols) == 1 {
		return readValue(cols[0], obj)
	}
	var b []byte
	for _, c := range cols {
		v, ok := readValue(c, obj)
		if !ok {
			return vkey{}, false
		}
		b = strconv.AppendInt(b, v.n, 10)
		b = append(b, 0)
		b = append(append(b, v.s...), 0)
	}
	return vkey{s: string(b)}, true
}

// readValue reads one column without reflection for integer and string
// columns (and pointers to them).
func readValue(c *column, obj unsafe.Pointer) (vkey, bool) {
	p, t := c.path.read(obj), c.goType
	if t.Kind() == reflect.Pointer {
		if p = *(*unsafe.Pointer)(p); p == nil {
			return vkey{}, false
		}
		t = t.Elem()
	}
	return valueAt(t, p)
}

func valueAt(t reflect.Type, p unsafe.Pointer) (vkey, bool) {
	var k vkey
	switch t.Kind() {
	case reflect.Int64:
		k.n = *(*int64)(p)
	case reflect.Int32:
		k.n = int64(*(*int32)(p))
	case reflect.Int:
		k.n = int64(*(*int)(p))
	case reflect.String:
		k.s = *(*string)(p)
		return k, k.s != ""
	default:
		v := reflect.NewAt(t, p).Elem()
		if v.IsZero() {
			return k, false
		}
		return vkey{s: fmt.Sprint(v.Interface())}, true
	}
	return k, k.n != 0
}

// anyKey turns a scanned value (an association column) into a vkey.
func anyKey(v any) vkey {
	switch v := v.(type) {
	case int64:
		return vkey{n: v}
	case int32:
		return vkey{n: int64(v)}
	case string:
		return vkey{s: v}
	}
	return vkey{s: fmt.Sprint(v)}
}

// copyColumn stores src's value of column sc into dst's column dc: the
// same type is a plain copy; a pointer column receives a fresh pointer.
func copyColumn(dc *column, dst unsafe.Pointer, sc *column, src unsafe.Pointer) {
	from := sc.path.read(src)
	if dc.goType == sc.goType {
		dc.assign(dc.path.addr(dst), from)
		return
	}
	sv := reflect.NewAt(sc.goType, from).Elem()
	dv := reflect.NewAt(dc.goType, dc.path.addr(dst)).Elem()
	if sv.Kind() == reflect.Pointer {
		if sv.IsNil() {
			dv.SetZero()
			return
		}
		sv = sv.Elem()
	}
	if dv.Kind() == reflect.Pointer {
		np := reflect.New(dv.Type().Elem())
		np.Elem().Set(sv.Convert(dv.Type().Elem()))
		dv.Set(np)
		return
	}
	dv.Set(sv.Convert(dv.Type()))
}

// link is one foreign key the flush must write: the child's columns from
// the parent's key, or NULL when parent is nil.
type link struct {
	rm     *relMeta
	child  *state
	parent unsafe.Pointer // nil: set the key to NULL
	fresh  bool           // set since the last flush or load
	next   *link          // the child's next link
}

// syncLink copies the parent's key into the child (or clears it), with
// the journal told first so that a failed flush puts the old values back.
func syncLink(f *flush, l *link) {
	cs := l.child
	for i, cc := range l.rm.child {
		f.overwrite(cs, cc)
		if l.parent == nil {
			cc.setZero(cs.obj)
			continue
		}
		copyColumn(cc, cs.obj, l.rm.parent[i], l.parent)
	}
}

// differs reports whether writing the link would change the child's key.
func (l *link) differs() bool {
	ck, cok := readKey(l.rm.child, l.child.obj)
	if l.parent == nil {
		return cok
	}
	pk, pok := readKey(l.rm.parent, l.parent)
	return !pok || !cok || pk != ck
}

// syncBeforeWrite is the beforeWrite hook: an insert or update copies its
// parents' keys, generated or not, right before its values are read.
func syncBeforeWrite(f *flush, a *action) error {
	fr, _ := f.rel.(*flushRel)
	if fr == nil {
		return nil
	}
	for l := fr.links[a.st]; l != nil; l = l.next {
		syncLink(f, l)
	}
	return nil
}

// relAfterFlush is the afterFlush hook: both sides of each pair of
// relationships agree again (back_populates), deleted objects leave the
// collections that held them, and each object's relationships are
// recorded as of this flush for the next one's comparisons.
func relAfterFlush(f *flush) {
	fr, _ := f.rel.(*flushRel)
	if fr == nil {
		return
	}
	s := f.s
	var gone map[unsafe.Pointer]bool
	for _, a := range f.actions {
		if a.kind == actDelete {
			if gone == nil {
				gone = map[unsafe.Pointer]bool{}
			}
			gone[a.st.obj] = true
		}
	}
	for _, side := range []relation.Side{relation.FKOnOwner, relation.FKOnTarget} {
		for _, st := range fr.visited {
			if st.status == Persistent {
				fr.backPopulate(s, st, side)
			}
		}
	}
	fr.backPopulatePairs(s)
	ar := &relArena{}
	for _, st := range fr.visited {
		ar.nStates++
		ar.nSeen += len(st.m.rels)
	}
	for _, st := range fr.visited {
		if st.status != Persistent {
			continue
		}
		inserted := false
		if a := f.actionOf(st); a != nil && a.kind == actInsert {
			inserted = true
		}
		st.related = snapRels(s, ar, st, inserted, gone)
	}
}

// relArena allocates the relStates of one flush in a few blocks.
type relArena struct {
	nStates, nSeen int
	states         []relState
	seens          [][]unsafe.Pointer
	ptrs           []unsafe.Pointer
}

func (a *relArena) state(nRels int) *relState {
	if len(a.states) == 0 {
		a.states = make([]relState, max(a.nStates, 1))
	}
	if len(a.seens) < nRels {
		a.seens = make([][]unsafe.Pointer, max(a.nSeen, nRels))
	}
	rs := &a.states[0]
	a.states = a.states[1:]
	rs.seen, a.seens = a.seens[:nRels:nRels], a.seens[nRels:]
	return rs
}

// copy returns a copy of ps whose capacity ends at its length.
func (a *relArena) copy(ps []unsafe.Pointer) []unsafe.Pointer {
	if len(ps) == 0 {
		return nil
	}
	if cap(a.ptrs)-len(a.ptrs) < len(ps) {
		a.ptrs = make([]unsafe.Pointer, 0, max(256, 2*cap(a.ptrs), len(ps)))
	}
	lo := len(a.ptrs)
	a.ptrs = append(a.ptrs, ps...)
	return a.ptrs[lo:len(a.ptrs):len(a.ptrs)]
}

// backPopulate sets the other side of st's relationships of one side:
// the collection of a parent a to-one relationship was pointed at in this
// flush (moving the child out of its old parent's), or the to-one back
// reference of each child in a collection. Moves go first, so that a
// child's old parent no longer claims it.
func (fr *flushRel) backPopulate(s *Session, st *state, side relation.Side) {
	for _, r := range st.m.rels {
		b := r.Back
		if b == nil || r.Side != side {
			continue
		}
		rm := metaOf(s.db.reg, r)
		switch r.Side {
		case relation.FKOnTarget:
			fr.pointBack(rm, st.obj)
		case relation.FKOnOwner:
			p := r.One(st.obj)
			if p == nil || !fr.wrote(st, rm) {
				continue
			}
			if !b.Uselist {
				b.SetOne(p, st.obj)
				continue
			}
			if !slices.Contains(b.Many(p), st.obj) {
				b.Append(p, st.obj)
			}
			if old := relOf(st).seenOf(rm.idx); len(old) == 1 && old[0] != p && old[0] != nil {
				b.SetMany(old[0], removePtr(b.Many(old[0]), st.obj))
			}
		}
	}
}

// pointBack points the children in owner's field back at owner. A child
// this flush moved to another parent (or detached) leaves owner's field;
// one it moved here leaves its old parent's.
func (fr *flushRel) pointBack(rm *relMeta, owner unsafe.Pointer) {
	r, b := rm.r, rm.r.Back
	var gone []unsafe.Pointer
	for _, t := range rm.targets(owner) {
		l := fr.written[t]
		switch {
		case l != nil && l.rm.r.ForeignKey == r.ForeignKey && l.parent != owner:
			gone = append(gone, t)
			continue
		case l != nil && l.parent == owner:
			if old := b.One(t); old != nil && old != owner {
				detach(r, old, t)
			}
		}
		if b.One(t) != owner {
			b.SetOne(t, owner)
		}
	}
	for _, t := range gone {
		detach(r, owner, t)
	}
}

// detach removes t from owner's field.
func detach(r *relation.Relation, owner, t unsafe.Pointer) {
	if r.Uselist {
		r.SetMany(owner, removePtr(r.Many(owner), t))
	} else if r.One(owner) == t {
		r.SetOne(owner, nil)
	}
}

// wrote reports whether this flush wrote st's key for rm.
func (fr *flushRel) wrote(st *state, rm *relMeta) bool {
	for l := fr.links[st]; l != nil; l = l.next {
		if l.rm == rm {
			return true
		}
	}
	return false
}

// backPopulatePairs puts added and removed association pairs on both
// sides' collections.
func (fr *flushRel) backPopulatePairs(s *Session) {
	for rm, pairs := range fr.m2mAdd {
		for _, p := range pairs {
			if !slices.Contains(rm.r.Many(p.owner), p.target) {
				rm.r.Append(p.owner, p.target)
			}
			if b := rm.r.Back; b != nil && !slices.Contains(b.Many(p.target), p.owner) {
				b.Append(p.target, p.owner)
			}
		}
	}
	for rm, pairs := range fr.m2mDel {
		for _, p := range pairs {
			rm.r.SetMany(p.owner, removePtr(rm.r.Many(p.owner), p.target))
			if b := rm.r.Back; b != nil {
				b.SetMany(p.target, removePtr(b.Many(p.target), p.owner))
			}
		}
	}
}

// snapRels records st's relationships as of now; objects in gone (deleted
// by the flush) are first removed from its fields.
func snapRels(s *Session, ar *relArena, st *state, inserted bool, gone map[unsafe.Pointer]bool) *relState {
	old := relOf(st)
	rs := ar.state(len(st.m.rels))
	if old != nil {
		rs.loaded = old.loaded
	}
	if inserted {
		rs.loaded = ^uint64(0)
	}
	for i, r := range st.m.rels {
		rm := metaOf(s.db.reg, r)
		cur := rm.targets(st.obj)
		if gone != nil {
			cur = dropGone(rm, st, cur, gone)
		}
		if prev := old.seenOf(i); slices.Equal(prev, cur) {
			rs.seen[i] = prev
			continue
		}
		rs.seen[i] = ar.copy(cur)
	}
	return rs
}

// dropGone removes deleted objects from st's relationship field.
func dropGone(rm *relMeta, st *state, cur []unsafe.Pointer, gone map[unsafe.Pointer]bool) []unsafe.Pointer {
	keep := cur[:0:0]
	for _, t := range cur {
		if !gone[t] {
			keep = append(keep, t)
		}
	}
	if len(keep) == len(cur) {
		return cur
	}
	if rm.r.Uselist {
		rm.r.SetMany(st.obj, keep)
	} else {
		rm.r.SetOne(st.obj, nil)
	}
	return keep
}

// removePtr returns list without p, in a new slice when p was there.
func removePtr(list []unsafe.Pointer, p unsafe.Pointer) []unsafe.Pointer {
	if !slices.Contains(list, p) {
		return list
	}
	return slices.DeleteFunc(slices.Clone(list), func(x unsafe.Pointer) bool { return x == p })
}
