// Package mem holds every use of package unsafe in orm. The session keeps
// objects of many model types in one set of structures, and reaches their
// mapped fields by byte offsets computed once at registration; mem gives
// that an opaque address type, [Ptr], and small typed operations on it, so
// that the rest of orm says what it reads or writes ([Load], [Store],
// [LoadPtr], [Bytes]) and never converts pointers itself.
//
// Every helper is a few instructions and inlines; none allocates unless its
// doc says so.
//
// # Layout relied on
//
// Beyond what package unsafe guarantees (a pointer converts to and from
// unsafe.Pointer; unsafe.Add within one allocation), mem relies on the gc
// runtime's layout of two things, which reflect itself depends on:
//
//   - an empty interface is two words, the type word then the data word, and
//     the data word of a pointer type holds the pointer itself (see [Type],
//     [Any] and [Data]);
//   - a slice is a pointer, a length and a capacity (see [SliceLen] and
//     [LoadPtrs]), and a []*T shares the layout of a []Ptr, Ptr being a
//     struct of one pointer.
//
// The tests in this package check both on the running toolchain.
//
// # Rules for callers
//
// A Ptr must point to a value of the type the caller reads or writes
// through it, or to the start of a struct containing a field at the offset
// it adds. Ptr values keep what they point to alive, like any pointer.
package mem
