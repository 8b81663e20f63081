package postgres

import (
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// ErrBadType is returned (wrapped) by [ParseFormatType] for a type spelling
// it cannot read; it is [schema.ErrBadType].
var ErrBadType = schema.ErrBadType

// ParseFormatType reads a type as format_type prints it into a canonical
// [schema.Type]; it is [schema.ParseType], which the mapper also uses for
// `type:` tags, so that models and the catalog spell types alike.
// Enum types cannot be told from other names by their text; [Inspect]
// recognises them from the catalog instead.
func ParseFormatType(s string) (schema.Type, error) { return schema.ParseType(s) }

// NormalizeDefault returns the canonical text of a column's server default
// for comparison: "" for no default or NULL; outer parentheses and spaces
// trimmed; now(), CURRENT_TIMESTAMP and transaction_timestamp() as now();
// TRUE/FALSE in lower case; and a cast on a single literal dropped, with a
// quoted number unquoted ('0'::integer and 0 are both 0, '{}'::text[] is
// '{}', 'A'::gender is 'A'). The column's type fixes the literal's type, so
// the cast carries nothing. Other expressions are kept as written.
// NormalizeDefault is idempotent and never fails.
func NormalizeDefault(expr string) string {
	s := TrimParens(strings.TrimSpace(expr))
	for {
		lit, ok := cutLiteralCast(s)
		if !ok {
			break
		}
		s = TrimParens(lit)
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

// TrimParens removes the parentheses that enclose the whole of s
// ("((a) + 1)" becomes "(a) + 1"), skipping parentheses inside
// single-quoted strings, so that an expression read back from the catalog
// (pg_get_expr adds them) compares equal to the one a model declares.
func TrimParens(s string) string {
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
		inner := TrimParens(s[:k+1])
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
