package orm

import (
	"database/sql/driver"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/schema"
)

// A value the caller binds (an argument of Where, Having, Expr, a Join or
// Load filter, Raw, Exec; an Update or DO UPDATE Set value) is encoded by
// pgx from its Go type alone in the exec and simple protocol modes, and
// pgx knows no bare [16]byte, no slice of a named type, no map or struct
// for json. Such a value is bound the way a field of its type is
// (args.go): as a column of the type the mapper gives that Go type, read
// from a copy of the value. The decision is made once per Go type
// (Registry.callerColumn); values pgx encodes in every mode pass as they
// are, without reflection for the common types.

// callerArg returns v as it is bound, and whether that is another value.
func (r *Registry) callerArg(v any) (any, bool) {
	switch v := v.(type) {
	case nil, string, int, int64, int32, int16, float64, float32, bool, time.Time, []byte,
		[]string, []int64, []int, []int32, []float64, []bool, driver.Valuer:
		return v, false
	case Expression:
		args, changed := r.callerArgs(v.args)
		v.args = args
		return v, changed
	}
	t := reflect.TypeOf(v)
	c := r.callerColumn(t)
	if c == nil {
		return v, false
	}
	cell := reflect.New(t)
	cell.Elem().Set(reflect.ValueOf(v))
	p := mem.Value(cell)
	if c.goType == t {
		return c.argAt(p), true
	}
	if cell.Elem().IsNil() { // a slice bound through its elements' column
		return nil, true
	}
	objs := make([]mem.Ptr, cell.Elem().Len())
	base, size := mem.LoadPtr(p), c.goType.Size()
	for i := range objs {
		objs[i] = base.Add(uintptr(i) * size)
	}
	return c.values(objs), true
}

// callerArgs returns args as they are bound (args itself when every value
// passes as it is), and whether any changed.
func (r *Registry) callerArgs(args []any) ([]any, bool) {
	var out []any
	for i, a := range args {
		b, changed := r.callerArg(a)
		if changed && out == nil {
			out = append(make([]any, 0, len(args)), args[:i]...)
		}
		if out != nil {
			out = append(out, b)
		}
	}
	if out == nil {
		return args, false
	}
	return out, true
}

// callerColumn returns the column a caller's value of type t is bound
// through, nil when pgx encodes it as it is in every mode; built on first
// use and kept.
func (r *Registry) callerColumn(t reflect.Type) *column {
	if c, ok := r.callers.Load(t); ok {
		return c.(*column)
	}
	c := newCallerColumn(t)
	r.callers.Store(t, c)
	return c
}

// newCallerColumn decides how a value of type t is bound: a uuid
// ([16]byte, a pointer to one), a json document (a map, a struct pgx has
// no codec for), a named type's plain type ([]Gender as []string), or
// for a slice of uuids the column of its elements.
func newCallerColumn(t reflect.Type) *column {
	types := pgtype.NewMap()
	if types.PlanEncode(0, pgtype.TextFormatCode, reflect.Zero(t).Interface()) != nil {
		return nil // pgx encodes it from its Go type
	}
	base := t
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	uuid := schema.Scalar{Name: "uuid"}
	switch {
	case base == reflect.TypeFor[[16]byte]():
		return valueColumn(t, uuid, types)
	case base.Kind() == reflect.Map && base.Key().Kind() == reflect.String, base.Kind() == reflect.Struct:
		return valueColumn(t, schema.JSON{Binary: true}, types)
	case t.Kind() == reflect.Slice && t.Elem() == reflect.TypeFor[[16]byte]():
		return valueColumn(t.Elem(), uuid, types)
	case plainType(t) != t:
		return valueColumn(t, nil, types)
	}
	return nil
}

// valueColumn is a nullable column of SQL type st holding a value of Go
// type t at offset 0, as a field of a model would (nil st: bound as its
// plain type).
func valueColumn(t reflect.Type, st schema.Type, types *pgtype.Map) *column {
	c := &column{
		Column:  &schema.Column{Name: "argument", Type: st, Nullable: true},
		goType:  t,
		ptrWord: mem.TypeOf(reflect.PointerTo(t)),
		argWord: argWord(t, st),
		plain:   plainType(t),
		path:    fieldPath{direct: true, zero: mem.New(t)},
		assign:  assignFor(plainType(t)),
	}
	if _, ok := st.(schema.JSON); ok {
		c.jsonForm = jsonFormOf(t)
	}
	c.chooseSliceForm(argType(t, st), types)
	return c
}

// valueArg returns v, a value of the column's Go type, bound as the
// column binds its field: from a copy of v.
func (c *column) valueArg(v any) any {
	p := reflect.New(c.goType)
	p.Elem().Set(reflect.ValueOf(v))
	return c.argAt(mem.Value(p))
}

// setArg returns the value given for the column by a Set: bound as the
// column binds its field when it has the field's type, else as a caller's
// value.
func (r *Registry) setArg(c *column, v any) any {
	if reflect.TypeOf(v) == c.goType {
		return c.valueArg(v)
	}
	v, _ = r.callerArg(v)
	return v
}
