package orm_test

import (
	"encoding/json"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm"
)

// TypeRow has a field of each Go type of docs/models.md's table that the
// other tests leave out, written with zero values and with values.
type TypeRow struct {
	ID     int64 `orm:"pk"`
	Small  int16
	Port   uint16
	Ratio  float32
	Wait   time.Duration
	Token  [16]byte
	Addr   netip.Addr
	Net    netip.Prefix
	Blob   []byte
	Nums   []int64
	Attrs  map[string]int
	Raw    json.RawMessage
	Nested struct{ A, B string }
	Name   string `orm:"size:20"`
}

// docs/models.md, Go types and NULL: each type's column, and what zero
// values are written as (a nil slice or map as empty, a nil RawMessage as
// NULL), read back by plain SQL and by a query.
func TestGoTypesRoundTrip(t *testing.T) {
	e := setup(t, orm.MustRegistry(&TypeRow{}))
	want := map[string]string{
		"small": "smallint", "port": "integer", "ratio": "real", "wait": "interval", "token": "uuid",
		"addr": "inet", "net": "cidr", "blob": "bytea", "nums": "bigint[]", "attrs": "jsonb", "raw": "jsonb",
		"nested": "jsonb", "name": "character varying(20)",
	}
	for _, r := range e.rows(`SELECT column_name::text, format_type(atttypid, atttypmod), is_nullable::text
		FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = 'type_rows'::regclass AND a.attname = c.column_name
		WHERE table_name = 'type_rows'`) {
		name, typ, null := r[0].(string), r[1].(string), r[2].(string)
		if w, ok := want[name]; ok && w != typ {
			t.Errorf("%s: %s, want %s", name, typ, w)
		}
		if (null == "YES") != (name == "raw") {
			t.Errorf("%s nullable %s", name, null)
		}
	}
	s := e.db.Session()
	defer s.Close()
	// A zero netip.Addr or Prefix is invalid, which pgx writes as NULL: the
	// NOT NULL column refuses it (docs/models.md says so).
	zero := &TypeRow{}
	s.Add(zero)
	if err := s.Commit(e.ctx); !errors.Is(err, orm.ErrNotNullViolation) {
		t.Fatalf("a zero netip.Addr: %v, want a not-null violation", err)
	}
	zero.Addr, zero.Net = netip.IPv6Unspecified(), netip.MustParsePrefix("::/0")
	full := &TypeRow{Small: -3, Port: 65535, Ratio: 1.5, Wait: 90 * time.Second, Token: [16]byte{1, 2, 3},
		Addr: netip.MustParseAddr("10.0.0.1"), Net: netip.MustParsePrefix("10.0.0.0/8"), Blob: []byte{0, 1},
		Nums: []int64{1, 2}, Attrs: map[string]int{"a": 1}, Raw: json.RawMessage(`{"x":1}`), Name: "n"}
	full.Nested.A = "a"
	s.Add(zero, full)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	got := e.rows(`SELECT blob = ''::bytea, nums = '{}', attrs = '{}'::jsonb, raw IS NULL FROM type_rows WHERE id = $1`, zero.ID)
	if got[0][0] != true || got[0][1] != true || got[0][2] != true || got[0][3] != true {
		t.Fatalf("zero values written as %v, want empty bytea, {}, {} and NULL", got)
	}
	s2 := e.db.Session()
	defer s2.Close()
	back, err := orm.Get[TypeRow](e.ctx, s2, full.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Wait != full.Wait || back.Token != full.Token || back.Addr != full.Addr || back.Net != full.Net ||
		back.Port != full.Port || back.Nested.A != "a" || back.Attrs["a"] != 1 || len(back.Nums) != 2 || string(back.Blob) != string(full.Blob) {
		t.Fatalf("read back %+v", back)
	}
	e.cap.reset()
	if err := s2.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("an unchanged row sent %q (%v)", e.cap.sqls(), err)
	}
}
