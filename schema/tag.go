package schema

import (
	"fmt"
	"strings"
)

// Option is one element of a struct tag: "key" or "key:value".
type Option struct {
	Key      string // the text before the first ':', trimmed
	Value    string // the text after it, trimmed, quotes kept
	HasValue bool   // a ':' followed the key (the value may still be empty)
}

// String renders the option as it would be written in a tag.
func (o Option) String() string {
	if o.HasValue {
		return o.Key + ":" + o.Value
	}
	return o.Key
}

// ParseTag splits an `orm` or `rel` tag into its options. Options are
// separated by commas; a comma inside parentheses, brackets or braces, or
// inside a single- or double-quoted string, does not separate, so values
// such as `check:price BETWEEN 0 AND 10`, `server_default:'{a,b}'::text[]`
// or `index:(lower(email))` are one option each. The key is the text
// before the first ':' and the value the text after it, both trimmed.
// Empty elements (",,", a trailing comma), a key that is not a word, and
// unbalanced brackets or quotes are errors wrapping [ErrBadValue].
// ParseTag("") returns no options and no error.
func ParseTag(tag string) ([]Option, error) {
	if strings.TrimSpace(tag) == "" {
		return nil, nil
	}
	var (
		opts  []Option
		depth int
		quote byte
		start int
	)
	for i := 0; i <= len(tag); i++ {
		if i < len(tag) {
			c := tag[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
				continue
			case c == '\'' || c == '"':
				quote = c
				continue
			case c == '(' || c == '[' || c == '{':
				depth++
				continue
			case c == ')' || c == ']' || c == '}':
				if depth--; depth < 0 {
					return nil, fmt.Errorf("%w: unbalanced %q at byte %d of %q", ErrBadValue, c, i, tag)
				}
				continue
			case c != ',' || depth > 0:
				continue
			}
		}
		opt, err := parseOption(tag[start:i])
		if err != nil {
			return nil, fmt.Errorf("%w in %q", err, tag)
		}
		opts = append(opts, opt)
		start = i + 1
	}
	if quote != 0 {
		return nil, fmt.Errorf("%w: unterminated %c quote in %q", ErrBadValue, quote, tag)
	}
	if depth != 0 {
		return nil, fmt.Errorf("%w: unbalanced brackets in %q", ErrBadValue, tag)
	}
	return opts, nil
}

func parseOption(s string) (Option, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Option{}, fmt.Errorf("%w: empty option", ErrBadValue)
	}
	key, value, has := strings.Cut(s, ":")
	key = strings.TrimSpace(key)
	if !isWord(key) {
		return Option{}, fmt.Errorf("%w: option %q does not start with a name", ErrBadValue, s)
	}
	return Option{Key: key, Value: strings.TrimSpace(value), HasValue: has}, nil
}

// isWord reports whether s is a non-empty run of letters, digits, '_' and
// '-' (cascade names such as delete-orphan) starting with a letter or '_'.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
		if !letter && (i == 0 || (c != '-' && (c < '0' || c > '9'))) {
			return false
		}
	}
	return true
}
