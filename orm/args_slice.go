package orm

import (
	"database/sql/driver"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// A column's values of many objects go as one array parameter (unnest
// writes, key lists of loads). In the modes that know the parameter's
// type OID, pgx encodes it element by element through the column's
// bound-argument type (fieldArray); in the exec and simple protocol modes
// it needs a Go slice of a type it can encode without the OID, built here
// in the form chosen per column at registration.

// sliceForm is how values of a column become such a slice.
type sliceForm uint8

const (
	slicePlain  sliceForm = iota // []T of the column's plain type
	sliceValues                  // []V of what each bound argument's Value returns (pgtype.Date, …)
	sliceTexts                   // []*string of each bound argument's Value, a string or nil
)

// argSliceTypes are the bound-argument types whose plain slice pgx would
// send with other semantics (a []time.Time goes as timestamptz[], in UTC)
// or not at all (a [][16]byte), with the pgtype value their Value returns.
var argSliceTypes = map[reflect.Type]reflect.Type{
	reflect.TypeFor[localTimeArg]():   reflect.TypeFor[pgtype.Timestamp](),
	reflect.TypeFor[localTimePtArg](): reflect.TypeFor[pgtype.Timestamp](),
	reflect.TypeFor[dateArg]():        reflect.TypeFor[pgtype.Date](),
	reflect.TypeFor[datePtrArg]():     reflect.TypeFor[pgtype.Date](),
	reflect.TypeFor[uuidArg]():        reflect.TypeFor[pgtype.UUID](),
	reflect.TypeFor[uuidPtrArg]():     reflect.TypeFor[pgtype.UUID](),
}

// chooseSliceForm sets the column's slice form, asking pgx's default type
// map whether it can encode a slice of the plain type without an OID.
func (c *column) chooseSliceForm(arg reflect.Type, types *pgtype.Map) {
	if c.jsonForm != jsonNone {
		c.sliceForm = sliceTexts
		return
	}
	if v, ok := argSliceTypes[arg]; ok {
		c.sliceForm, c.sliceElem = sliceValues, v
		return
	}
	if types.PlanEncode(0, pgtype.TextFormatCode, reflect.Zero(reflect.SliceOf(c.plain)).Interface()) != nil {
		return
	}
	if _, ok := c.argAt(c.path.zero).(driver.Valuer); ok {
		c.sliceForm = sliceTexts
	}
}

// values returns the column's values in objs as one slice argument in
// the column's slice form. A value that cannot be encoded gives an
// argument whose encoding fails, before anything is sent.
func (c *column) values(objs []mem.Ptr) any {
	n := len(objs)
	switch c.sliceForm {
	case sliceTexts:
		out := make([]*string, n)
		for i, o := range objs {
			v, err := c.arg(o).(driver.Valuer).Value()
			switch v := v.(type) {
			case nil:
			case string:
				out[i] = &v
			default:
				err = fmt.Errorf("%s: value %T is not text", c.Name, v)
			}
			if err != nil {
				return failedArg{err}
			}
		}
		return out
	case sliceValues:
		s := reflect.MakeSlice(reflect.SliceOf(c.sliceElem), n, n)
		for i, o := range objs {
			v, err := c.arg(o).(driver.Valuer).Value()
			if err != nil {
				return failedArg{err}
			}
			s.Index(i).Set(reflect.ValueOf(v))
		}
		return s.Interface()
	}
	s := reflect.MakeSlice(reflect.SliceOf(c.plain), n, n)
	base, size := mem.Value(s), c.plain.Size()
	for i, o := range objs {
		c.assign(base.Add(uintptr(i)*size), c.path.read(o))
	}
	return s.Interface()
}

// failedArg is an argument whose encoding fails with err: pgx reports it
// before sending the statement.
type failedArg struct{ err error }

// Value implements driver.Valuer.
func (a failedArg) Value() (driver.Value, error) { return nil, a.err }
