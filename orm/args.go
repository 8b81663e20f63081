package orm

import (
	"database/sql/driver"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/schema"
)

// Bound arguments are typed pointers into the objects (no copies). For the
// common column types the pointer is given a named type implementing the
// pgtype valuer interface of the column's codec, so that pgx encodes it
// directly instead of dereferencing it through reflection and boxing the
// value (one allocation per argument). The named types have the layout of
// the field's type (a pointer field's wrapper is a struct of that one
// pointer), so the conversion is a reinterpretation.
//
// pgx picks a codec by the parameter's type OID, which the exec and
// simple protocol modes do not know (the server infers the type from the
// statement, and every value goes as text). There pgx finds no codec for
// a wrapper, so each one is also a driver.Valuer: pgx then encodes the
// plain value it returns (an int64, a time.Time, …) with that value's own
// codec, in text. In the other modes the codec's valuer interface wins
// and the driver.Valuer is never called.

type (
	textArg        string
	textPtrArg     struct{ p *string }
	int64Arg       int64
	int64PtrArg    struct{ p *int64 }
	int32Arg       int32
	int32PtrArg    struct{ p *int32 }
	intArg         int
	float64Arg     float64
	float64PtrArg  struct{ p *float64 }
	boolArg        bool
	boolPtrArg     struct{ p *bool }
	timestampArg   time.Time
	timestampPtArg struct{ p *time.Time }
	localTimeArg   time.Time // timestamp without time zone
	localTimePtArg struct{ p *time.Time }
	dateArg        time.Time
	datePtrArg     struct{ p *time.Time }
	uuidArg        [16]byte
	uuidPtrArg     struct{ p *[16]byte }
)

// TextValue implements pgtype.TextValuer.
func (a *textArg) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: string(*a), Valid: true}, nil
}

// TextValue implements pgtype.TextValuer.
func (a *textPtrArg) TextValue() (pgtype.Text, error) {
	if a.p == nil {
		return pgtype.Text{}, nil
	}
	return pgtype.Text{String: *a.p, Valid: true}, nil
}

// Int64Value implements pgtype.Int64Valuer.
func (a *int64Arg) Int64Value() (pgtype.Int8, error) {
	return pgtype.Int8{Int64: int64(*a), Valid: true}, nil
}

// Int64Value implements pgtype.Int64Valuer.
func (a *int64PtrArg) Int64Value() (pgtype.Int8, error) {
	if a.p == nil {
		return pgtype.Int8{}, nil
	}
	return pgtype.Int8{Int64: *a.p, Valid: true}, nil
}

// Int64Value implements pgtype.Int64Valuer.
func (a *int32Arg) Int64Value() (pgtype.Int8, error) {
	return pgtype.Int8{Int64: int64(*a), Valid: true}, nil
}

// Int64Value implements pgtype.Int64Valuer.
func (a *int32PtrArg) Int64Value() (pgtype.Int8, error) {
	if a.p == nil {
		return pgtype.Int8{}, nil
	}
	return pgtype.Int8{Int64: int64(*a.p), Valid: true}, nil
}

// Int64Value implements pgtype.Int64Valuer.
func (a *intArg) Int64Value() (pgtype.Int8, error) {
	return pgtype.Int8{Int64: int64(*a), Valid: true}, nil
}

// Float64Value implements pgtype.Float64Valuer.
func (a *float64Arg) Float64Value() (pgtype.Float8, error) {
	return pgtype.Float8{Float64: float64(*a), Valid: true}, nil
}

// Float64Value implements pgtype.Float64Valuer.
func (a *float64PtrArg) Float64Value() (pgtype.Float8, error) {
	if a.p == nil {
		return pgtype.Float8{}, nil
	}
	return pgtype.Float8{Float64: *a.p, Valid: true}, nil
}

// BoolValue implements pgtype.BoolValuer.
func (a *boolArg) BoolValue() (pgtype.Bool, error) {
	return pgtype.Bool{Bool: bool(*a), Valid: true}, nil
}

// BoolValue implements pgtype.BoolValuer.
func (a *boolPtrArg) BoolValue() (pgtype.Bool, error) {
	if a.p == nil {
		return pgtype.Bool{}, nil
	}
	return pgtype.Bool{Bool: *a.p, Valid: true}, nil
}

// TimestamptzValue implements pgtype.TimestamptzValuer.
func (a *timestampArg) TimestamptzValue() (pgtype.Timestamptz, error) {
	return pgtype.Timestamptz{Time: time.Time(*a), Valid: true}, nil
}

// TimestamptzValue implements pgtype.TimestamptzValuer.
func (a *timestampPtArg) TimestamptzValue() (pgtype.Timestamptz, error) {
	if a.p == nil {
		return pgtype.Timestamptz{}, nil
	}
	return pgtype.Timestamptz{Time: *a.p, Valid: true}, nil
}

// Value implements driver.Valuer (text modes).
func (a *int64Arg) Value() (driver.Value, error) { return int64(*a), nil }

// Value implements driver.Valuer (text modes).
func (a *int64PtrArg) Value() (driver.Value, error) { return valueOrNil(a.p) }

// Value implements driver.Valuer (text modes).
func (a *int32Arg) Value() (driver.Value, error) { return int64(*a), nil }

// Value implements driver.Valuer (text modes).
func (a *int32PtrArg) Value() (driver.Value, error) {
	if a.p == nil {
		return nil, nil
	}
	return int64(*a.p), nil
}

// Value implements driver.Valuer (text modes).
func (a *intArg) Value() (driver.Value, error) { return int64(*a), nil }

// Value implements driver.Valuer (text modes).
func (a *float64Arg) Value() (driver.Value, error) { return float64(*a), nil }

// Value implements driver.Valuer (text modes).
func (a *float64PtrArg) Value() (driver.Value, error) { return valueOrNil(a.p) }

// Value implements driver.Valuer (text modes).
func (a *boolArg) Value() (driver.Value, error) { return bool(*a), nil }

// Value implements driver.Valuer (text modes).
func (a *boolPtrArg) Value() (driver.Value, error) { return valueOrNil(a.p) }

// Value implements driver.Valuer (text modes).
func (a *timestampArg) Value() (driver.Value, error) { return time.Time(*a), nil }

// Value implements driver.Valuer (text modes).
func (a *timestampPtArg) Value() (driver.Value, error) { return valueOrNil(a.p) }

// TimestampValue implements pgtype.TimestampValuer.
func (a *localTimeArg) TimestampValue() (pgtype.Timestamp, error) {
	return pgtype.Timestamp{Time: time.Time(*a), Valid: true}, nil
}

// TimestampValue implements pgtype.TimestampValuer.
func (a *localTimePtArg) TimestampValue() (pgtype.Timestamp, error) {
	if a.p == nil {
		return pgtype.Timestamp{}, nil
	}
	return pgtype.Timestamp{Time: *a.p, Valid: true}, nil
}

// Value implements driver.Valuer (text modes): a pgtype.Timestamp, which
// pgx writes as the time's wall clock, as in binary; a time.Time would go
// as timestamptz text, converted to UTC.
func (a *localTimeArg) Value() (driver.Value, error) { return a.TimestampValue() }

// Value implements driver.Valuer (text modes).
func (a *localTimePtArg) Value() (driver.Value, error) { return a.TimestampValue() }

// DateValue implements pgtype.DateValuer.
func (a *dateArg) DateValue() (pgtype.Date, error) {
	return pgtype.Date{Time: time.Time(*a), Valid: true}, nil
}

// DateValue implements pgtype.DateValuer.
func (a *datePtrArg) DateValue() (pgtype.Date, error) {
	if a.p == nil {
		return pgtype.Date{}, nil
	}
	return pgtype.Date{Time: *a.p, Valid: true}, nil
}

// Value implements driver.Valuer (text modes): a pgtype.Date, the day of
// the time in its own zone, as in binary.
func (a *dateArg) Value() (driver.Value, error) { return a.DateValue() }

// Value implements driver.Valuer (text modes).
func (a *datePtrArg) Value() (driver.Value, error) { return a.DateValue() }

// UUIDValue implements pgtype.UUIDValuer.
func (a *uuidArg) UUIDValue() (pgtype.UUID, error) { return pgtype.UUID{Bytes: *a, Valid: true}, nil }

// UUIDValue implements pgtype.UUIDValuer.
func (a *uuidPtrArg) UUIDValue() (pgtype.UUID, error) {
	if a.p == nil {
		return pgtype.UUID{}, nil
	}
	return pgtype.UUID{Bytes: *a.p, Valid: true}, nil
}

// Value implements driver.Valuer (text modes): pgx has no codec for a bare
// [16]byte without the uuid OID.
func (a *uuidArg) Value() (driver.Value, error) { return a.UUIDValue() }

// Value implements driver.Valuer (text modes).
func (a *uuidPtrArg) Value() (driver.Value, error) { return a.UUIDValue() }

// valueOrNil is *p as a driver.Value, nil (NULL) for a nil p.
func valueOrNil[T int64 | float64 | bool | time.Time](p *T) (driver.Value, error) {
	if p == nil {
		return nil, nil
	}
	return *p, nil
}

// argType picks the valuer type for a field of Go type t stored in a
// column of SQL type st, or nil to bind the field pointer (as a pointer
// to its plain type).
func argType(t reflect.Type, st schema.Type) reflect.Type {
	t = plainType(t)
	var name string
	switch st := st.(type) {
	case schema.Scalar:
		name = st.Name
	case schema.EnumRef:
		name = "text" // an enum's label goes as text, whose OID pgx never needs
	default:
		return nil
	}
	for _, a := range argTypes {
		if a.goType == t && a.sqlTypes[name] {
			return a.arg
		}
	}
	return nil
}

var (
	textTypes = map[string]bool{"text": true, "character varying": true}
	intTypes  = map[string]bool{"bigint": true, "integer": true, "smallint": true}
	argTypes  = []struct {
		goType   reflect.Type
		sqlTypes map[string]bool
		arg      reflect.Type
	}{
		{reflect.TypeFor[string](), textTypes, reflect.TypeFor[textArg]()},
		{reflect.TypeFor[*string](), textTypes, reflect.TypeFor[textPtrArg]()},
		{reflect.TypeFor[int64](), intTypes, reflect.TypeFor[int64Arg]()},
		{reflect.TypeFor[*int64](), intTypes, reflect.TypeFor[int64PtrArg]()},
		{reflect.TypeFor[int32](), intTypes, reflect.TypeFor[int32Arg]()},
		{reflect.TypeFor[*int32](), intTypes, reflect.TypeFor[int32PtrArg]()},
		{reflect.TypeFor[int](), intTypes, reflect.TypeFor[intArg]()},
		{reflect.TypeFor[float64](), map[string]bool{"double precision": true}, reflect.TypeFor[float64Arg]()},
		{reflect.TypeFor[*float64](), map[string]bool{"double precision": true}, reflect.TypeFor[float64PtrArg]()},
		{reflect.TypeFor[bool](), map[string]bool{"boolean": true}, reflect.TypeFor[boolArg]()},
		{reflect.TypeFor[*bool](), map[string]bool{"boolean": true}, reflect.TypeFor[boolPtrArg]()},
		{timeType, map[string]bool{"timestamp with time zone": true}, reflect.TypeFor[timestampArg]()},
		{reflect.TypeFor[*time.Time](), map[string]bool{"timestamp with time zone": true}, reflect.TypeFor[timestampPtArg]()},
		{timeType, map[string]bool{"timestamp without time zone": true}, reflect.TypeFor[localTimeArg]()},
		{reflect.TypeFor[*time.Time](), map[string]bool{"timestamp without time zone": true}, reflect.TypeFor[localTimePtArg]()},
		{timeType, map[string]bool{"date": true}, reflect.TypeFor[dateArg]()},
		{reflect.TypeFor[*time.Time](), map[string]bool{"date": true}, reflect.TypeFor[datePtrArg]()},
		{reflect.TypeFor[[16]byte](), map[string]bool{"uuid": true}, reflect.TypeFor[uuidArg]()},
		{reflect.TypeFor[*[16]byte](), map[string]bool{"uuid": true}, reflect.TypeFor[uuidPtrArg]()},
	}
)

// argWord returns the type word the column's bound argument uses.
func argWord(t reflect.Type, st schema.Type) mem.Type {
	if a := argType(t, st); a != nil {
		return mem.TypeOf(reflect.PointerTo(a))
	}
	return mem.TypeOf(reflect.PointerTo(plainType(t)))
}

// plainType returns the type a field of type t is bound as: t itself, or
// for a named type of a basic kind its unnamed type (an enum Gender as
// string, []Gender as []string, *Gender as *string), which has the same
// layout. pgx encodes the unnamed types without knowing the parameter's
// type OID, which the exec and simple protocol modes do not have; a named
// one it can only convert when the OID is known, and a slice of one not
// at all. A type with methods pgx might use (driver.Valuer, a pgtype
// valuer, json.Marshaler, …) keeps its own type: only EnumValues and
// String are ignored.
func plainType(t reflect.Type) reflect.Type {
	if t.Name() != "" && ownMethods(t) {
		return t
	}
	switch t.Kind() {
	case reflect.Pointer:
		if e := plainType(t.Elem()); e != t.Elem() {
			return reflect.PointerTo(e)
		}
	case reflect.Slice:
		if e := plainType(t.Elem()); e != t.Elem() || t.Name() != "" {
			return reflect.SliceOf(e)
		}
	default:
		if b := basicTypes[t.Kind()]; b != nil {
			return b
		}
	}
	return t
}

// ownMethods reports whether t or *t has a method other than EnumValues
// and String.
func ownMethods(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	for i := range pt.NumMethod() {
		if name := pt.Method(i).Name; name != "EnumValues" && name != "String" {
			return true
		}
	}
	return false
}

var basicTypes = map[reflect.Kind]reflect.Type{
	reflect.Bool: reflect.TypeFor[bool](), reflect.String: reflect.TypeFor[string](),
	reflect.Int: reflect.TypeFor[int](), reflect.Int8: reflect.TypeFor[int8](),
	reflect.Int16: reflect.TypeFor[int16](), reflect.Int32: reflect.TypeFor[int32](),
	reflect.Int64: reflect.TypeFor[int64](), reflect.Uint: reflect.TypeFor[uint](),
	reflect.Uint8: reflect.TypeFor[uint8](), reflect.Uint16: reflect.TypeFor[uint16](),
	reflect.Uint32: reflect.TypeFor[uint32](), reflect.Uint64: reflect.TypeFor[uint64](),
	reflect.Float32: reflect.TypeFor[float32](), reflect.Float64: reflect.TypeFor[float64](),
}

// loggedArg is implemented by the wrappers of pointer fields, so that the
// statement log shows the value rather than the wrapper.
type loggedArg interface{ logValue() any }

func (a *textPtrArg) logValue() any     { return derefOrNil(a.p) }
func (a *int64PtrArg) logValue() any    { return derefOrNil(a.p) }
func (a *int32PtrArg) logValue() any    { return derefOrNil(a.p) }
func (a *float64PtrArg) logValue() any  { return derefOrNil(a.p) }
func (a *boolPtrArg) logValue() any     { return derefOrNil(a.p) }
func (a *timestampPtArg) logValue() any { return derefOrNil(a.p) }
func (a *localTimePtArg) logValue() any { return derefOrNil(a.p) }
func (a *datePtrArg) logValue() any     { return derefOrNil(a.p) }
func (a *uuidPtrArg) logValue() any     { return derefOrNil(a.p) }

func derefOrNil[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
