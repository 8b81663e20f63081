package orm

import (
	"database/sql/driver"
	"encoding/json"
	"reflect"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// jsonArg is the bound argument of a json or jsonb column: a driver.Valuer
// giving the field's JSON text, which pgx sends as it is in every exec
// mode (it has no codec for an arbitrary Go type without the parameter's
// type OID, and would send a []byte as bytea). The text is what pgx's
// JSON codec would write: a string or []byte field's own text, any other
// value marshalled with encoding/json; a nil pointer (or nil []byte) is
// NULL, and a nil slice or map of a NOT NULL column is written empty.
type jsonArg struct {
	c *column
	p mem.Ptr // the field, read-only
}

var _ driver.Valuer = (*jsonArg)(nil)

// jsonForm is how a json column's Go type becomes JSON text.
type jsonForm uint8

const (
	jsonNone    jsonForm = iota // not a json column
	jsonMarshal                 // encoding/json
	jsonString                  // the string is the JSON text
	jsonBytes                   // the []byte is the JSON text
)

// jsonFormOf returns the form for a field of type t in a json column.
func jsonFormOf(t reflect.Type) jsonForm {
	switch {
	case t.Kind() == reflect.String:
		return jsonString
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return jsonBytes
	}
	return jsonMarshal
}

// Value implements driver.Valuer: the JSON text, or nil for NULL.
func (a *jsonArg) Value() (driver.Value, error) {
	c, p := a.c, a.p
	switch c.jsonForm {
	case jsonString:
		return mem.Load[string](p), nil
	case jsonBytes:
		b := mem.Load[[]byte](p)
		if b == nil {
			return nil, nil
		}
		return string(b), nil
	}
	v := mem.Any(c.ptrWord, p)
	switch k := c.goType.Kind(); {
	case k == reflect.Pointer && mem.LoadPtr(p).IsNil():
		return nil, nil
	case c.empty != nil && (k == reflect.Map || k == reflect.Slice) && mem.LoadPtr(p).IsNil():
		v = c.empty
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// logValue shows the field's value in the statement log.
func (a *jsonArg) logValue() any { return mem.NewAt(a.c.goType, a.p).Elem().Interface() }
