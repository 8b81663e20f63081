package postgres_test

import (
	"errors"
	"testing"

	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/schema"
)

func TestParseFormatType(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want schema.Type
	}{
		{"integer", "integer", schema.Scalar{Name: "integer"}},
		{"int4 alias", "int4", schema.Scalar{Name: "integer"}},
		{"upper-case alias", "INT8", schema.Scalar{Name: "bigint"}},
		{"varchar size", "varchar(20)", schema.Scalar{Name: "character varying", Size: 20}},
		{"format_type varchar", "character varying(20)", schema.Scalar{Name: "character varying", Size: 20}},
		{"unsized varchar", "character varying", schema.Scalar{Name: "character varying"}},
		{"numeric", "numeric(10,2)", schema.Scalar{Name: "numeric", Precision: 10, Scale: 2}},
		{"decimal spaced", "decimal( 10 , 2 )", schema.Scalar{Name: "numeric", Precision: 10, Scale: 2}},
		{"numeric precision only", "numeric(10)", schema.Scalar{Name: "numeric", Precision: 10}},
		{"timestamptz", "timestamptz", schema.Scalar{Name: "timestamp with time zone"}},
		{"timestamp precision", "timestamp(3) with time zone", schema.Scalar{Name: "timestamp(3) with time zone"}},
		{"timestamp alias precision", "timestamp(6)", schema.Scalar{Name: "timestamp(6) without time zone"}},
		{"text array", "text[]", schema.Array{Elem: schema.Scalar{Name: "text"}}},
		{"varchar array", "varchar(5)[]", schema.Array{Elem: schema.Scalar{Name: "character varying", Size: 5}}},
		{"two dimensions", "integer[][]", schema.Array{Elem: schema.Scalar{Name: "integer"}}},
		{"sql array keyword", "int ARRAY", schema.Array{Elem: schema.Scalar{Name: "integer"}}},
		{"json", "json", schema.JSON{}},
		{"jsonb", "JSONB", schema.JSON{Binary: true}},
		{"unknown kept", "citext", schema.Scalar{Name: "citext"}},
		{"serial", "serial4", schema.Scalar{Name: "serial"}},
		{"extra spaces", "double   precision", schema.Scalar{Name: "double precision"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := postgres.ParseFormatType(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestParseFormatTypeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", " "},
		{"unbalanced", "varchar(20"},
		{"two modifier lists", "numeric(1)(2)"},
		{"not a number", "varchar(x)"},
		{"negative", "varchar(-1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := postgres.ParseFormatType(tc.in); !errors.Is(err, postgres.ErrBadType) {
				t.Errorf("err = %v, want ErrBadType", err)
			}
		})
	}
}

func TestNormalizeDefault(t *testing.T) {
	tests := []struct {
		name     string
		in, want string
	}{
		{"none", "", ""},
		{"null", "NULL", ""},
		{"typed null", "NULL::character varying", ""},
		{"now", "now()", "now()"},
		{"current_timestamp", "CURRENT_TIMESTAMP", "now()"},
		{"lower current_timestamp", "current_timestamp", "now()"},
		{"transaction_timestamp", "transaction_timestamp()", "now()"},
		{"parenthesised", "(now())", "now()"},
		{"empty array cast", "'{}'::text[]", "'{}'"},
		{"empty array", "'{}'", "'{}'"},
		{"enum cast", "'UNDEFINED'::gender", "'UNDEFINED'"},
		{"quoted enum cast", `'A'::"Mood"`, "'A'"},
		{"varchar cast", "'x'::character varying", "'x'"},
		{"double cast", "'x'::text::character varying", "'x'"},
		{"quoted number", "'0'::integer", "0"},
		{"negative number", "'-1.5'::numeric", "-1.5"},
		{"number", "0", "0"},
		{"number cast", "(0)::numeric", "0"},
		{"boolean", "TRUE", "true"},
		{"string with quote", "'it''s'::text", "'it''s'"},
		{"expression kept", "(a || b)", "a || b"},
		{"function kept", "gen_random_uuid()", "gen_random_uuid()"},
		{"nextval kept", "nextval('t_id_seq'::regclass)", "nextval('t_id_seq'::regclass)"},
		{"cast of expression kept", "(1 + 2)::bigint", "(1 + 2)::bigint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := postgres.NormalizeDefault(tc.in); got != tc.want {
				t.Errorf("NormalizeDefault(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzNormalizeDefault checks that normalising never panics and is
// idempotent.
func FuzzNormalizeDefault(f *testing.F) {
	for _, s := range []string{"", "now()", "'{}'::text[]", "('a')::text", "'it''s'", "-1", "((1))", "'", "(()", "'x'::", "NULL::int"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := postgres.NormalizeDefault(s)
		if twice := postgres.NormalizeDefault(once); twice != once {
			t.Errorf("not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}

// FuzzParseFormatType checks that parsing never panics and that a parsed
// type's text parses to the same type.
func FuzzParseFormatType(f *testing.F) {
	for _, s := range []string{"integer", "varchar(20)", "numeric(10,2)", "text[]", "timestamp(3) with time zone", "jsonb", "x(", ")("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, err := postgres.ParseFormatType(s)
		if err != nil {
			return
		}
		again, err := postgres.ParseFormatType(typ.String())
		if err != nil {
			t.Fatalf("%q parsed to %q, which does not parse: %v", s, typ, err)
		}
		if !schema.Equal(again, typ) {
			t.Errorf("%q: %q then %q", s, typ, again)
		}
	})
}
