package postgres

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// ErrBadType is returned (wrapped) by [ParseFormatType] for a type spelling
// it cannot read.
var ErrBadType = errors.New("malformed type")

// ParseFormatType reads a type as format_type prints it ("integer",
// "character varying(20)", "numeric(10,2)", "text[]", "jsonb") into a
// canonical [schema.Type]. Common aliases (int4, varchar, timestamptz,
// bool, …) are folded into the spelling format_type uses, so a type written
// by hand and one read back from the catalog compare equal. A spelling it
// does not know is kept verbatim in a [schema.Scalar] without modifiers.
// Enum types cannot be told from other names by their text; [Inspect]
// recognises them from the catalog instead.
func ParseFormatType(s string) (schema.Type, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return nil, fmt.Errorf("%w: empty type", ErrBadType)
	}
	if base, ok := cutArray(s); ok {
		elem, err := ParseFormatType(base)
		if err != nil {
			return nil, err
		}
		return schema.Array{Elem: elem}, nil
	}
	switch strings.ToLower(s) {
	case "json":
		return schema.JSON{}, nil
	case "jsonb":
		return schema.JSON{Binary: true}, nil
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

func parseScalar(s string) (schema.Type, error) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return schema.Scalar{Name: canonicalName(s)}, nil
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
		return schema.Scalar{Name: name[:i] + "(" + strings.Join(trimAll(args), ",") + ")" + name[i:]}, nil
	}
	return withModifiers(name, args, s)
}

func withModifiers(name string, args []string, orig string) (schema.Type, error) {
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
		return schema.Scalar{Name: name, Size: n[0]}, nil
	case name == "numeric" && len(n) == 1 && n[0] > 0:
		return schema.Scalar{Name: name, Precision: n[0]}, nil
	case name == "numeric" && len(n) == 2 && n[0] > 0:
		return schema.Scalar{Name: name, Precision: n[0], Scale: n[1]}, nil
	}
	return schema.Scalar{Name: name + "(" + strings.Join(trimAll(args), ",") + ")"}, nil
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

// NormalizeDefault returns the canonical text of a column's server default
// for comparison: "" for no default or NULL; outer parentheses and spaces
// trimmed; now(), CURRENT_TIMESTAMP and transaction_timestamp() as now();
// TRUE/FALSE in lower case; and a cast on a single literal dropped, with a
// quoted number unquoted ('0'::integer and 0 are both 0, '{}'::text[] is
// '{}', 'A'::gender is 'A'). The column's type fixes the literal's type, so
// the cast carries nothing. Other expressions are kept as written.
// NormalizeDefault is idempotent and never fails.
func NormalizeDefault(expr string) string {
	s := trimParens(strings.TrimSpace(expr))
	for {
		lit, ok := cutLiteralCast(s)
		if !ok {
			break
		}
		s = trimParens(lit)
	}
	low := strings.ToLower(s)
	if c, ok := defaultAliases[low]; ok {
		return c
	}
	if strings.HasPrefix(low, "null::") {
		return ""
	}
	if n, ok := unquoteNumber(s); ok {
		return n
	}
	return s
}

// defaultAliases folds spellings of the same default.
var defaultAliases = map[string]string{
	"null":                    "",
	"now()":                   "now()",
	"current_timestamp":       "now()",
	"transaction_timestamp()": "now()",
	"true":                    "true",
	"false":                   "false",
	"current_date":            "CURRENT_DATE",
	"current_user":            "CURRENT_USER",
}

// trimParens removes parentheses that enclose the whole of s.
func trimParens(s string) string {
	for len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' && closes(s) == len(s)-1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// closes returns the index of the parenthesis closing s[0], or -1. It
// skips parentheses inside single-quoted strings.
func closes(s string) int {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// cutLiteralCast splits "LITERAL::type[::type...]" where LITERAL is one
// quoted string or number, possibly in parentheses, and returns LITERAL.
func cutLiteralCast(s string) (string, bool) {
	lit, rest := splitLiteral(s)
	if lit == "" || !strings.HasPrefix(rest, "::") {
		return "", false
	}
	for _, typ := range strings.Split(rest[2:], "::") {
		if !isTypeName(typ) {
			return "", false
		}
	}
	return lit, true
}

// splitLiteral splits s after the (parenthesised) literal it starts with;
// lit is "" when it starts with none.
func splitLiteral(s string) (lit, rest string) {
	if strings.HasPrefix(s, "(") {
		k := closes(s)
		if k < 0 {
			return "", ""
		}
		inner := trimParens(s[:k+1])
		if n := literalEnd(inner); n == 0 || n != len(inner) {
			return "", ""
		}
		return inner, s[k+1:]
	}
	n := literalEnd(s)
	return s[:n], s[n:]
}

// literalEnd returns the length of the string or number literal s starts
// with, or 0.
func literalEnd(s string) int {
	if s == "" {
		return 0
	}
	if s[0] == '\'' {
		for i := 1; i < len(s); i++ {
			if s[i] != '\'' {
				continue
			}
			if i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
		return 0
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	start := i
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == start {
		return 0
	}
	return i
}

// isTypeName reports whether s looks like a type name after "::": words,
// quoted identifiers, modifiers in parentheses and array brackets.
func isTypeName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(` _."()[],`, r):
		default:
			return false
		}
	}
	return !strings.Contains(s, "::")
}

// unquoteNumber turns '12' or '-1.5' into 12 or -1.5.
func unquoteNumber(s string) (string, bool) {
	if len(s) < 3 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	if literalEnd(inner) != len(inner) || inner[0] == '\'' {
		return "", false
	}
	if _, err := strconv.ParseFloat(inner, 64); err != nil {
		return "", false
	}
	return inner, true
}
