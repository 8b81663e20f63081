package schema

import "strings"

// exprWords returns the identifiers of an SQL expression that could name
// a column, in order: see [Table.exprColumns].
func exprWords(expr string) []string {
	var words []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '\'':
			i = skipQuoted(expr, i, '\'')
		case c == '"':
			end := skipQuoted(expr, i, '"')
			if w := unquoteIdent(expr[i:end]); columnWord(expr, i, end) {
				words = append(words, w)
			}
			i = end
		case isWordStart(c):
			end := i + 1
			for end < len(expr) && isWordByte(expr[end]) {
				end++
			}
			if columnWord(expr, i, end) && (c < '0' || c > '9') {
				words = append(words, foldLower(expr[i:end]))
			}
			i = end
		default:
			i++
		}
	}
	return words
}

// skipQuoted returns the index just past the quoted text starting at i
// (with the quote doubled inside it).
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] != q {
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			j++
			continue
		}
		return j + 1
	}
	return len(s)
}

// unquoteIdent strips a quoted identifier's quotes and undoubles inner
// ones.
func unquoteIdent(s string) string {
	if len(s) < 2 || s[len(s)-1] != '"' {
		return ""
	}
	var b []byte
	for i := 1; i < len(s)-1; i++ {
		b = append(b, s[i])
		if s[i] == '"' {
			i++
		}
	}
	return string(b)
}

// columnWord reports whether the word at s[i:end] could be a column: not
// after "::" (a type) or "." (a qualified name's last part), not before
// "(" (a function) or "." (a qualifier), not a string's prefix (E'…').
func columnWord(s string, i, end int) bool {
	before := strings.TrimRight(s[:i], sqlSpace)
	after := strings.TrimLeft(s[end:], sqlSpace)
	switch {
	case strings.HasSuffix(before, "::"), strings.HasSuffix(before, "."):
		return false
	case strings.HasPrefix(after, "("), strings.HasPrefix(after, "."), strings.HasPrefix(s[end:], "'"):
		return false
	}
	return true
}

const sqlSpace = " \t\n\r\f"

func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isWordByte(c byte) bool { return isWordStart(c) || c == '$' }

// foldLower folds ASCII letters as PostgreSQL folds an unquoted name.
func foldLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
