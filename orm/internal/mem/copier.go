package mem

import (
	"reflect"
	"unsafe"
)

// Copier copies values of one type the way the compiler copies a small
// struct: word by word, the words that hold pointers through pointer
// stores (so with the garbage collector's write barrier), the others as
// plain memory. It does the work of reflect.Value.Set for that type
// without reflect's per-call checks, and a pointer word that already
// holds the value is not written again: copying over an earlier copy of
// the same value (a snapshot retaken after an update) costs a collection
// running meanwhile no write barrier for the fields that did not change.
type Copier struct {
	size uintptr
	runs []copyRun // of the leading whole words; none for a type not word-aligned
	tail uintptr   // where the bytes after them start
}

// copyRun is plain words at off, then, when ptr, one word holding a
// pointer.
type copyRun struct {
	off, plain uintptr
	ptr        bool
}

const ptrSize = unsafe.Sizeof(uintptr(0))

// NewCopier returns the Copier of values of type t.
func NewCopier(t reflect.Type) *Copier {
	c := &Copier{size: t.Size()}
	if uintptr(t.Align()) < ptrSize {
		return c // no pointer, no word: copied as bytes
	}
	words := t.Size() / ptrSize
	ptrs := make([]uint64, (words+63)/64)
	pointerWords(t, 0, ptrs)
	r := copyRun{}
	for i := range words {
		if ptrs[i/64]&(1<<(i%64)) == 0 {
			r.plain++
			continue
		}
		r.ptr = true
		c.runs = append(c.runs, r)
		r = copyRun{off: (i + 1) * ptrSize}
	}
	if r.plain > 0 {
		c.runs = append(c.runs, r)
	}
	c.tail = words * ptrSize
	return c
}

// pointerWords sets in ptrs the bits of the words of a value of type t
// at byte offset off that hold pointers, as the garbage collector sees
// them.
func pointerWords(t reflect.Type, off uintptr, ptrs []uint64) {
	mark := func(off uintptr) { ptrs[off/ptrSize/64] |= 1 << (off / ptrSize % 64) }
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func, reflect.String, reflect.Slice:
		mark(off) // the data word comes first
	case reflect.Interface:
		mark(off)
		mark(off + ptrSize)
	case reflect.Array:
		for i := range t.Len() {
			pointerWords(t.Elem(), off+uintptr(i)*t.Elem().Size(), ptrs)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			pointerWords(f.Type, off+f.Offset, ptrs)
		}
	}
}

// Copy copies the value at src to dst; both hold the Copier's type.
func (c *Copier) Copy(dst, src Ptr) {
	for _, r := range c.runs {
		off := r.off
		for range r.plain {
			*(*uintptr)(unsafe.Add(dst.p, off)) = *(*uintptr)(unsafe.Add(src.p, off))
			off += ptrSize
		}
		if !r.ptr {
			continue
		}
		d := (*unsafe.Pointer)(unsafe.Add(dst.p, off))
		if p := *(*unsafe.Pointer)(unsafe.Add(src.p, off)); *d != p {
			*d = p
		}
	}
	if c.tail < c.size {
		copy(unsafe.Slice((*byte)(unsafe.Add(dst.p, c.tail)), c.size-c.tail), unsafe.Slice((*byte)(unsafe.Add(src.p, c.tail)), c.size-c.tail))
	}
}
