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
	Name      string
	Size      int
	Precision int
	Scale     int
}

// Array is a one-dimensional PostgreSQL array of Elem.
type Array struct{ Elem Type }

// JSON is json (Binary false) or jsonb (Binary true).
type JSON struct{ Binary bool }

// EnumRef is a column typed by the named enum, declared in [Metadata.Enums].
// Schema is the enum's schema, "" for the search path's.
type EnumRef struct {
	Schema string // the enum's schema, "" for the search path's
	Name   string
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
