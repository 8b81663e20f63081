package schema

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"time"
)

// SQLTyper is implemented by a Go type that names its own column type, such
// as a custom domain or a PostGIS geometry. The type must also be encodable
// by pgx (a codec, or sql.Scanner and driver.Valuer).
type SQLTyper interface {
	// SQLType returns the column type as SQL ("geometry(Point,4326)"); it is
	// called on the zero value when the model is mapped.
	SQLType() string
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	durationType  = reflect.TypeFor[time.Duration]()
	addrType      = reflect.TypeFor[netip.Addr]()
	prefixType    = reflect.TypeFor[netip.Prefix]()
	rawJSONType   = reflect.TypeFor[json.RawMessage]()
	enumValuer    = reflect.TypeFor[EnumValuer]()
	sqlTyper      = reflect.TypeFor[SQLTyper]()
	valuerType    = reflect.TypeFor[driver.Valuer]()
	bytesElemKind = reflect.Uint8
)

const (
	pgtypePkg = "github.com/jackc/pgx/v5/pgtype"
	sqlPkg    = "database/sql"
)

// pgtypeTypes maps the nullable wrapper types of pgx's pgtype package to
// their PostgreSQL types.
var pgtypeTypes = map[string]Type{
	"Bool": Scalar{Name: "boolean"}, "Int2": Scalar{Name: "smallint"}, "Int4": Scalar{Name: "integer"},
	"Int8": Scalar{Name: "bigint"}, "Float4": Scalar{Name: "real"}, "Float8": Scalar{Name: "double precision"},
	"Text": Scalar{Name: "text"}, "Numeric": Scalar{Name: "numeric"}, "UUID": Scalar{Name: "uuid"},
	"Date": Scalar{Name: "date"}, "Time": Scalar{Name: "time without time zone"},
	"Timestamp":   Scalar{Name: "timestamp without time zone"},
	"Timestamptz": Scalar{Name: "timestamp with time zone"}, "Interval": Scalar{Name: "interval"},
}

// goType is what the mapper derives from a field's Go type alone.
type goType struct {
	typ      Type
	nullable bool
	enum     *Enum // set when the type is an EnumValuer
	zeroReal bool  // the Go zero value is a meaningful SQL value (false, 0, "")
}

// typeOf maps a Go type to its column type. enumName overrides the enum
// type's name (`enum:NAME`).
func typeOf(t reflect.Type, enumName string) (goType, error) {
	if t.Kind() == reflect.Pointer {
		g, err := typeOf(t.Elem(), enumName)
		g.nullable, g.zeroReal = true, false
		return g, err
	}
	if t.Implements(sqlTyper) {
		typ, err := ParseType(reflect.Zero(t).Interface().(SQLTyper).SQLType())
		return goType{typ: typ, nullable: nilable(t)}, err
	}
	if t.Kind() == reflect.String && t.Implements(enumValuer) {
		return enumOf(t, enumName)
	}
	switch t {
	case timeType:
		return goType{typ: Scalar{Name: "timestamp with time zone"}}, nil
	case durationType:
		return goType{typ: Scalar{Name: "interval"}, zeroReal: true}, nil
	case addrType:
		return goType{typ: Scalar{Name: "inet"}}, nil
	case prefixType:
		return goType{typ: Scalar{Name: "cidr"}}, nil
	case rawJSONType:
		return goType{typ: JSON{Binary: true}, nullable: true}, nil
	}
	switch t.PkgPath() {
	case pgtypePkg:
		if typ, ok := pgtypeTypes[t.Name()]; ok {
			return goType{typ: typ, nullable: true}, nil
		}
		return goType{}, fmt.Errorf("%w: %s has no default column type (name one with type:…)", ErrUnsupportedType, t)
	case sqlPkg:
		if validWrapper(t) {
			g, err := typeOf(t.Field(0).Type, enumName) // sql.NullString, sql.Null[T], …
			g.nullable, g.zeroReal = true, false
			if t.Field(0).Type == reflect.TypeFor[uint8]() { // sql.NullByte
				g.typ = Scalar{Name: "smallint"}
			}
			return g, err
		}
	}
	if validWrapper(t) && t.Implements(valuerType) {
		g, err := typeOf(t.Field(0).Type, enumName) // uuid.NullUUID and the like
		g.nullable, g.zeroReal = true, false
		return g, err
	}
	switch t.Kind() {
	case reflect.Bool:
		return goType{typ: Scalar{Name: "boolean"}, zeroReal: true}, nil
	case reflect.Int8, reflect.Int16, reflect.Uint8:
		return goType{typ: Scalar{Name: "smallint"}, zeroReal: true}, nil
	case reflect.Int32, reflect.Uint16:
		return goType{typ: Scalar{Name: "integer"}, zeroReal: true}, nil
	case reflect.Int, reflect.Int64, reflect.Uint32, reflect.Uint, reflect.Uint64:
		return goType{typ: Scalar{Name: "bigint"}, zeroReal: true}, nil
	case reflect.Float32:
		return goType{typ: Scalar{Name: "real"}, zeroReal: true}, nil
	case reflect.Float64:
		return goType{typ: Scalar{Name: "double precision"}, zeroReal: true}, nil
	case reflect.String:
		return goType{typ: Scalar{Name: "text"}, zeroReal: true}, nil
	case reflect.Array:
		if t.Len() == 16 && t.Elem().Kind() == bytesElemKind {
			return goType{typ: Scalar{Name: "uuid"}}, nil
		}
	case reflect.Slice:
		if t.Elem().Kind() == bytesElemKind {
			return goType{typ: Scalar{Name: "bytea"}}, nil
		}
		elem, err := typeOf(t.Elem(), enumName)
		if err != nil {
			return goType{}, err
		}
		if _, nested := elem.typ.(Array); nested {
			return goType{}, fmt.Errorf("%w: %s (multi-dimensional arrays are not mapped; use type:)", ErrUnsupportedType, t)
		}
		return goType{typ: Array{Elem: elem.typ}, enum: elem.enum}, nil
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			return goType{typ: JSON{Binary: true}}, nil
		}
	case reflect.Struct:
		return goType{typ: JSON{Binary: true}}, nil
	}
	return goType{}, fmt.Errorf("%w: %s", ErrUnsupportedType, t)
}

// validWrapper reports whether t is a nullable wrapper: a struct of an
// exported value and a `Valid bool`.
func validWrapper(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.NumField() == 2 && t.Field(0).IsExported() &&
		t.Field(1).Name == "Valid" && t.Field(1).Type.Kind() == reflect.Bool
}

// modelLike reports whether t (a field type) looks like a relationship
// field that lacks its rel tag: *T or []*T of a struct T that would
// otherwise silently become a jsonb column.
func modelLike(t reflect.Type) bool {
	if t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return false
	}
	e := t.Elem()
	return e != timeType && e.PkgPath() != pgtypePkg && e.PkgPath() != sqlPkg && !e.Implements(sqlTyper) && !t.Implements(sqlTyper)
}

// nilable reports whether the Go type has a nil value.
func nilable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// enumOf builds the enum type of a named string type with EnumValues.
func enumOf(t reflect.Type, name string) (goType, error) {
	if name == "" {
		name = ColumnName(t.Name())
	}
	values := reflect.Zero(t).Interface().(EnumValuer).EnumValues()
	if len(values) == 0 {
		return goType{}, fmt.Errorf("%w: %s.EnumValues() returned none", ErrEmptyEnum, t)
	}
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if v == "" || seen[v] {
			return goType{}, fmt.Errorf("%w: %s.EnumValues() has an empty or repeated value %q", ErrBadValue, t, v)
		}
		seen[v] = true
	}
	nsp, name := splitModelName(name)
	if !validName(name) || nsp != "" && !validName(nsp) {
		return goType{}, badQualified("enum type", QualifiedName(nsp, name))
	}
	e := &Enum{Schema: nsp, Name: name, Values: append([]string(nil), values...)}
	return goType{typ: EnumRef{Schema: nsp, Name: name}, enum: e}, nil
}
