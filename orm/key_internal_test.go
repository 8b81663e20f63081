package orm

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// keyOfValue reads the key of one value through the part its type gets.
func keyOfValue(t *testing.T, v any, uuid bool) (int64, string, bool) {
	t.Helper()
	rv := reflect.New(reflect.TypeOf(v))
	rv.Elem().Set(reflect.ValueOf(v))
	return newKeyPart(rv.Elem().Type(), uuid).get(mem.Value(rv))
}

func TestKeyPartsMeet(t *testing.T) {
	const text = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	b, _ := parseUUID(text)
	n := int64(42)
	for _, tc := range []struct {
		name         string
		a, b         any
		uuidA, uuidB bool
	}{
		{"int64 and int32", int64(42), int32(42), false, false},
		{"int64 and *int64", int64(42), &n, false, false},
		{"int64 and sql.NullInt64", int64(42), sql.NullInt64{Int64: 42, Valid: true}, false, false},
		{"int64 and pgtype.Int8", int64(42), pgtype.Int8{Int64: 42, Valid: true}, false, false},
		{"uint16 and int", uint16(42), 42, false, false},
		{"uuid string and [16]byte", text, b, true, false},
		{"uuid string and pgtype.UUID", text, pgtype.UUID{Bytes: b, Valid: true}, true, false},
		{"upper-case uuid without hyphens", strings.ToUpper(strings.ReplaceAll(text, "-", "")), b, true, false},
		{"uuid in braces", "{" + text + "}", b, true, false},
		{"text and pgtype.Text", "go", pgtype.Text{String: "go", Valid: true}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			na, sa, oka := keyOfValue(t, tc.a, tc.uuidA)
			nb, sb, okb := keyOfValue(t, tc.b, tc.uuidB)
			if !oka || !okb || na != nb || sa != sb {
				t.Fatalf("keys differ: (%d, %q, %v) and (%d, %q, %v)", na, sa, oka, nb, sb, okb)
			}
		})
	}
}

func TestKeyPartsNoKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		uuid bool
	}{
		{"zero integer", int64(0), false},
		{"nil pointer", (*int64)(nil), false},
		{"invalid wrapper", pgtype.Int8{Int64: 7}, false},
		{"empty string", "", false},
		{"zero uuid bytes", [16]byte{}, false},
		{"invalid pgtype.UUID", pgtype.UUID{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, ok := keyOfValue(t, tc.v, tc.uuid); ok {
				t.Fatal("a key where there is none")
			}
		})
	}
	_, s, ok := keyOfValue(t, "not-a-uuid", true)
	_, s2, _ := keyOfValue(t, strings.Repeat("0", 32), true)
	if !ok || s == s2 || len(s) <= 16 {
		t.Fatalf("a string that is no uuid: %q", s)
	}
}

func TestCopyKeyAcrossTypes(t *testing.T) {
	const text = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	for _, tc := range []struct {
		name     string
		from, to any
		uuid     bool
		want     any
	}{
		{"uuid string into pgtype.UUID", text, pgtype.UUID{}, true, nil},
		{"pgtype.UUID into *string", pgtype.UUID{}, (*string)(nil), true, text},
		{"int64 into *int32", int64(7), (*int32)(nil), false, int32(7)},
		{"int32 into sql.NullInt64", int32(7), sql.NullInt64{}, false, sql.NullInt64{Int64: 7, Valid: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := reflect.New(reflect.TypeOf(tc.from))
			src.Elem().Set(reflect.ValueOf(tc.from))
			if u, ok := tc.from.(pgtype.UUID); ok {
				u.Bytes, _ = parseUUID(text)
				u.Valid = true
				src.Elem().Set(reflect.ValueOf(u))
			}
			dst := reflect.New(reflect.TypeOf(tc.to))
			sp, dp := newKeyPart(src.Elem().Type(), tc.uuid), newKeyPart(dst.Elem().Type(), tc.uuid)
			n, s, _ := sp.get(mem.Value(src))
			dp.set(mem.Value(dst), n, s)
			dn, ds, ok := dp.get(mem.Value(dst))
			if !ok || dn != n || ds != s {
				t.Fatalf("copied key (%d, %q, %v), want (%d, %q)", dn, ds, ok, n, s)
			}
			got := reflect.Indirect(dst.Elem())
			if tc.want != nil && !reflect.DeepEqual(got.Interface(), tc.want) {
				t.Fatalf("field %v, want %v", got.Interface(), tc.want)
			}
		})
	}
}

// FuzzParseUUID: parsing never panics, and what parses formats back to
// text that parses to the same bytes.
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "{6BA7B8109DAD11D180B400C04FD430C8}", "", "-", "zz", "{}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := parseUUID(s)
		if !ok {
			return
		}
		var text string
		uuidStringSet(mem.Of(&text), 0, string(b[:]))
		if b2, ok := parseUUID(text); !ok || b2 != b || len(text) != 36 {
			t.Fatalf("%q parsed to %x, formatted %q", s, b, text)
		}
	})
}
