package orm

import (
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

// argType picks the valuer type for a field of Go type t stored in a
// column of SQL type st, or nil to bind the plain field pointer.
func argType(t reflect.Type, st schema.Type) reflect.Type {
	sc, ok := st.(schema.Scalar)
	if !ok {
		return nil
	}
	for _, a := range argTypes {
		if a.goType == t && a.sqlTypes[sc.Name] {
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
	}
)

// argWord returns the type word the column's bound argument uses.
func argWord(t reflect.Type, st schema.Type) mem.Type {
	if a := argType(t, st); a != nil {
		return mem.TypeOf(reflect.PointerTo(a))
	}
	return mem.TypeOf(reflect.PointerTo(t))
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

func derefOrNil[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
