package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

func TestQuoteIdent(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		name, in, want string
		problem        dialect.IdentProblem
	}{
		{name: "plain", in: "users", want: `"users"`},
		{name: "upper case kept", in: "Users", want: `"Users"`},
		{name: "keyword", in: "select", want: `"select"`},
		{name: "space and dot", in: "my table.x", want: `"my table.x"`},
		{name: "embedded quote doubled", in: `a"b`, want: `"a""b"`},
		{name: "only quotes", in: `""`, want: `""""""`},
		{name: "single quote untouched", in: `o'neil`, want: `"o'neil"`},
		{name: "unicode", in: "café_ø", want: `"café_ø"`},
		{name: "63 bytes", in: long63, want: `"` + long63 + `"`},
		{name: "empty", in: "", problem: dialect.IdentEmpty},
		{name: "NUL", in: "a\x00b", problem: dialect.IdentNUL},
		{name: "64 bytes", in: long63 + "b", problem: dialect.IdentTooLong},
		{name: "multibyte over limit", in: strings.Repeat("é", 32), problem: dialect.IdentTooLong},
		{name: "invalid UTF-8", in: "a\xffb", problem: dialect.IdentInvalidUTF8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pg.QuoteIdent(tc.in)
			if tc.problem == 0 {
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
				return
			}
			require.ErrorIs(t, err, dialect.ErrBadIdent)
			var ie *dialect.IdentError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.problem, ie.Problem)
			require.Equal(t, tc.in, ie.Name)
			require.Empty(t, got)
		})
	}
}

func TestIdentErrorMessage(t *testing.T) {
	_, err := pg.QuoteIdent(strings.Repeat("x", 70))
	require.EqualError(t, err, `bad identifier "`+strings.Repeat("x", 70)+`": 70 bytes, longer than the limit of 63 (it would be truncated)`)
	_, err = pg.QuoteIdent("a\x00")
	require.EqualError(t, err, `bad identifier "a\x00": contains a NUL byte`)
}

// TestQuoteIdentServer creates tables under awkward names and finds each
// in pg_class under exactly its name: nothing folded or truncated.
func TestQuoteIdentServer(t *testing.T) {
	pool := pgtest.NewPool(t)
	names := []string{"Mixed Case", `a"b""c`, "select", "o'neil; drop", "café", strings.Repeat("é", 31) + "x"}
	for _, n := range names {
		execAll(t, pool, "CREATE TABLE "+quote(t, n)+" ("+quote(t, n)+" int)")
	}
	got := strs(t, pool, `SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`)
	require.ElementsMatch(t, names, got)
}

func TestPlaceholder(t *testing.T) {
	for n, want := range map[int]string{1: "$1", 9: "$9", 10: "$10", 65535: "$65535"} {
		require.Equal(t, want, pg.Placeholder(n))
	}
	pool := pgtest.NewPool(t)
	var sum int
	sql := "SELECT " + pg.Placeholder(1) + "::int + " + pg.Placeholder(2) + "::int"
	require.NoError(t, pool.QueryRow(context.Background(), sql, 40, 2).Scan(&sum))
	require.Equal(t, 42, sum)
}

// FuzzQuoteIdent checks QuoteIdent's properties: a quoted name unquotes to
// the input and has no lone quote inside; a refusal names the right
// problem and never comes with output.
func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"users", `a"b`, "", "\x00", strings.Repeat("z", 64), "\xff", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		q, err := pg.QuoteIdent(name)
		var ie *dialect.IdentError
		if errors.As(err, &ie) {
			checkRefusal(t, name, q, ie)
			return
		}
		if err != nil {
			t.Fatalf("%q: untyped error %v", name, err)
		}
		if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
			t.Fatalf("%q: not enclosed in quotes: %s", name, q)
		}
		inner := q[1 : len(q)-1]
		if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
			t.Fatalf("%q: lone quote inside %s", name, q)
		}
		if strings.ReplaceAll(inner, `""`, `"`) != name {
			t.Fatalf("%q: %s does not unquote to the input", name, q)
		}
	})
}

func checkRefusal(t *testing.T, name, q string, ie *dialect.IdentError) {
	want := map[dialect.IdentProblem]bool{
		dialect.IdentEmpty:       name == "",
		dialect.IdentNUL:         strings.Contains(name, "\x00"),
		dialect.IdentTooLong:     len(name) > postgres.MaxIdentLen,
		dialect.IdentInvalidUTF8: !utf8.ValidString(name),
	}
	if q != "" || !want[ie.Problem] {
		t.Fatalf("%q: refused as %v with output %q", name, ie.Problem, q)
	}
}

func BenchmarkQuoteIdent(b *testing.B) {
	for _, name := range []string{"created_at", `we"ird`} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := pg.QuoteIdent(name); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
