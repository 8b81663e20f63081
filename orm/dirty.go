package orm

import (
	"reflect"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// A flush compares every column of every object the session holds with
// its snapshot. The common kinds (plain numbers and bytes, strings,
// time.Time) of columns reached by offset are compared inline in one
// loop over the model's compare steps, without a call through the
// column's functions per value; the others go through state.same.

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
)

// cmpStep compares one column.
type cmpStep struct {
	kind cmpKind
	off  uintptr // the field's offset in the struct (and in the snapshot)
	size uintptr // cmpBytes
	col  *column
}

// compareSteps builds the model's compare steps, one per column in
// column order.
func (m *model) compareSteps() {
	m.cmp = make([]cmpStep, len(m.cols))
	for i, c := range m.cols {
		m.cmp[i] = cmpStep{kind: cmpKindOf(c), off: c.path.offset, size: c.goType.Size(), col: c}
	}
}

func cmpKindOf(c *column) cmpKind {
	t := c.goType
	switch {
	case !c.path.direct || c.ops.kind != snapShallow || c.encSlot >= 0:
		return cmpCall
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

// nextChange returns the index of the first compare step from i on whose
// column no longer holds its snapshot value, len(steps) when none.
func (st *state) nextChange(i int) int {
	steps := st.m.cmp
	obj, snap := st.obj, st.snap
	for ; i < len(steps); i++ {
		s := &steps[i]
		a, b := obj.Add(s.off), snap.Add(s.off)
		var same bool
		switch s.kind {
		case cmpWord:
			same = mem.Load[uint64](a) == mem.Load[uint64](b)
		case cmpHalf:
			same = mem.Load[uint32](a) == mem.Load[uint32](b)
		case cmpShort:
			same = mem.Load[uint16](a) == mem.Load[uint16](b)
		case cmpByte:
			same = mem.Load[uint8](a) == mem.Load[uint8](b)
		case cmpBytes:
			same = string(mem.Bytes(a, s.size)) == string(mem.Bytes(b, s.size))
		case cmpString:
			same = mem.Load[string](a) == mem.Load[string](b)
		case cmpTime:
			same = mem.As[time.Time](a).Equal(mem.Load[time.Time](b))
		default:
			same = st.same(s.col)
		}
		if !same {
			return i
		}
	}
	return i
}
