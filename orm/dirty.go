package orm

import (
	"math/bits"
	"reflect"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// A flush compares every column of every object the session holds with
// its snapshot. The common kinds (plain numbers and bytes, strings,
// time.Time, and pointers to those) of columns reached by offset are
// compared inline, one tight loop per kind over the model's compare steps
// of that kind, without a call through the column's functions per value;
// the others go through state.same.

type cmpKind uint8

const (
	cmpCall   cmpKind = iota // state.same: encoded, deep, indirect, other
	cmpWord                  // 8 plain bytes, 8-aligned
	cmpHalf                  // 4 plain bytes, 4-aligned
	cmpShort                 // 2 plain bytes, 2-aligned
	cmpByte                  // 1 plain byte
	cmpBytes                 // size plain bytes
	cmpString                // a string (any type of kind string)
	cmpTime                  // time.Time, by Equal
	cmpPtr                   // a pointer to a value of kind elem (any above but cmpCall and cmpPtr): nil, or that value
	cmpKinds
)

// cmpStep compares one column.
type cmpStep struct {
	kind cmpKind
	elem cmpKind // cmpPtr: the kind of what the pointer points to
	pos  int     // the column's position
	off  uintptr // the field's offset in the struct (and in the snapshot)
	size uintptr // cmpBytes, or cmpPtr to cmpBytes: the value's size
	col  *column
}

// compareSteps builds the model's compare steps: one per column in
// column order (cmp), and the same grouped by kind (cmpBy).
func (m *model) compareSteps() {
	m.cmp = make([]cmpStep, len(m.cols))
	for i, c := range m.cols {
		s := cmpStep{kind: cmpKindOf(c), pos: c.pos, off: c.path.offset, size: c.goType.Size(), col: c}
		if s.kind == cmpPtr {
			s.elem, s.size = valueKind(c.goType.Elem()), c.goType.Elem().Size()
		}
		m.cmp[i] = s
		m.cmpBy[s.kind] = append(m.cmpBy[s.kind], s)
	}
}

func cmpKindOf(c *column) cmpKind {
	t := c.goType
	switch {
	case !c.path.direct || c.encSlot >= 0:
		return cmpCall
	case c.ops.kind == snapShallow:
		return valueKind(t)
	case t.Kind() == reflect.Pointer && !t.Implements(valuerType) && valueKind(t.Elem()) != cmpCall:
		return cmpPtr // compared as pointerOps does: both nil, or equal values
	}
	return cmpCall
}

// valueKind returns how a value of type t held inline is compared:
// cmpCall when none of the inline kinds fits.
func valueKind(t reflect.Type) cmpKind {
	switch {
	case t == timeType:
		return cmpTime
	case t.Kind() == reflect.String:
		return cmpString
	case !plain(t):
		return cmpCall
	}
	switch size, align := t.Size(), uintptr(t.Align()); {
	case size == 8 && align >= 8:
		return cmpWord
	case size == 4 && align >= 4:
		return cmpHalf
	case size == 2 && align >= 2:
		return cmpShort
	case size == 1:
		return cmpByte
	}
	return cmpBytes
}

// changed returns the columns whose value differs from the snapshot.
func (st *state) changed() colSet {
	var set colSet
	obj, snap, by := st.obj, st.snap, &st.m.cmpBy
	differ[uint64](by[cmpWord], obj, snap, &set)
	differ[uint32](by[cmpHalf], obj, snap, &set)
	differ[uint16](by[cmpShort], obj, snap, &set)
	differ[uint8](by[cmpByte], obj, snap, &set)
	differ[string](by[cmpString], obj, snap, &set)
	for i := range by[cmpBytes] {
		if s := &by[cmpBytes][i]; !sameValue(cmpBytes, s.size, obj.Add(s.off), snap.Add(s.off)) {
			set.add(s.pos)
		}
	}
	for i := range by[cmpTime] {
		if s := &by[cmpTime][i]; !mem.As[time.Time](obj.Add(s.off)).Equal(mem.Load[time.Time](snap.Add(s.off))) {
			set.add(s.pos)
		}
	}
	for i := range by[cmpPtr] {
		s := &by[cmpPtr][i]
		a, b := mem.LoadPtr(obj.Add(s.off)), mem.LoadPtr(snap.Add(s.off))
		if a != b && (a.IsNil() || b.IsNil() || !sameValue(s.elem, s.size, a, b)) {
			set.add(s.pos)
		}
	}
	for i := range by[cmpCall] {
		if s := &by[cmpCall][i]; !st.same(s.col) {
			set.add(s.pos)
		}
	}
	return set
}

// differ adds to set the columns of steps, whose values are Ts, that
// differ between obj and snap.
func differ[T comparable](steps []cmpStep, obj, snap mem.Ptr, set *colSet) {
	for i := range steps {
		if s := &steps[i]; mem.Load[T](obj.Add(s.off)) != mem.Load[T](snap.Add(s.off)) {
			set.add(s.pos)
		}
	}
}

// sameValue reports whether the values of kind k (not cmpCall nor
// cmpPtr) and size size at a and b are equal.
func sameValue(k cmpKind, size uintptr, a, b mem.Ptr) bool {
	switch k {
	case cmpWord:
		return mem.Load[uint64](a) == mem.Load[uint64](b)
	case cmpHalf:
		return mem.Load[uint32](a) == mem.Load[uint32](b)
	case cmpShort:
		return mem.Load[uint16](a) == mem.Load[uint16](b)
	case cmpByte:
		return mem.Load[uint8](a) == mem.Load[uint8](b)
	case cmpString:
		return mem.Load[string](a) == mem.Load[string](b)
	case cmpTime:
		return mem.As[time.Time](a).Equal(mem.Load[time.Time](b))
	}
	return string(mem.Bytes(a, size)) == string(mem.Bytes(b, size))
}

// dirty reports whether any column differs from the snapshot.
func (st *state) dirty() bool {
	set := st.changed()
	return !set.empty()
}

// patchSnapshot makes the snapshot hold again the object's current values
// after a final flush wrote the columns cols (a colSet.low, 0: unknown),
// the only ones that can differ: those columns are copied in place, when
// each is of a kind copied inline (no encoding, deep copy, pointer or
// embedded pointer). It reports false, having copied nothing, when it
// cannot.
func (st *state) patchSnapshot(cols uint64) bool {
	if cols == 0 || st.snap.IsNil() {
		return false
	}
	steps := st.m.cmp
	for set := cols; set != 0; set &= set - 1 {
		if i := bits.TrailingZeros64(set); i >= len(steps) || steps[i].kind == cmpCall || steps[i].kind == cmpPtr {
			return false
		}
	}
	obj, snap := st.obj, st.snap
	for set := cols; set != 0; set &= set - 1 {
		s := &steps[bits.TrailingZeros64(set)]
		a, b := snap.Add(s.off), obj.Add(s.off)
		switch s.kind {
		case cmpWord:
			mem.Copy[uint64](a, b)
		case cmpHalf:
			mem.Copy[uint32](a, b)
		case cmpShort:
			mem.Copy[uint16](a, b)
		case cmpByte:
			mem.Copy[uint8](a, b)
		case cmpString:
			mem.Copy[string](a, b)
		case cmpTime:
			mem.Copy[time.Time](a, b)
		default:
			copy(mem.Bytes(a, s.size), mem.Bytes(b, s.size))
		}
	}
	return true
}
