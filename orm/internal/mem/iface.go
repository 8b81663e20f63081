package mem

import (
	"reflect"
	"unsafe"
)

// eface is the runtime layout of an empty interface: the type word, then
// the data word, which for a pointer type is the pointer itself.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// Type is the interface type word of a pointer type: with [Any] it turns
// an address into an `any` of that type without allocating, the way
// reflect.Value.Interface does for pointer kinds minus the type lookup per
// call. The zero Type is not valid.
type Type struct{ t unsafe.Pointer }

// TypeOf returns the type word of t, which must be a pointer type.
func TypeOf(t reflect.Type) Type {
	if t.Kind() != reflect.Pointer {
		panic("mem.TypeOf: " + t.String() + " is not a pointer type")
	}
	v := reflect.New(t.Elem()).Interface()
	return Type{(*eface)(unsafe.Pointer(&v)).typ}
}

// Any returns p as an `any` holding a pointer of type t.
func Any(t Type, p Ptr) any {
	e := eface{typ: t.t, data: p.p}
	return *(*any)(unsafe.Pointer(&e))
}

// Data returns the pointer held by v, which must hold a pointer type (nil
// for a nil interface).
func Data(v any) Ptr { return Ptr{(*eface)(unsafe.Pointer(&v)).data} }

// NewAt returns a reflect.Value of type *t holding p (reflect.NewAt).
func NewAt(t reflect.Type, p Ptr) reflect.Value { return reflect.NewAt(t, p.p) }

// Value returns the pointer held by v, which must be of pointer, slice or
// map kind (reflect.Value.UnsafePointer).
func Value(v reflect.Value) Ptr { return Ptr{v.UnsafePointer()} }

// New allocates a zero value of t and returns its address.
func New(t reflect.Type) Ptr { return Ptr{reflect.New(t).UnsafePointer()} }

// Field returns the address of the field at the reflect index path inside
// the struct of type t at p, following embedded pointers and allocating the
// nil ones on the way (for writes). It uses reflection: callers keep it for
// fields that an offset cannot reach.
func Field(t reflect.Type, p Ptr, index []int) Ptr { return field(t, p, index, true) }

// FieldOrNil is Field for reads: through a nil embedded pointer it returns
// nil and allocates nothing.
func FieldOrNil(t reflect.Type, p Ptr, index []int) Ptr { return field(t, p, index, false) }

func field(t reflect.Type, p Ptr, index []int, alloc bool) Ptr {
	v := reflect.NewAt(t, p.p).Elem()
	for _, i := range index[:len(index)-1] {
		v = v.Field(i)
		if v.Kind() != reflect.Pointer {
			continue
		}
		if v.IsNil() {
			if !alloc {
				return Ptr{}
			}
			// unexported embedded pointers cannot be Set through reflect
			*(*unsafe.Pointer)(v.Addr().UnsafePointer()) = reflect.New(v.Type().Elem()).UnsafePointer()
		}
		v = v.Elem()
	}
	return Ptr{v.Field(index[len(index)-1]).Addr().UnsafePointer()}
}
