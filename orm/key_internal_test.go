package orm

import (
	"database/sql"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/schema"
)

// keyOfValue reads the key of one value through the part its type gets.
// colType is the SQL type of a key column in these tests: uuid, or a type
// that changes nothing.
func colType(uuid bool) schema.Type {
	if uuid {
		return schema.Scalar{Name: "uuid"}
	}
	return schema.Scalar{Name: "other"}
}

func keyOfValue(t *testing.T, v any, uuid bool) (int64, string, bool) {
	t.Helper()
	rv := reflect.New(reflect.TypeOf(v))
	rv.Elem().Set(reflect.ValueOf(v))
	return newKeyPart(rv.Elem().Type(), colType(uuid)).get(mem.Value(rv))
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

// TestKeyPartsNoKey: NULL is no key; a zero value is a key (of a stored
// row) that a new object has not set yet.
func TestKeyPartsNoKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		uuid bool
		null bool
	}{
		{"zero integer", int64(0), false, false},
		{"nil pointer", (*int64)(nil), false, true},
		{"pointer to zero", new(int64), false, false},
		{"invalid wrapper", pgtype.Int8{Int64: 7}, false, true},
		{"empty string", "", false, false},
		{"empty uuid string", "", true, true},
		{"zero uuid bytes", [16]byte{}, false, false},
		{"zero valid pgtype.UUID", pgtype.UUID{Valid: true}, false, false},
		{"invalid pgtype.UUID", pgtype.UUID{}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rv := reflect.New(reflect.TypeOf(tc.v))
			rv.Elem().Set(reflect.ValueOf(tc.v))
			kp := newKeyPart(rv.Elem().Type(), colType(tc.uuid))
			n, s, ok := kp.get(mem.Value(rv))
			if ok == tc.null || ok && !kp.zero(n, s) {
				t.Fatalf("get = %d, %q, %v (zero %v), want NULL %v or else zero", n, s, ok, kp.zero(n, s), tc.null)
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
			sp, dp := newKeyPart(src.Elem().Type(), colType(tc.uuid)), newKeyPart(dst.Elem().Type(), colType(tc.uuid))
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

func TestTimeKeyParts(t *testing.T) {
	now := time.Now()
	west := time.FixedZone("west", -9*3600)
	tz, ts, date := schema.Scalar{Name: "timestamp with time zone"}, schema.Scalar{Name: "timestamp without time zone"}, schema.Scalar{Name: "date"}
	ts3 := schema.Scalar{Name: "timestamp(3) with time zone"}
	for _, tc := range []struct {
		name  string
		typ   schema.Type
		a, b  time.Time
		equal bool
	}{
		{"timestamptz: monotonic reading and nanoseconds", tz, now, now.Round(0).Truncate(time.Microsecond), true},
		{"timestamptz: another zone", tz, now, now.In(west), true},
		{"timestamptz: another microsecond", tz, now, now.Add(time.Microsecond), false},
		{"timestamptz(3): rounded", tz, now, now, true},
		{"timestamptz(3): within the millisecond", ts3, time.Date(2024, 1, 1, 0, 0, 0, 1e6, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 1.2e6, time.UTC), true},
		{"timestamp: the wall clock, not the instant", ts, time.Date(2024, 1, 1, 9, 0, 0, 0, west), time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC), true},
		{"timestamp: another wall clock", ts, now, now.In(west), false},
		{"date: the calendar day", date, time.Date(2024, 3, 1, 23, 59, 0, 0, west), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{"date before 2000: the day it falls in", date, time.Date(1999, 12, 31, 12, 0, 0, 0, time.UTC), time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{"date before 2000: not the next day", date, time.Date(1999, 12, 31, 12, 0, 0, 0, time.UTC), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kp := newKeyPart(timeType, tc.typ)
			na, _, _ := kp.get(mem.Of(&tc.a))
			nb, _, _ := kp.get(mem.Of(&tc.b))
			if (na == nb) != tc.equal {
				t.Fatalf("keys %d and %d, want equal %v", na, nb, tc.equal)
			}
			var back time.Time
			kp.set(mem.Of(&back), na, "")
			if nback, _, _ := kp.get(mem.Of(&back)); nback != na {
				t.Fatalf("set then get: %d, want %d", nback, na)
			}
		})
	}
	var zero time.Time
	kp := newKeyPart(timeType, tz)
	if n, s, ok := kp.get(mem.Of(&zero)); !ok || !kp.zero(n, s) {
		t.Fatal("the zero time is no zero key")
	}
}

func TestPgtypeTimeKeyParts(t *testing.T) {
	now := time.Now()
	tz := schema.Scalar{Name: "timestamp with time zone"}
	plain := newKeyPart(timeType, tz)
	wrapped := newKeyPart(reflect.TypeFor[pgtype.Timestamptz](), tz)
	n, _, _ := plain.get(mem.Of(&now))
	for _, tc := range []struct {
		name string
		v    pgtype.Timestamptz
		want int64
		null bool
	}{
		{"the same instant elsewhere", pgtype.Timestamptz{Time: now.In(time.FixedZone("x", 3600)), Valid: true}, n, false},
		{"infinity", pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}, math.MaxInt64, false},
		{"-infinity", pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, math.MinInt64, false},
		{"invalid", pgtype.Timestamptz{Time: now}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok := wrapped.get(mem.Of(&tc.v))
			if ok == tc.null || ok && got != tc.want {
				t.Fatalf("get = %d, %v; want %d, NULL %v", got, ok, tc.want, tc.null)
			}
			if !ok {
				return
			}
			var back pgtype.Timestamptz
			wrapped.set(mem.Of(&back), got, "")
			if again, _, ok := wrapped.get(mem.Of(&back)); !ok || again != got || back.InfinityModifier != tc.v.InfinityModifier {
				t.Fatalf("set then get: %d, %v (%+v)", again, ok, back)
			}
		})
	}
}

type uuidKeyRow struct {
	ID   [16]byte `orm:"pk,server_default:gen_random_uuid()"`
	Name string
}

// TestStoredInSharesBlocks: the keys storedIn cuts from one block equal
// the keys stored reads, stay as they were when the objects' keys change
// afterwards, and share allocations (a block per internalSlab bytes).
func TestStoredInSharesBlocks(t *testing.T) {
	m := MustRegistry(&uuidKeyRow{}).modelOf(&uuidKeyRow{})
	if !m.ident.uuid16 {
		t.Fatal("a [16]byte uuid key is not read through storedIn's block")
	}
	rows := make([]uuidKeyRow, 3000)
	var blk keyBlock
	keys := make([]idKey, len(rows))
	for i := range rows {
		rows[i].ID[0], rows[i].ID[15] = byte(i), byte(i>>8)
		keys[i] = m.ident.storedIn(mem.Of(&rows[i]), &blk, len(rows)-i)
		if want, _ := m.ident.stored(mem.Of(&rows[i])); keys[i] != want {
			t.Fatalf("row %d: key %q, stored reads %q", i, keys[i].s, want.s)
		}
	}
	for i := range rows {
		rows[i].ID = [16]byte{0xff}
		if keys[i].s[0] != byte(i) || keys[i].s[15] != byte(i>>8) {
			t.Fatalf("row %d: key changed with the object: %q", i, keys[i].s)
		}
	}
	blocks := 1 // a key not right after the one before starts a block
	for i := 1; i < len(keys); i++ {
		if mem.StringData(keys[i].s).Uintptr() != mem.StringData(keys[i-1].s).Uintptr()+16 {
			blocks++
		}
	}
	if want := (16*len(rows) + internalSlab - 1) / internalSlab; blocks != want {
		t.Fatalf("%d keys in %d blocks, want %d", len(keys), blocks, want)
	}
}
