package orm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// SQL is a fragment of SQL written by the programmer: a Where condition, a
// raw query, an expression in a bulk Set. Untyped string constants convert
// to it implicitly, so Where("age > ?", 18) reads naturally, while a string
// variable does not compile without an explicit SQL(v): that conversion is
// the statement that the text is trusted, never user input. Values always
// travel as ? placeholders, rewritten to $n and bound.
type SQL string

// ErrSyntax is returned for a fragment the placeholder lexer cannot read:
// an unterminated string, quoted identifier or comment, or a $n parameter
// where ? is expected.
var ErrSyntax = errors.New("malformed SQL fragment")

// rewrite appends src to dst with every ? placeholder replaced by $n,
// numbering from next, and returns the next free number. It skips string
// literals ('…', E'…' with backslash escapes, $tag$…$tag$), quoted
// identifiers and comments (-- and nested /* */), and turns ?? into a
// literal ? (for the jsonb operators ?, ?| and ?&).
func rewrite(dst []byte, src string, next int) ([]byte, int, error) {
	dst, err := lex(dst, src, func(dst []byte) ([]byte, error) {
		dst = appendParam(dst, next)
		next++
		return dst, nil
	}, refuseNumbered)
	return dst, next, err
}

func appendParam(dst []byte, n int) []byte {
	return strconv.AppendInt(append(dst, '$'), int64(n), 10)
}

// refuseNumbered is the $n handler of fragments, whose numbering is the
// session's.
func refuseNumbered(dst []byte, _ int, at int) ([]byte, error) {
	return dst, fmt.Errorf("$n parameter at offset %d (use ?): %w", at, ErrSyntax)
}

// statement checks the parameters of a whole statement (Exec, Raw)
// against its nargs arguments and returns the text to send. A statement
// uses either ? placeholders, rewritten to $1, $2, … as in a condition,
// or the numbered $n parameters pgx takes, each number from 1 to nargs
// used at least once; never both.
func statement(src string, nargs int) ([]byte, error) {
	marks, nums := 0, 0
	var used []bool
	out, err := lex(nil, src, func(dst []byte) ([]byte, error) {
		marks++
		return appendParam(dst, marks), nil
	}, func(dst []byte, n int, at int) ([]byte, error) {
		if n < 1 || n > maxParams {
			return dst, fmt.Errorf("parameter $%d at offset %d: %w", n, at, ErrSyntax)
		}
		if n > len(used) {
			used = append(used, make([]bool, n-len(used))...)
		}
		used[n-1], nums = true, nums+1
		return appendParam(dst, n), nil
	})
	switch {
	case err != nil:
		return nil, err
	case marks > 0 && nums > 0:
		return nil, fmt.Errorf("both ? placeholders and $n parameters: %w", ErrSyntax)
	case nums == 0 && marks != nargs:
		return nil, fmt.Errorf("%d placeholders, %d arguments: %w", marks, nargs, ErrPlaceholders)
	case len(used) != nargs && nums > 0:
		return nil, fmt.Errorf("parameters up to $%d, %d arguments: %w", len(used), nargs, ErrPlaceholders)
	}
	for i, u := range used {
		if !u {
			return nil, fmt.Errorf("$%d is not used (parameters up to $%d): %w", i+1, len(used), ErrPlaceholders)
		}
	}
	return out, nil
}

// lex appends src to dst as rewrite does, calling at for each ?
// placeholder to append what stands for it, and num for each $n
// parameter (its number, and its offset in src).
func lex(dst []byte, src string, at func(dst []byte) ([]byte, error), num func(dst []byte, n, at int) ([]byte, error)) ([]byte, error) {
	for i := 0; i < len(src); {
		c := src[i]
		var end int
		var err error
		switch {
		case c == '?' && i+1 < len(src) && src[i+1] == '?':
			dst, i = append(dst, '?'), i+2
			continue
		case c == '?':
			if dst, err = at(dst); err != nil {
				return dst, err
			}
			i++
			continue
		case c == '$' && !identChar(prev(src, i)) && i+1 < len(src) && isDigit(src[i+1]):
			end = i + 1
			for end < len(src) && isDigit(src[end]) {
				end++
			}
			n, convErr := strconv.Atoi(src[i+1 : end])
			if convErr != nil {
				n = -1
			}
			if dst, err = num(dst, n, i); err != nil {
				return dst, err
			}
			i = end
			continue
		case c == '\'':
			end, err = quoted(src, i, '\'', escapeString(src, i))
		case c == '"':
			end, err = quoted(src, i, '"', false)
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			end = lineEnd(src, i)
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			end, err = blockEnd(src, i)
		case c == '$' && !identChar(prev(src, i)):
			end, err = dollar(src, i)
		case identStart(c):
			end = identEnd(src, i)
		default:
			end = i + 1
		}
		if err != nil {
			return dst, err
		}
		dst, i = append(dst, src[i:end]...), end
	}
	return dst, nil
}

// escapeString reports whether the quote at i opens an E'…' string.
func escapeString(src string, i int) bool {
	return i > 0 && (src[i-1] == 'E' || src[i-1] == 'e') && !identChar(prev(src, i-1))
}

// quoted returns the end of a literal opened at i by q; a doubled q is an
// escaped q, and with backslash escapes so is \q.
func quoted(src string, i int, q byte, backslash bool) (int, error) {
	for j := i + 1; j < len(src); j++ {
		switch {
		case backslash && src[j] == '\\':
			j++
		case src[j] == q && j+1 < len(src) && src[j+1] == q:
			j++
		case src[j] == q:
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated %c at offset %d: %w", q, i, ErrSyntax)
}

func lineEnd(src string, i int) int {
	if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(src)
}

// blockEnd returns the end of a (nested) block comment opened at i.
func blockEnd(src string, i int) (int, error) {
	depth := 0
	for j := i; j+1 < len(src); j++ {
		switch {
		case src[j] == '/' && src[j+1] == '*':
			depth, j = depth+1, j+1
		case src[j] == '*' && src[j+1] == '/':
			depth, j = depth-1, j+1
			if depth == 0 {
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("unterminated comment at offset %d: %w", i, ErrSyntax)
}

// dollar handles a $ not inside an identifier nor before a digit: a
// $tag$…$tag$ string, or a lone $.
func dollar(src string, i int) (int, error) {
	j := i + 1
	for j < len(src) && identChar(src[j]) && src[j] != '$' {
		j++
	}
	if j >= len(src) || src[j] != '$' {
		return i + 1, nil // a lone $, left to the server
	}
	tag := src[i : j+1]
	k := strings.Index(src[j+1:], tag)
	if k < 0 {
		return 0, fmt.Errorf("unterminated %s string at offset %d: %w", tag, i, ErrSyntax)
	}
	return j + 1 + k + len(tag), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func prev(src string, i int) byte {
	if i == 0 {
		return 0
	}
	return src[i-1]
}

func identStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func identChar(c byte) bool {
	return identStart(c) || c >= '0' && c <= '9' || c == '$'
}

// identEnd returns the end of the identifier or keyword starting at i, so
// that a $ inside it is not read as a dollar quote.
func identEnd(src string, i int) int {
	j := i + 1
	for j < len(src) && identChar(src[j]) {
		j++
	}
	return j // an E'…' string is found by the quote case looking back
}
