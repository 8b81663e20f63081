package schema

import (
	"strconv"
	"strings"
)

// Type is a column's PostgreSQL type. It is a closed set: [Scalar], [Array],
// [JSON] and [EnumRef]. String renders the type as PostgreSQL's format_type
// would for the canonical forms the mapper produces ("bigint",
// "character varying(20)", "text[]", "jsonb", a quoted-free enum name).
type Type interface {
	// String spells the type as PostgreSQL's format_type does.
	String() string
	isType()
}

// Scalar is a built-in or user-named scalar type. Name is the canonical
// PostgreSQL spelling without modifiers ("bigint", "character varying",
// "numeric", "timestamp with time zone", "uuid"); Size is the length modifier
// of character types (0 = none); Precision and Scale are numeric's modifiers
// (Precision 0 = unconstrained). A type given with `type:` that the mapper
// cannot canonicalise keeps the user's text in Name with no modifiers.
type Scalar struct {
	Name      string // canonical spelling without modifiers: "bigint", "character varying"
	Size      int    // length of character types; 0 means none
	Precision int    // total digits of numeric; 0 means unconstrained
	Scale     int    // digits after the point of numeric
}

// Array is a one-dimensional PostgreSQL array of Elem.
type Array struct {
	Elem Type // the element's type
}

// JSON is json (Binary false) or jsonb (Binary true).
type JSON struct {
	Binary bool // jsonb rather than json
}

// EnumRef is a column typed by the named enum, declared in [Metadata.Enums].
type EnumRef struct {
	Schema string // the enum's schema, "" for the search path's
	Name   string // the enum type's name, as in [Enum].Name
}

func (Scalar) isType()  {}
func (Array) isType()   {}
func (JSON) isType()    {}
func (EnumRef) isType() {}

// String renders the scalar with its modifiers, e.g. "character varying(20)"
// or "numeric(10,2)".
func (s Scalar) String() string {
	switch {
	case s.Size > 0:
		return s.Name + "(" + strconv.Itoa(s.Size) + ")"
	case s.Precision > 0:
		return s.Name + "(" + strconv.Itoa(s.Precision) + "," + strconv.Itoa(s.Scale) + ")"
	}
	return s.Name
}

// String renders the array type as elem + "[]".
func (a Array) String() string { return a.Elem.String() + "[]" }

// String renders "json" or "jsonb".
func (j JSON) String() string {
	if j.Binary {
		return "jsonb"
	}
	return "json"
}

// String renders the enum's type name, qualified by its schema when it has
// one ("sales.status").
func (e EnumRef) String() string { return QualifiedName(e.Schema, e.Name) }

// Equal reports whether a and b are the same type, comparing structurally.
func Equal(a, b Type) bool {
	if a == nil || b == nil {
		return a == b
	}
	return strings.EqualFold(a.String(), b.String())
}
