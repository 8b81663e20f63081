package orm

import (
	"errors"
	"strings"
	"testing"
)

func TestRewrite(t *testing.T) {
	cases := []struct {
		name, in, want string
		n              int
		err            error
	}{
		{"plain", "a = ? AND b = ?", "a = $1 AND b = $2", 2, nil},
		{"string literal", "a = '?' AND b = ?", "a = '?' AND b = $1", 1, nil},
		{"doubled quote in string", "a = 'it''s ?' OR b = ?", "a = 'it''s ?' OR b = $1", 1, nil},
		{"escape string", `a = E'\'?' AND b = ?`, `a = E'\'?' AND b = $1`, 1, nil},
		{"quoted identifier", `"we?ird" = ?`, `"we?ird" = $1`, 1, nil},
		{"line comment", "a = ? -- why?\n AND b = ?", "a = $1 -- why?\n AND b = $2", 2, nil},
		{"nested block comment", "a = ? /* x /* ? */ ? */ AND b = ?", "a = $1 /* x /* ? */ ? */ AND b = $2", 2, nil},
		{"dollar quoted", "a = $$?$$ AND b = $tag$ ? $$ $tag$ AND c = ?", "a = $$?$$ AND b = $tag$ ? $$ $tag$ AND c = $1", 1, nil},
		{"jsonb operator escaped", "doc ?? 'k' AND id = ?", "doc ? 'k' AND id = $1", 1, nil},
		{"dollar inside identifier", "a$1 = ?", "a$1 = $1", 1, nil},
		{"numbering continues", "?", "$3", 1, nil},
		{"positional parameter refused", "a = $1", "", 0, ErrSyntax},
		{"unterminated string", "a = 'x", "", 0, ErrSyntax},
		{"unterminated identifier", `"x = ?`, "", 0, ErrSyntax},
		{"unterminated comment", "a /* x", "", 0, ErrSyntax},
		{"unterminated dollar quote", "$q$ x", "", 0, ErrSyntax},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := 1
			if tc.name == "numbering continues" {
				start = 3
			}
			got, next, err := rewrite(nil, tc.in, start)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want || next-start != tc.n {
				t.Fatalf("rewrite(%q) = %q, %d, %v; want %q, %d", tc.in, got, next-start, err, tc.want, tc.n)
			}
		})
	}
}

func TestStatement(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		nargs          int
		err            error
	}{
		{"question marks", "a = ? AND b = ?", "a = $1 AND b = $2", 2, nil},
		{"numbered", "a = $2 AND b = $1 OR c = $2", "a = $2 AND b = $1 OR c = $2", 2, nil},
		{"numbered in literals left alone", "a = '$3' AND $$ $4 ? $$ = $1 -- $5", "a = '$3' AND $$ $4 ? $$ = $1 -- $5", 1, nil},
		{"leading zeros", "a = $01", "a = $1", 1, nil},
		{"none", "SELECT 1", "SELECT 1", 0, nil},
		{"both", "a = ? AND b = $1", "", 1, ErrSyntax},
		{"zero", "a = $0", "", 0, ErrSyntax},
		{"beyond the protocol", "a = $99999999999999999999", "", 1, ErrSyntax},
		{"gap", "a = $1 AND b = $3", "", 3, ErrPlaceholders},
		{"too many arguments", "a = $1", "", 2, ErrPlaceholders},
		{"too few arguments", "a = ?", "", 0, ErrPlaceholders},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := statement(tc.in, tc.nargs)
			if tc.err != nil || err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if string(got) != tc.want {
				t.Fatalf("statement(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzRewrite checks the lexer's invariants on any input: it never panics;
// on success the output has exactly as many $n as it counted, numbered in
// order; text without ? and $ comes back unchanged.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{"a = ?", "'?'", `"?"`, "-- ?\n?", "/* /* ? */ */ ?", "$x$ ? $x$ ?", "E'\\'' ?", "??", "$1", "'", "a$b ?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if _, err := statement(in, 1); err != nil && !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrPlaceholders) {
			t.Fatalf("statement: unexpected error type: %v", err)
		}
		out, next, err := rewrite(nil, in, 1)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		if !strings.ContainsAny(in, "?$") && string(out) != in {
			t.Fatalf("changed text without placeholders: %q -> %q", in, out)
		}
		if strings.Count(in, "?") == 0 && next != 1 {
			t.Fatalf("counted %d placeholders in %q", next-1, in)
		}
		// Rewriting the output again finds no new placeholders except
		// the literal ? that ?? produced.
		if !strings.Contains(in, "??") {
			if _, again, err := rewrite(nil, string(out), 1); err == nil && again != 1 {
				t.Fatalf("output %q still has placeholders", out)
			}
		}
	})
}
