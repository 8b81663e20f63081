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
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(next), 10)
		next++
		return dst, nil
	})
	return dst, next, err
}

// lex appends src to dst as rewrite does, calling at for each ?
// placeholder to append what stands for it.
func lex(dst []byte, src string, at func(dst []byte) ([]byte, error)) ([]byte, error) {
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

// dollar handles a $ not inside an identifier: a $tag$…$tag$ string, or
// an error for a $n parameter.
func dollar(src string, i int) (int, error) {
	j := i + 1
	if j < len(src) && src[j] >= '0' && src[j] <= '9' {
		return 0, fmt.Errorf("$n parameter at offset %d (use ?): %w", i, ErrSyntax)
	}
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
