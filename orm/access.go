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
