package schema_test

import (
	"testing"

	"github.com/crucible-orm/crucible/schema"
)

func TestReferenceSchema(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tables []string // schema.name, "" schema as ".name"
		ref    string   // the key's RefSchema; it references table users
		want   string
	}{
		{"where the key says", []string{".users", "app.users"}, "", ""},
		{"a named schema, not the search path's", []string{".users", "app.users"}, "app", "app"},
		{"unqualified reaches public", []string{"public.users"}, "", "public"},
		{"public reaches unqualified", []string{".users"}, "public", ""},
		{"public kept when both exist", []string{".users", "public.users"}, "public", "public"},
		{"another schema never stands in", []string{"app.users"}, "", ""},
		{"no table: as written", nil, "sales", "sales"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			has := func(nsp, name string) bool {
				for _, q := range tc.tables {
					if q == nsp+"."+name {
						return true
					}
				}
				return false
			}
			fk := &schema.ForeignKey{RefSchema: tc.ref, RefTable: "users"}
			if got := schema.ReferenceSchema(fk, has); got != tc.want {
				t.Fatalf("ReferenceSchema = %q, want %q", got, tc.want)
			}
		})
	}
}
