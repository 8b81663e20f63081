package orm

import (
	"database/sql/driver"
	"errors"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// errRowCount: a statement returned more or fewer rows than the rows it
// was given, which the flush cannot map back to objects.
var errRowCount = errors.New("returned rows do not match the rows sent")

// assignFor returns a typed copy of one value of type t from src to dst,
// without reflection for the common kinds (the compiler's write barriers
// apply to the pointer-holding ones).
func assignFor(t reflect.Type) func(dst, src mem.Ptr) {
	switch {
	case plain(t) && t.Size() == 8 && t.Align() == 8:
		return func(dst, src mem.Ptr) { mem.Copy[uint64](dst, src) }
	case plain(t):
		size := t.Size()
		return func(dst, src mem.Ptr) {
			copy(mem.Bytes(dst, size), mem.Bytes(src, size))
		}
	case t.Kind() == reflect.String:
		return func(dst, src mem.Ptr) { mem.Copy[string](dst, src) }
	case t == timeType:
		return func(dst, src mem.Ptr) { mem.Copy[time.Time](dst, src) }
	case t.Kind() == reflect.Pointer, t.Kind() == reflect.Map:
		return func(dst, src mem.Ptr) { mem.StorePtr(dst, mem.LoadPtr(src)) }
	case t.Kind() == reflect.Slice:
		return func(dst, src mem.Ptr) { mem.Copy[[]byte](dst, src) }
	}
	return func(dst, src mem.Ptr) { mem.NewAt(t, dst).Elem().Set(mem.NewAt(t, src).Elem()) }
}

// columnArrays returns one array parameter per column of set holding the
// states' values in order: the arguments of an unnest statement.
func columnArrays(m *model, set colSet, states []*state) []any {
	args := make([]any, 0, countSet(set))
	for _, c := range m.cols {
		if set.has(c.pos) {
			args = append(args, newFieldArray(c, states, fromObjects))
		}
	}
	return args
}

// keyArrays returns the key (and version) array parameters of an unnest
// UPDATE or DELETE, read from the snapshots: the values the database
// holds.
func keyArrays(m *model, states []*state) []any {
	var args []any
	for _, c := range m.pk {
		args = append(args, newFieldArray(c, states, fromSnapshots))
	}
	if v := m.version; v != nil {
		args = append(args, newFieldArray(v, states, fromSnapshots))
	}
	return args
}

// fieldArray is one column of many objects bound as one array
// parameter (pgtype.ArrayGetter). pgx encodes it element by element
// straight from the objects' fields through the column's bound-argument
// type, so a batch of n rows costs no intermediate Go slice per column
// and no boxed value per element.
type fieldArray struct {
	c      *column
	states []*state
	from   valueSource
	dims   [1]pgtype.ArrayDimension
}

var (
	_ pgtype.ArrayGetter = (*fieldArray)(nil)
	_ driver.Valuer      = (*fieldArray)(nil)
)

// valueSource says where a fieldArray reads the states' values.
type valueSource uint8

const (
	fromObjects   valueSource = iota // the objects: the values to write
	fromSnapshots                    // the snapshots: the values the database holds
)

func newFieldArray(c *column, states []*state, from valueSource) *fieldArray {
	a := &fieldArray{c: c, states: states, from: from}
	a.dims[0] = pgtype.ArrayDimension{Length: int32(len(states)), LowerBound: 1}
	return a
}

// Dimensions implements pgtype.ArrayGetter: one dimension, one element
// per object.
func (a *fieldArray) Dimensions() []pgtype.ArrayDimension { return a.dims[:] }

// Index implements pgtype.ArrayGetter: the i-th object's field as the
// column's bound argument (a typed pointer, no allocation).
func (a *fieldArray) Index(i int) any {
	st := a.states[i]
	if a.from == fromSnapshots {
		return a.c.arg(st.snap)
	}
	return a.c.arg(st.obj)
}

// IndexType implements pgtype.ArrayGetter.
func (a *fieldArray) IndexType() any {
	if a.c.jsonForm != jsonNone {
		return &jsonArg{c: a.c, p: a.c.path.zero}
	}
	return mem.Any(a.c.argWord, a.c.path.zero)
}

// Value implements driver.Valuer for the exec modes where pgx does not
// know the parameter's type (exec, simple protocol): the values as a Go
// slice it can encode without it (args_slice.go).
func (a *fieldArray) Value() (driver.Value, error) {
	v := a.slice()
	if f, ok := v.(failedArg); ok {
		return nil, f.err
	}
	return v, nil
}

// logValue shows the values in the statement log.
func (a *fieldArray) logValue() any { return a.slice() }

// slice returns the values as one slice argument.
func (a *fieldArray) slice() any {
	objs := make([]mem.Ptr, len(a.states))
	for i, st := range a.states {
		objs[i] = st.obj
		if a.from == fromSnapshots {
			objs[i] = st.snap
		}
	}
	return a.c.values(objs)
}

// intValue reads an integer column of obj.
func intValue(c *column, obj mem.Ptr) int64 {
	p := c.path.read(obj)
	switch c.goType.Kind() {
	case reflect.Int64:
		return mem.Load[int64](p)
	case reflect.Int32:
		return int64(mem.Load[int32](p))
	case reflect.Int:
		return int64(mem.Load[int](p))
	}
	v := mem.NewAt(c.goType, p).Elem()
	if v.CanUint() {
		return int64(v.Uint())
	}
	return v.Int()
}

// setInt stores an integer in an integer column of obj.
func setInt(c *column, obj mem.Ptr, n int64) {
	v := mem.NewAt(c.goType, c.path.addr(obj)).Elem()
	if v.CanUint() {
		v.SetUint(uint64(n))
		return
	}
	v.SetInt(n)
}
