package orm

import (
	"reflect"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// This file reaches mapped fields without reflection. A field is found by
// its byte offset when no embedded pointer is on its path (schema.Field
// Direct), else by walking the index path once per call.

// fieldPath locates a field inside a model struct.
type fieldPath struct {
	owner  reflect.Type // the model struct type
	offset uintptr
	direct bool
	index  []int
	zero   mem.Ptr // a zero value of the field, read-only
}

// addr returns the field's address inside obj, allocating nil embedded
// pointers on the way (for writes and scans).
func (f *fieldPath) addr(obj mem.Ptr) mem.Ptr {
	if f.direct {
		return obj.Add(f.offset)
	}
	return f.addrIndirect(obj)
}

// addrIndirect is addr through embedded pointers: kept out of line, so
// that addr and read, called per column and row, inline.
//
//go:noinline
func (f *fieldPath) addrIndirect(obj mem.Ptr) mem.Ptr { return mem.Field(f.owner, obj, f.index) }

// read returns the field's address for reading: through a nil embedded
// pointer it returns the address of a shared zero value, which must not be
// written.
func (f *fieldPath) read(obj mem.Ptr) mem.Ptr {
	if f.direct {
		return obj.Add(f.offset)
	}
	return f.readIndirect(obj)
}

// readIndirect is read through embedded pointers (out of line, as
// addrIndirect).
//
//go:noinline
func (f *fieldPath) readIndirect(obj mem.Ptr) mem.Ptr {
	if p := mem.FieldOrNil(f.owner, obj, f.index); !p.IsNil() {
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
	base mem.Ptr
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
func (c *chunk) next() mem.Ptr {
	if c.left == 0 {
		if c.size == 0 || c.grow <= 1 {
			c.grow = 2
			return mem.New(c.typ)
		}
		n := c.grow
		c.grow = min(2*n, max(c.max, maxChunk))
		c.base = mem.Value(reflect.MakeSlice(reflect.SliceOf(c.typ), n, n))
		c.left = n
	}
	p := c.base
	c.left--
	if c.left > 0 {
		c.base = c.base.Add(c.size)
	}
	return p
}
