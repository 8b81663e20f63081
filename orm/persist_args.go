package orm

import (
	"errors"
	"reflect"
	"time"
	"unsafe"
)

// errRowCount: a statement returned more or fewer rows than the rows it
// was given, which the flush cannot map back to objects.
var errRowCount = errors.New("returned rows do not match the rows sent")

// assignFor returns a typed copy of one value of type t from src to dst,
// without reflection for the common kinds (the compiler's write barriers
// apply to the pointer-holding ones).
func assignFor(t reflect.Type) func(dst, src unsafe.Pointer) {
	switch {
	case plain(t) && t.Size() == 8 && t.Align() == 8:
		return func(dst, src unsafe.Pointer) { *(*uint64)(dst) = *(*uint64)(src) }
	case plain(t):
		size := t.Size()
		return func(dst, src unsafe.Pointer) {
			copy(unsafe.Slice((*byte)(dst), size), unsafe.Slice((*byte)(src), size))
		}
	case t.Kind() == reflect.String:
		return func(dst, src unsafe.Pointer) { *(*string)(dst) = *(*string)(src) }
	case t == timeType:
		return func(dst, src unsafe.Pointer) { *(*time.Time)(dst) = *(*time.Time)(src) }
	case t.Kind() == reflect.Pointer, t.Kind() == reflect.Map:
		return func(dst, src unsafe.Pointer) { *(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(src) }
	case t.Kind() == reflect.Slice:
		return func(dst, src unsafe.Pointer) { *(*[]byte)(dst) = *(*[]byte)(src) }
	}
	return func(dst, src unsafe.Pointer) { reflect.NewAt(t, dst).Elem().Set(reflect.NewAt(t, src).Elem()) }
}

// columnArrays builds one Go slice per column of set holding the states'
// values in order: the arguments of an unnest statement.
func columnArrays(m *model, set colSet, states []*state) []any {
	args := make([]any, 0, countSet(set))
	for _, c := range m.cols {
		if set.has(c.pos) {
			args = append(args, columnArray(c, states))
		}
	}
	return args
}

func columnArray(c *column, states []*state) any {
	n := len(states)
	s := reflect.MakeSlice(reflect.SliceOf(c.goType), n, n)
	base, size := s.UnsafePointer(), c.goType.Size()
	for i, st := range states {
		c.assign(unsafe.Add(base, uintptr(i)*size), c.path.read(st.obj))
	}
	return s.Interface()
}

// keyArrays builds the key (and version) arrays of an unnest UPDATE or
// DELETE from the snapshots: the values the database holds.
func keyArrays(m *model, states []*state) []any {
	var args []any
	for _, c := range m.pk {
		args = append(args, snapArray(c, states))
	}
	if v := m.version; v != nil {
		args = append(args, snapArray(v, states))
	}
	return args
}

func snapArray(c *column, states []*state) any {
	n := len(states)
	s := reflect.MakeSlice(reflect.SliceOf(c.goType), n, n)
	base, size := s.UnsafePointer(), c.goType.Size()
	for i, st := range states {
		c.assign(unsafe.Add(base, uintptr(i)*size), c.path.read(st.snap))
	}
	return s.Interface()
}

// intValue reads an integer column of obj.
func intValue(c *column, obj unsafe.Pointer) int64 {
	p := c.path.read(obj)
	switch c.goType.Kind() {
	case reflect.Int64:
		return *(*int64)(p)
	case reflect.Int32:
		return int64(*(*int32)(p))
	case reflect.Int:
		return int64(*(*int)(p))
	}
	v := reflect.NewAt(c.goType, p).Elem()
	if v.CanUint() {
		return int64(v.Uint())
	}
	return v.Int()
}

// setInt stores an integer in an integer column of obj.
func setInt(c *column, obj unsafe.Pointer, n int64) {
	v := reflect.NewAt(c.goType, c.path.addr(obj)).Elem()
	if v.CanUint() {
		v.SetUint(uint64(n))
		return
	}
	v.SetInt(n)
}
