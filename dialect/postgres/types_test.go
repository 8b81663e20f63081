package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/schema"
)

// typeCases lists every kind of schema.Type: want is TypeName's text,
// catalog what format_type prints for a column created with it.
var typeCases = []struct {
	name          string
	typ           schema.Type
	want, catalog string
}{
	{"bigint", schema.Scalar{Name: "bigint"}, "bigint", "bigint"},
	{"integer", schema.Scalar{Name: "integer"}, "integer", "integer"},
	{"smallint", schema.Scalar{Name: "smallint"}, "smallint", "smallint"},
	{"real", schema.Scalar{Name: "real"}, "real", "real"},
	{"double", schema.Scalar{Name: "double precision"}, "double precision", "double precision"},
	{"boolean", schema.Scalar{Name: "boolean"}, "boolean", "boolean"},
	{"text", schema.Scalar{Name: "text"}, "text", "text"},
	{"varchar sized", schema.Scalar{Name: "character varying", Size: 20}, "character varying(20)", "character varying(20)"},
	{"char sized", schema.Scalar{Name: "character", Size: 3}, "character(3)", "character(3)"},
	{"numeric", schema.Scalar{Name: "numeric"}, "numeric", "numeric"},
	{"numeric precision", schema.Scalar{Name: "numeric", Precision: 10}, "numeric(10,0)", "numeric(10,0)"},
	{"numeric precision scale", schema.Scalar{Name: "numeric", Precision: 12, Scale: 2}, "numeric(12,2)", "numeric(12,2)"},
	{"bytea", schema.Scalar{Name: "bytea"}, "bytea", "bytea"},
	{"timestamptz", schema.Scalar{Name: "timestamp with time zone"}, "timestamp with time zone", "timestamp with time zone"},
	{"timestamptz precision in name", schema.Scalar{Name: "timestamp(3) with time zone"}, "timestamp(3) with time zone", "timestamp(3) with time zone"},
	{"interval", schema.Scalar{Name: "interval"}, "interval", "interval"},
	{"uuid", schema.Scalar{Name: "uuid"}, "uuid", "uuid"},
	{"inet", schema.Scalar{Name: "inet"}, "inet", "inet"},
	{"cidr", schema.Scalar{Name: "cidr"}, "cidr", "cidr"},
	{"user spelling", schema.Scalar{Name: " varchar(7) "}, "varchar(7)", "character varying(7)"},
	{"text array", schema.Array{Elem: schema.Scalar{Name: "text"}}, "text[]", "text[]"},
	{"bigint array", schema.Array{Elem: schema.Scalar{Name: "bigint"}}, "bigint[]", "bigint[]"},
	{"sized array", schema.Array{Elem: schema.Scalar{Name: "character varying", Size: 5}}, "character varying(5)[]", "character varying(5)[]"},
	{"json", schema.JSON{}, "json", "json"},
	{"jsonb", schema.JSON{Binary: true}, "jsonb", "jsonb"},
	{"jsonb array", schema.Array{Elem: schema.JSON{Binary: true}}, "jsonb[]", "jsonb[]"},
	{"enum", schema.EnumRef{Name: "mood"}, `"mood"`, "mood"},
	{"enum mixed case", schema.EnumRef{Name: "Odd Mood"}, `"Odd Mood"`, `"Odd Mood"`},
	{"enum array", schema.Array{Elem: schema.EnumRef{Name: "mood"}}, `"mood"[]`, "mood[]"},
}

func TestTypeName(t *testing.T) {
	for _, tc := range typeCases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, must[string](t)(pg.TypeName(tc.typ)))
		})
	}
}

// TestTypeNameServer creates a column of every type and reads its type
// back with format_type.
func TestTypeNameServer(t *testing.T) {
	pool := pgtest.NewPool(t)
	execAll(t, pool, `CREATE TYPE mood AS ENUM ('ok')`, `CREATE TYPE "Odd Mood" AS ENUM ('ok')`)
	cols := make([]string, len(typeCases))
	for i, tc := range typeCases {
		cols[i] = fmt.Sprintf("c%d %s", i, must[string](t)(pg.TypeName(tc.typ)))
	}
	execAll(t, pool, "CREATE TABLE types ("+strings.Join(cols, ", ")+")")
	got := columns(t, pool, "types")
	require.Len(t, got, len(typeCases))
	for i, tc := range typeCases {
		require.Equal(t, tc.catalog, got[i].Type, tc.name)
	}
}

func TestTypeNameErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  schema.Type
		want error
	}{
		{"nil", nil, dialect.ErrInvalidDefinition},
		{"empty scalar", schema.Scalar{}, dialect.ErrInvalidDefinition},
		{"blank scalar", schema.Scalar{Name: "  "}, dialect.ErrInvalidDefinition},
		{"NUL in name", schema.Scalar{Name: "int\x00"}, dialect.ErrInvalidDefinition},
		{"negative size", schema.Scalar{Name: "character varying", Size: -1}, dialect.ErrInvalidDefinition},
		{"negative precision", schema.Scalar{Name: "numeric", Precision: -2}, dialect.ErrInvalidDefinition},
		{"size and precision", schema.Scalar{Name: "numeric", Size: 2, Precision: 3}, dialect.ErrInvalidDefinition},
		{"scale without precision", schema.Scalar{Name: "numeric", Scale: 2}, dialect.ErrInvalidDefinition},
		{"array of nothing", schema.Array{}, dialect.ErrInvalidDefinition},
		{"array of bad scalar", schema.Array{Elem: schema.Scalar{}}, dialect.ErrInvalidDefinition},
		{"empty enum name", schema.EnumRef{}, dialect.ErrBadIdent},
		{"long enum name", schema.EnumRef{Name: strings.Repeat("e", 64)}, dialect.ErrBadIdent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := pg.TypeName(tc.typ)
			require.ErrorIs(t, err, tc.want)
			require.Empty(t, s)
		})
	}
}
