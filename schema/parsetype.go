package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadType is returned (wrapped) by [ParseType] for a type spelling it
// cannot read.
var ErrBadType = errors.New("malformed type")

// ParseType reads a type as format_type prints it ("integer",
// "character varying(20)", "numeric(10,2)", "text[]", "jsonb") into a
// canonical [Type]. Common aliases (int4, varchar, timestamptz,
// bool, …) are folded into the spelling format_type uses, so a type written
// by hand and one read back from the catalog compare equal. A spelling it
// does not know is kept verbatim in a [Scalar] without modifiers.
// Enum types cannot be told from other names by their text: a name it does
// not know comes back as a Scalar, and callers that know their enums (the
// mapper, introspection) turn it into an [EnumRef].
func ParseType(s string) (Type, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return nil, fmt.Errorf("%w: empty type", ErrBadType)
	}
	if base, ok := cutArray(s); ok {
		elem, err := ParseType(base)
		if err != nil {
			return nil, err
		}
		return Array{Elem: elem}, nil
	}
	switch strings.ToLower(s) {
	case "json":
		return JSON{}, nil
	case "jsonb":
		return JSON{Binary: true}, nil
	}
	return parseScalar(s)
}

// cutArray strips one or more trailing "[]" (or "[n]") suffixes: PostgreSQL
// does not enforce array dimensions, and format_type prints one pair.
func cutArray(s string) (string, bool) {
	found := false
	for strings.HasSuffix(s, "]") {
		i := strings.LastIndexByte(s, '[')
		if i <= 0 {
			return s, found
		}
		s, found = strings.TrimSpace(s[:i]), true
	}
	if up := strings.ToUpper(s); strings.HasSuffix(up, " ARRAY") {
		return strings.TrimSpace(s[:len(s)-len(" ARRAY")]), true
	}
	return s, found
}

func parseScalar(s string) (Type, error) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return Scalar{Name: canonicalName(s)}, nil
	}
	closing := strings.IndexByte(s, ')')
	if open == 0 || closing < open || strings.Count(s, "(") != 1 || strings.Count(s, ")") != 1 {
		return nil, fmt.Errorf("%w: %q", ErrBadType, s)
	}
	name := strings.TrimSpace(s[:open])
	if rest := strings.TrimSpace(s[closing+1:]); rest != "" {
		name += " " + rest
	}
	name = canonicalName(name)
	args := strings.Split(s[open+1:closing], ",")
	if i := strings.Index(name, " with"); i > 0 && strings.HasPrefix(name, "time") {
		// "timestamp(3) with time zone": the modifier goes inside the name.
		return Scalar{Name: name[:i] + "(" + strings.Join(trimAll(args), ",") + ")" + name[i:]}, nil
	}
	return withModifiers(name, args, s)
}

func withModifiers(name string, args []string, orig string) (Type, error) {
	n := make([]int, len(args))
	for i, a := range args {
		v, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%w: %q", ErrBadType, orig)
		}
		n[i] = v
	}
	switch {
	case sized[name] && len(n) == 1 && n[0] > 0:
		return Scalar{Name: name, Size: n[0]}, nil
	case name == "numeric" && len(n) == 1 && n[0] > 0:
		return Scalar{Name: name, Precision: n[0]}, nil
	case name == "numeric" && len(n) == 2 && n[0] > 0:
		return Scalar{Name: name, Precision: n[0], Scale: n[1]}, nil
	}
	return Scalar{Name: name + "(" + strings.Join(trimAll(args), ",") + ")"}, nil
}

func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

// sized lists the types whose one modifier is a length.
var sized = map[string]bool{
	"character varying": true,
	"character":         true,
	"bit":               true,
	"bit varying":       true,
}

// canonicalName folds an alias into format_type's spelling; a name it
// does not know is kept as written.
func canonicalName(s string) string {
	if c, ok := typeAliases[strings.ToLower(s)]; ok {
		return c
	}
	return s
}

// typeAliases maps alternative spellings to format_type's.
var typeAliases = map[string]string{
	"int": "integer", "int4": "integer", "integer": "integer",
	"int8": "bigint", "bigint": "bigint", "int2": "smallint", "smallint": "smallint",
	"serial4": "serial", "serial": "serial", "serial8": "bigserial", "bigserial": "bigserial",
	"serial2": "smallserial", "smallserial": "smallserial",
	"bool": "boolean", "boolean": "boolean",
	"float8": "double precision", "double precision": "double precision", "float": "double precision",
	"float4": "real", "real": "real",
	"varchar": "character varying", "character varying": "character varying",
	"char": "character", "bpchar": "character", "character": "character",
	"varbit": "bit varying", "bit varying": "bit varying", "bit": "bit",
	"decimal": "numeric", "numeric": "numeric",
	"timestamptz": "timestamp with time zone", "timestamp with time zone": "timestamp with time zone",
	"timestamp": "timestamp without time zone", "timestamp without time zone": "timestamp without time zone",
	"timetz": "time with time zone", "time with time zone": "time with time zone",
	"time": "time without time zone", "time without time zone": "time without time zone",
	"text": "text", "bytea": "bytea", "uuid": "uuid", "date": "date", "interval": "interval",
	"inet": "inet", "cidr": "cidr", "macaddr": "macaddr", "money": "money", "xml": "xml",
	"tsvector": "tsvector", "oid": "oid",
}
