package mem

import (
	"unsafe"
	"weak"
)

// Ptr is the address of a value whose type the caller knows (from its model
// or column), or nil (the zero Ptr). It is comparable and keeps its target
// alive.
type Ptr struct{ p unsafe.Pointer }

// Of returns the address x as a Ptr.
func Of[T any](x *T) Ptr { return Ptr{unsafe.Pointer(x)} }

// As returns p as a *T; p must point to a T.
func As[T any](p Ptr) *T { return (*T)(p.p) }

// Load returns the T at p.
func Load[T any](p Ptr) T { return *(*T)(p.p) }

// Store writes v at p, which must point to a T.
func Store[T any](p Ptr, v T) { *(*T)(p.p) = v }

// Copy copies the T at src to dst.
func Copy[T any](dst, src Ptr) { *(*T)(dst.p) = *(*T)(src.p) }

// IsNil reports whether p is the nil address.
func (p Ptr) IsNil() bool { return p.p == nil }

// Add returns p advanced by off bytes: the address of a field at offset off
// of the struct p points to, or of an element of an array.
func (p Ptr) Add(off uintptr) Ptr { return Ptr{unsafe.Add(p.p, off)} }

// Uintptr returns the address as a number, for naming things after an
// object (it does not keep the object alive).
func (p Ptr) Uintptr() uintptr { return uintptr(p.p) }

// LoadPtr returns the pointer stored at p (p points to a pointer field, a
// *T of any T).
func LoadPtr(p Ptr) Ptr { return Ptr{*(*unsafe.Pointer)(p.p)} }

// StorePtr stores v in the pointer field at p.
func StorePtr(p, v Ptr) { *(*unsafe.Pointer)(p.p) = v.p }

// LoadPtrs returns the slice stored at p (p points to a []*T of any T) as a
// []Ptr sharing its backing array.
func LoadPtrs(p Ptr) []Ptr { return *(*[]Ptr)(p.p) }

// StorePtrs stores s in the slice field at p (a []*T of any T), which then
// shares s's backing array; s's elements must be *T.
func StorePtrs(p Ptr, s []Ptr) { *(*[]Ptr)(p.p) = s }

// Bytes returns the n bytes at p as a slice sharing their memory. The
// memory must hold no pointers when the slice is written.
func Bytes(p Ptr, n uintptr) []byte { return unsafe.Slice((*byte)(p.p), n) }

// SliceLen returns the data pointer and length of the slice at p (a []E of
// any E).
func SliceLen(p Ptr) (Ptr, int) {
	h := (*sliceHeader)(p.p)
	return Ptr{h.data}, h.len
}

// SliceArray returns the backing array of the slice at p (a []E of any
// E); nil when it has no capacity (an empty slice shares one address with
// every other).
func SliceArray(p Ptr) Ptr {
	h := (*sliceHeader)(p.p)
	if h.cap == 0 {
		return Ptr{}
	}
	return Ptr{h.data}
}

type sliceHeader struct {
	data unsafe.Pointer
	len  int
	cap  int
}

// String returns the n bytes at p as a string sharing their memory, which
// must not change afterwards.
func String(p Ptr, n int) string { return unsafe.String((*byte)(p.p), n) }

// StringData returns the address of s's bytes (nil for an empty string).
func StringData(s string) Ptr { return Ptr{unsafe.Pointer(unsafe.StringData(s))} }

// Size returns the size in bytes of a T.
func Size[T any]() uintptr {
	var v T
	return unsafe.Sizeof(v)
}

// Weak is a weak reference to the value a Ptr points to: it does not keep
// it alive, and tells whether a Ptr is that value, still alive. The zero
// Weak refers to nothing.
type Weak struct{ w weak.Pointer[byte] }

// MakeWeak returns a weak reference to the value at p. It allocates a
// handle the first time an object gets one.
func MakeWeak(p Ptr) Weak { return Weak{weak.Make((*byte)(p.p))} }

// Is reports whether w was made from p and its object is still alive.
func (w Weak) Is(p Ptr) bool {
	v := w.w.Value()
	return v != nil && unsafe.Pointer(v) == p.p
}

// Alive reports whether the object w was made from is still alive.
func (w Weak) Alive() bool { return w.w.Value() != nil }
