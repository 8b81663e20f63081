package orm

import (
	"reflect"
	"unsafe"

	"github.com/crucible-orm/crucible/schema"
)

// This file reaches mapped fields without reflection. A field is found by
// its byte offset when no embedded pointer is on its path (schema.Field
// Direct), else by walking the index path once per call.

// eface is the runtime layout of an empty interface. Building one from a
// pointer type's type word and a field address gives a typed pointer in an
// `any` without allocating, which is what pgx's Scan and argument encoding
// take; it is the same trick reflect.Value.Interface performs for pointer
// kinds, minus the per-call type lookup.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// typeWord returns the interface type word of values of type t, which must
// be a pointer type.
func typeWord(t reflect.Type) unsafe.Pointer {
	v := reflect.New(t.Elem()).Interface()
	return (*eface)(unsafe.Pointer(&v)).typ
}

// pointerAny returns p as an `any` of the pointer type whose type word is typ.
func pointerAny(typ, p unsafe.Pointer) any {
	e := eface{typ: typ, data: p}
	return *(*any)(unsafe.Pointer(&e))
}

// anyPointer returns the data word of an interface holding a pointer.
func anyPointer(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).data }

// fieldPath locates a field inside a model struct.
type fieldPath struct {
	owner  reflect.Type // the model struct type
	offset uintptr
	direct bool
	index  []int
	zero   unsafe.Pointer // a zero value of the field, read-only
}

// addr returns the field's address inside obj, allocating nil embedded
// pointers on the way (for writes and scans).
func (f *fieldPath) addr(obj unsafe.Pointer) unsafe.Pointer {
	if f.direct {
		return unsafe.Add(obj, f.offset)
	}
	return schema.FieldPointer(f.owner, obj, f.index, true)
}

// read returns the field's address for reading: through a nil embedded
// pointer it returns the address of a shared zero value, which must not be
// written.
func (f *fieldPath) read(obj unsafe.Pointer) unsafe.Pointer {
	if f.direct {
		return unsafe.Add(obj, f.offset)
	}
	if p := schema.FieldPointer(f.owner, obj, f.index, false); p != nil {
		return p
	}
	return f.zero
}

// chunk hands out zeroed values of one struct type from slabs, so that
// loading many rows costs one allocation per slab instead of one per row.
// A slab lives as long as any value in it is referenced.
// Slabs grow from one value to maxChunk, so that a session loading one row
// pays for one.
type chunk struct {
	typ  reflect.Type
	size uintptr
	base unsafe.Pointer
	left int
	grow int // size of the next slab
	max  int // largest slab: maxChunk, or internalSlab's for the session's own records
}

// maxChunk bounds the slabs of objects handed to the caller, so that one
// object kept alive keeps few others. The slabs of records only the
// session references (snapshots, states), which all die with it, grow to
// internalSlab bytes: the largest allocation Go serves from a size class,
// so that a big slab wastes no part of a page.
const (
	maxChunk     = 64
	internalSlab = 32 << 10
)

// internalSlabLen is how many records of size bytes fill an internal slab.
func internalSlabLen(size uintptr) int { return max(maxChunk, int(internalSlab/max(size, 1))) }

// The snapshot slabs of a model hold records (see model.snapType): the
// row, then room for the values its pointer fields point to.

// next returns a pointer to a fresh zero value.
func (c *chunk) next() unsafe.Pointer {
	if c.left == 0 {
		if c.size == 0 || c.grow <= 1 {
			c.grow = 2
			return reflect.New(c.typ).UnsafePointer()
		}
		n := c.grow
		c.grow = min(2*n, max(c.max, maxChunk))
		c.base = reflect.MakeSlice(reflect.SliceOf(c.typ), n, n).UnsafePointer()
		c.left = n
	}
	p := c.base
	c.left--
	if c.left > 0 {
		c.base = unsafe.Add(c.base, c.size)
	}
	return p
}
