package schema_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/schema"
)

func TestParseTag(t *testing.T) {
	tests := []struct {
		tag  string
		want []string // Option.String() of each
	}{
		{"", nil},
		{"  ", nil},
		{"pk", []string{"pk"}},
		{"email_address,unique,index", []string{"email_address", "unique", "index"}},
		{" pk , identity ", []string{"pk", "identity"}},
		{"index:ix_a_b", []string{"index:ix_a_b"}},
		{"server_default:'{a,b}'::text[]", []string{"server_default:'{a,b}'::text[]"}},
		{"check:price BETWEEN 0 AND 10,unique", []string{"check:price BETWEEN 0 AND 10", "unique"}},
		{"check:(a, b) <> (0, 0)", []string{"check:(a, b) <> (0, 0)"}},
		{"server_default:coalesce(x, 1),onupdate:now()", []string{"server_default:coalesce(x, 1)", "onupdate:now()"}},
		{`comment:'it''s, fine'`, []string{`comment:'it''s, fine'`}},
		{`default:"a,b"`, []string{`default:"a,b"`}},
		{"server_default:'{}'::jsonb", []string{"server_default:'{}'::jsonb"}},
		{"cascade:all|delete-orphan", []string{"cascade:all|delete-orphan"}},
		{"default:", []string{"default:"}},
		{"server_default:'a:b'", []string{"server_default:'a:b'"}},
	}
	for _, tc := range tests {
		t.Run(tc.tag, func(t *testing.T) {
			opts, err := schema.ParseTag(tc.tag)
			require.NoError(t, err)
			var got []string
			for _, o := range opts {
				got = append(got, o.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseTagErrors(t *testing.T) {
	for _, tag := range []string{
		",", "pk,", ",pk", "pk,,unique", "check:(a", "check:a)", "default:'open", `comment:"x`,
		":value", "9lives", "a b", "pk,{", "check:[a)]",
	} {
		t.Run(tag, func(t *testing.T) {
			_, err := schema.ParseTag(tag)
			require.ErrorIs(t, err, schema.ErrBadValue)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", tag), "the message quotes the tag")
		})
	}
}

// FuzzParseTag checks ParseTag's promises on any input: it never panics,
// fails only with ErrBadValue, returns keys that are words, and its options
// rendered and joined parse back to the same options.
func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"pk", "name,unique,index:ix", "server_default:'{a,b}'::text[]", "check:(a, b) > 0",
		"fk:users.id,ondelete:cascade", `comment:'x, y'`, "a:b:c", "(", "'", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		opts, err := schema.ParseTag(tag)
		if err != nil {
			if !errors.Is(err, schema.ErrBadValue) {
				t.Fatalf("ParseTag(%q): %v does not wrap ErrBadValue", tag, err)
			}
			return
		}
		parts := make([]string, len(opts))
		for i, o := range opts {
			if o.Key == "" || strings.ContainsAny(o.Key, ":, ") {
				t.Fatalf("ParseTag(%q): bad key %q", tag, o.Key)
			}
			parts[i] = o.String()
		}
		again, err := schema.ParseTag(strings.Join(parts, ","))
		if err != nil {
			t.Fatalf("ParseTag(%q) re-parse of %q: %v", tag, strings.Join(parts, ","), err)
		}
		if len(again) != len(opts) {
			t.Fatalf("ParseTag(%q): %d options, re-parsed %d", tag, len(opts), len(again))
		}
		for i := range opts {
			if again[i] != opts[i] {
				t.Fatalf("ParseTag(%q): option %d %+v re-parsed as %+v", tag, i, opts[i], again[i])
			}
		}
	})
}
