package relation

import (
	"unsafe"

	"github.com/crucible-orm/crucible/schema"
)

// The accessors below read and write a relationship field without
// reflection on the hot path. owner must point to a value of the owner's
// model type (Table.GoType); target values point to a Target.GoType value.
// A field reachable without following an embedded pointer is reached by
// its precomputed byte offset; otherwise the index path is walked once per
// call (reading through a nil embedded pointer yields nil, writing
// allocates it). The accessors do no locking: callers own the objects.

// One returns the pointer stored in a to-one field (a *T), nil when unset.
// It must not be called on a collection.
func (r *Relation) One(owner unsafe.Pointer) unsafe.Pointer {
	p := r.addr(owner, false)
	if p == nil {
		return nil
	}
	return *(*unsafe.Pointer)(p)
}

// SetOne stores target (nil clears it) in a to-one field.
func (r *Relation) SetOne(owner, target unsafe.Pointer) {
	*(*unsafe.Pointer)(r.addr(owner, true)) = target
}

// Many returns the elements of a collection field (a []*T) as a slice
// sharing the field's backing array; nil when unset. It must not be called
// on a to-one field.
func (r *Relation) Many(owner unsafe.Pointer) []unsafe.Pointer {
	p := r.addr(owner, false)
	if p == nil {
		return nil
	}
	return *(*[]unsafe.Pointer)(p)
}

// SetMany replaces the elements of a collection field with targets, which
// the field then shares.
func (r *Relation) SetMany(owner unsafe.Pointer, targets []unsafe.Pointer) {
	*(*[]unsafe.Pointer)(r.addr(owner, true)) = targets
}

// Append adds target at the end of a collection field.
func (r *Relation) Append(owner, target unsafe.Pointer) {
	p := (*[]unsafe.Pointer)(r.addr(owner, true))
	*p = append(*p, target)
}

// addr returns the field's address inside the owner struct, or nil when a
// nil embedded pointer is on the path and alloc is false.
func (r *Relation) addr(owner unsafe.Pointer, alloc bool) unsafe.Pointer {
	if r.Field.Direct {
		return unsafe.Add(owner, r.Field.Offset)
	}
	return schema.FieldPointer(r.Table.GoType, owner, r.Field.Index, alloc)
}
