package orm

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"reflect"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// snapKind says how a column's value is kept in an object's snapshot and
// compared with it at flush.
type snapKind uint8

const (
	// snapShallow: the value holds no reference that an in-place change
	// could go through (numbers, strings, time.Time, arrays of those), so
	// the snapshot struct's copy of the field is enough.
	snapShallow snapKind = iota
	// snapDeep: pointers, slices and maps of plain values; the snapshot
	// struct holds a deep copy, so in-place changes are seen.
	snapDeep
	// snapEncoded: JSON values and driver.Valuer types whose insides may be
	// anything; the snapshot keeps their encoding beside the struct.
	snapEncoded
)

// valueOps are the per-type functions the session uses on field addresses.
// They are built once per column at registration; none reflects on the
// common kinds.
type valueOps struct {
	kind   snapKind
	isZero func(p mem.Ptr) bool
	equal  func(a, b mem.Ptr) bool       // snapShallow and snapDeep
	deep   func(dst, src mem.Ptr)        // snapDeep: dst = deep copy of src
	encode func(p mem.Ptr) ([]byte, any) // snapEncoded
}

var timeType = reflect.TypeFor[time.Time]()
var valuerType = reflect.TypeFor[driver.Valuer]()

// opsFor returns the value functions for a field of type t; json says
// whether the column stores it as json/jsonb.
func opsFor(t reflect.Type, json bool) valueOps {
	switch {
	case json && t.Kind() != reflect.String && !(t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8):
		return encodedOps(t, jsonEncode(t))
	case t == timeType:
		return valueOps{isZero: timeZero, equal: timeEqual}
	case t.Kind() == reflect.String:
		return valueOps{isZero: stringZero, equal: stringEqual}
	case plain(t):
		return podOps(t.Size())
	case t.Kind() == reflect.Pointer && !t.Implements(valuerType):
		return pointerOps(t)
	case t.Kind() == reflect.Slice:
		return sliceOps(t)
	case t.Kind() == reflect.Map:
		return mapOps(t)
	case t.Kind() == reflect.Struct && immutable(t):
		return structOps(t)
	case t.Implements(valuerType) || reflect.PointerTo(t).Implements(valuerType):
		return encodedOps(t, valuerEncode(t))
	}
	return reflectOps(t)
}

// immutable reports whether a value of t can only change by assignment:
// plain data, strings, time.Time, and structs and arrays of those.
func immutable(t reflect.Type) bool {
	switch {
	case plain(t), t.Kind() == reflect.String, t == timeType:
		return true
	case t.Kind() == reflect.Array:
		return immutable(t.Elem())
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			if !immutable(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// structOps compares a struct of immutable fields field by field (such as
// pgtype.Text or a value type with a string inside).
func structOps(t reflect.Type) valueOps {
	type part struct {
		off uintptr
		ops valueOps
	}
	parts := make([]part, t.NumField())
	for i := range parts {
		f := t.Field(i)
		parts[i] = part{f.Offset, opsFor(f.Type, false)}
	}
	return valueOps{
		isZero: func(p mem.Ptr) bool {
			for _, f := range parts {
				if !f.ops.isZero(p.Add(f.off)) {
					return false
				}
			}
			return true
		},
		equal: func(a, b mem.Ptr) bool {
			for _, f := range parts {
				if !f.ops.equal(a.Add(f.off), b.Add(f.off)) {
					return false
				}
			}
			return true
		},
	}
}

// plain reports whether values of t hold no pointers at all, so bytes are
// the value.
func plain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return plain(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plain(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

func podOps(size uintptr) valueOps {
	return valueOps{
		kind:   snapShallow,
		isZero: func(p mem.Ptr) bool { return allZero(mem.Bytes(p, size)) },
		equal: func(a, b mem.Ptr) bool {
			return string(mem.Bytes(a, size)) == string(mem.Bytes(b, size))
		},
	}
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func timeZero(p mem.Ptr) bool     { return mem.As[time.Time](p).IsZero() }
func timeEqual(a, b mem.Ptr) bool { return mem.As[time.Time](a).Equal(mem.Load[time.Time](b)) }
func stringZero(p mem.Ptr) bool   { return mem.Load[string](p) == "" }
func stringEqual(a, b mem.Ptr) bool {
	return mem.Load[string](a) == mem.Load[string](b)
}
func nilWord(p mem.Ptr) bool { return mem.LoadPtr(p).IsNil() }

// pointerOps handles *E: nil is zero; the snapshot points to its own copy
// of the element so that *p = v is seen.
func pointerOps(t reflect.Type) valueOps {
	elem := opsFor(t.Elem(), false)
	et := t.Elem()
	if deep := typedPointerCopy(et); deep != nil {
		return valueOps{kind: snapDeep, isZero: nilWord, equal: pointerEqual(elem), deep: deep}
	}
	return valueOps{
		kind:   snapDeep,
		isZero: nilWord,
		equal: func(a, b mem.Ptr) bool {
			pa, pb := mem.LoadPtr(a), mem.LoadPtr(b)
			if pa.IsNil() || pb.IsNil() {
				return pa == pb
			}
			return elemEqual(elem, pa, pb)
		},
		deep: func(dst, src mem.Ptr) {
			ps := mem.LoadPtr(src)
			if ps.IsNil() {
				mem.StorePtr(dst, mem.Ptr{})
				return
			}
			pd := mem.New(et)
			copyValue(et, elem, pd, ps)
			mem.StorePtr(dst, pd)
		},
	}
}

// elemEqual compares two values with ops, whatever their snapshot kind.
func elemEqual(ops valueOps, a, b mem.Ptr) bool {
	if ops.kind == snapEncoded {
		ea, va := ops.encode(a)
		eb, vb := ops.encode(b)
		return bytes.Equal(ea, eb) && reflect.DeepEqual(va, vb)
	}
	return ops.equal(a, b)
}

// copyValue copies the value of type t at src to dst, deeply when ops say so.
func copyValue(t reflect.Type, ops valueOps, dst, src mem.Ptr) {
	if ops.kind == snapDeep {
		ops.deep(dst, src)
		return
	}
	mem.NewAt(t, dst).Elem().Set(mem.NewAt(t, src).Elem())
}

// sliceOps handles []E (PostgreSQL arrays, bytea): nil is zero; the
// snapshot holds a copy of the elements.
func sliceOps(t reflect.Type) valueOps {
	et := t.Elem()
	elem := opsFor(et, false)
	ops := valueOps{kind: snapDeep, isZero: nilWord}
	if plain(et) {
		size := et.Size()
		ops.equal = func(a, b mem.Ptr) bool { return podSliceEqual(a, b, size) }
	} else {
		ops.equal = func(a, b mem.Ptr) bool { return sliceEqual(t, elem, a, b) }
	}
	ops.deep = func(dst, src mem.Ptr) { sliceCopy(t, elem, dst, src) }
	return ops
}

func podSliceEqual(a, b mem.Ptr, size uintptr) bool {
	da, na := mem.SliceLen(a)
	db, nb := mem.SliceLen(b)
	if na != nb || da.IsNil() != db.IsNil() {
		return false
	}
	n := uintptr(na) * size
	return string(mem.Bytes(da, n)) == string(mem.Bytes(db, n))
}

func sliceEqual(t reflect.Type, elem valueOps, a, b mem.Ptr) bool {
	da, na := mem.SliceLen(a)
	db, nb := mem.SliceLen(b)
	if na != nb || da.IsNil() != db.IsNil() {
		return false
	}
	size := t.Elem().Size()
	for i := range na {
		off := uintptr(i) * size
		if !elemEqual(elem, da.Add(off), db.Add(off)) {
			return false
		}
	}
	return true
}

func sliceCopy(t reflect.Type, elem valueOps, dst, src mem.Ptr) {
	s := mem.NewAt(t, src).Elem()
	if s.IsNil() {
		mem.NewAt(t, dst).Elem().SetZero()
		return
	}
	n := s.Len()
	c := reflect.MakeSlice(t, n, n)
	if elem.kind != snapDeep {
		reflect.Copy(c, s)
	} else {
		size := t.Elem().Size()
		base, from := mem.Value(c), mem.Value(s)
		for i := range n {
			off := uintptr(i) * size
			elem.deep(base.Add(off), from.Add(off))
		}
	}
	mem.NewAt(t, dst).Elem().Set(c)
}

// mapOps handles maps stored in non-JSON columns (hstore and the like).
func mapOps(t reflect.Type) valueOps {
	return valueOps{
		kind:   snapDeep,
		isZero: nilWord,
		equal: func(a, b mem.Ptr) bool {
			return reflect.DeepEqual(mem.NewAt(t, a).Elem().Interface(), mem.NewAt(t, b).Elem().Interface())
		},
		deep: func(dst, src mem.Ptr) {
			s := mem.NewAt(t, src).Elem()
			d := mem.NewAt(t, dst).Elem()
			if s.IsNil() {
				d.SetZero()
				return
			}
			m := reflect.MakeMapWithSize(t, s.Len())
			for it := s.MapRange(); it.Next(); {
				m.SetMapIndex(it.Key(), it.Value())
			}
			d.Set(m)
		},
	}
}

// reflectOps is the fallback for other types (interfaces, structs holding
// pointers): a shallow snapshot compared with reflect.DeepEqual.
func reflectOps(t reflect.Type) valueOps {
	return valueOps{
		isZero: func(p mem.Ptr) bool { return mem.NewAt(t, p).Elem().IsZero() },
		equal: func(a, b mem.Ptr) bool {
			return reflect.DeepEqual(mem.NewAt(t, a).Elem().Interface(), mem.NewAt(t, b).Elem().Interface())
		},
	}
}

// encodedOps keeps an encoding of the value in the snapshot.
func encodedOps(t reflect.Type, enc func(p mem.Ptr) ([]byte, any)) valueOps {
	return valueOps{
		kind:   snapEncoded,
		isZero: func(p mem.Ptr) bool { return mem.NewAt(t, p).Elem().IsZero() },
		encode: enc,
	}
}

// jsonEncode snapshots a JSON column by its JSON text, so any change inside
// nested maps, slices or structs is seen.
func jsonEncode(t reflect.Type) func(p mem.Ptr) ([]byte, any) {
	return func(p mem.Ptr) ([]byte, any) {
		b, err := json.Marshal(mem.NewAt(t, p).Interface())
		if err != nil {
			return nil, err.Error()
		}
		return b, nil
	}
}

// valuerEncode snapshots a driver.Valuer by the value it sends.
func valuerEncode(t reflect.Type) func(p mem.Ptr) ([]byte, any) {
	return func(p mem.Ptr) ([]byte, any) {
		v := mem.NewAt(t, p)
		if !t.Implements(valuerType) {
			return valueBytes(v.Interface().(driver.Valuer).Value())
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer && e.IsNil() {
			return nil, nil
		}
		return valueBytes(e.Interface().(driver.Valuer).Value())
	}
}

func valueBytes(v driver.Value, err error) ([]byte, any) {
	if err != nil {
		return nil, err.Error()
	}
	if b, ok := v.([]byte); ok {
		return bytes.Clone(b), nil
	}
	return nil, v
}

// pointerEqual compares two *E through the element's equality.
func pointerEqual(elem valueOps) func(a, b mem.Ptr) bool {
	return func(a, b mem.Ptr) bool {
		pa, pb := mem.LoadPtr(a), mem.LoadPtr(b)
		if pa.IsNil() || pb.IsNil() {
			return pa == pb
		}
		return elemEqual(elem, pa, pb)
	}
}

// typedPointerCopy returns a deep copy of *E without reflection for the
// common element types, nil for others.
func typedPointerCopy(et reflect.Type) func(dst, src mem.Ptr) {
	if et.Name() == "" || et.PkgPath() != "" && et != timeType {
		return nil // named user types go through reflect, keeping their type
	}
	switch et.Kind() {
	case reflect.String:
		return copyPointer[string]
	case reflect.Int64:
		return copyPointer[int64]
	case reflect.Int32:
		return copyPointer[int32]
	case reflect.Int:
		return copyPointer[int]
	case reflect.Float64:
		return copyPointer[float64]
	case reflect.Bool:
		return copyPointer[bool]
	case reflect.Struct:
		if et == timeType {
			return copyPointer[time.Time]
		}
	}
	return nil
}

func copyPointer[E any](dst, src mem.Ptr) {
	p := mem.Load[*E](src)
	if p == nil {
		mem.StorePtr(dst, mem.Ptr{})
		return
	}
	q := new(E)
	*q = *p
	mem.StorePtr(dst, mem.Of(q))
}
