package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/schema"
)

// MaxIdentLen is the longest identifier PostgreSQL keeps, in bytes
// (NAMEDATALEN - 1). The server truncates longer names silently;
// QuoteIdent refuses them instead.
const MaxIdentLen = 63

// QuoteIdent returns name in double quotes with embedded quotes doubled.
// It fails with a *[dialect.IdentError] (wrapping [dialect.ErrBadIdent]) on
// an empty name, a NUL byte, invalid UTF-8 or more than [MaxIdentLen]
// bytes: a name is never truncated or altered.
func (Dialect) QuoteIdent(name string) (string, error) {
	if p := identProblem(name); p != 0 {
		return "", &dialect.IdentError{Name: name, Problem: p, Limit: MaxIdentLen}
	}
	if strings.IndexByte(name, '"') < 0 {
		return `"` + name + `"`, nil
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`, nil
}

func identProblem(name string) dialect.IdentProblem {
	switch {
	case name == "":
		return dialect.IdentEmpty
	case strings.IndexByte(name, 0) >= 0:
		return dialect.IdentNUL
	case len(name) > MaxIdentLen:
		return dialect.IdentTooLong
	case !utf8.ValidString(name):
		return dialect.IdentInvalidUTF8
	}
	return 0
}

// Placeholder returns "$n", the bind placeholder of the n-th argument
// (1-based).
func (Dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// quoteLiteral returns s as a string literal that reads the same whatever
// standard_conforming_strings is: quotes are doubled, and a string with a
// backslash is written as E'…' with the backslashes doubled. NUL bytes and
// invalid UTF-8, which no text value can hold, are refused.
func quoteLiteral(s string) (string, error) {
	if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: string %q: NUL byte or invalid UTF-8", dialect.ErrInvalidDefinition, s)
	}
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.IndexByte(s, '\\') >= 0 {
		q = "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q, nil
}

// writer builds one statement, quoting as it goes and keeping the first
// error, so that rendering code reads as the SQL it writes.
type writer struct {
	b   strings.Builder
	err error
}

// stmt starts a statement with the given SQL text.
func stmt(sql ...string) *writer { return new(writer).sql(sql...) }

// sql appends SQL text written by this package.
func (w *writer) sql(sql ...string) *writer {
	for _, s := range sql {
		w.b.WriteString(s)
	}
	return w
}

// ident appends a quoted identifier.
func (w *writer) ident(name string) *writer {
	q, err := Dialect{}.QuoteIdent(name)
	w.fail(err)
	w.b.WriteString(q)
	return w
}

// qualified appends name, qualified by nsp unless nsp is "".
func (w *writer) qualified(nsp, name string) *writer {
	if nsp != "" {
		w.ident(nsp).sql(".")
	}
	return w.ident(name)
}

// list appends the quoted names in parentheses, comma-separated.
func (w *writer) list(names []string) *writer {
	w.sql("(")
	for i, n := range names {
		if i > 0 {
			w.sql(", ")
		}
		w.ident(n)
	}
	return w.sql(")")
}

// literal appends s as a string literal.
func (w *writer) literal(s string) *writer {
	q, err := quoteLiteral(s)
	w.fail(err)
	return w.sql(q)
}

// expr appends raw SQL from the metadata (a default, check, predicate),
// refusing an empty one and one with a NUL byte; what names it in errors.
func (w *writer) expr(what, sql string) *writer {
	if strings.TrimSpace(sql) == "" || strings.IndexByte(sql, 0) >= 0 {
		w.invalid("%s: empty expression or NUL byte in %q", what, sql)
	}
	return w.sql(sql)
}

// typ appends a column type.
func (w *writer) typ(t schema.Type) *writer {
	s, err := Dialect{}.TypeName(t)
	w.fail(err)
	return w.sql(s)
}

// invalid records an ErrInvalidDefinition with the formatted detail.
func (w *writer) invalid(format string, args ...any) *writer {
	w.fail(fmt.Errorf("%w: "+format, append([]any{dialect.ErrInvalidDefinition}, args...)...))
	return w
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// done returns the statement, or the first error.
func (w *writer) done() (string, error) {
	if w.err != nil {
		return "", w.err
	}
	return w.b.String(), nil
}
