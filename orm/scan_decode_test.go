package orm

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// TestDecodersMatchPgx decodes values of every pair scan_decode.go
// handles and checks the result against pgx's own Scan of the same wire
// bytes: the same value where pgx takes it, and a refusal (so that pgx
// scans the row and reports its error) where pgx fails.
func TestDecodersMatchPgx(t *testing.T) {
	ctx := context.Background()
	conn := connect(t)
	cases := []struct {
		name string
		expr string
		typ  reflect.Type
	}{
		{"bigint", "(-9223372036854775808)::bigint", reflect.TypeFor[int64]()},
		{"bigint max", "9223372036854775807::bigint", reflect.TypeFor[int64]()},
		{"null bigint", "NULL::bigint", reflect.TypeFor[int64]()},
		{"null bigint pointer", "NULL::bigint", reflect.TypeFor[*int64]()},
		{"bigint pointer", "42::bigint", reflect.TypeFor[*int64]()},
		{"integer", "(-2147483648)::integer", reflect.TypeFor[int32]()},
		{"null integer pointer", "NULL::integer", reflect.TypeFor[*int32]()},
		{"smallint", "(-32768)::smallint", reflect.TypeFor[int16]()},
		{"double", "-1.5e300::float8", reflect.TypeFor[float64]()},
		{"double NaN", "'NaN'::float8", reflect.TypeFor[float64]()},
		{"double -infinity", "'-Infinity'::float8", reflect.TypeFor[float64]()},
		{"null double", "NULL::float8", reflect.TypeFor[float64]()},
		{"boolean true", "true", reflect.TypeFor[bool]()},
		{"boolean false pointer", "false", reflect.TypeFor[*bool]()},
		{"null boolean", "NULL::boolean", reflect.TypeFor[bool]()},
		{"text", "'héllo, wörld'::text", reflect.TypeFor[string]()},
		{"empty text", "''::text", reflect.TypeFor[string]()},
		{"empty text pointer", "''::text", reflect.TypeFor[*string]()},
		{"null text", "NULL::text", reflect.TypeFor[string]()},
		{"null text pointer", "NULL::text", reflect.TypeFor[*string]()},
		{"varchar", "'v'::varchar(3)", reflect.TypeFor[string]()},
		{"uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", reflect.TypeFor[[16]byte]()},
		{"null uuid pointer", "NULL::uuid", reflect.TypeFor[*[16]byte]()},
		{"null uuid", "NULL::uuid", reflect.TypeFor[[16]byte]()},
		{"timestamptz", "'2024-02-29 23:59:59.999999+05:30'::timestamptz", timeType},
		{"timestamptz before 1970", "'1901-12-13 20:45:52.123456+00'::timestamptz", timeType},
		{"timestamptz first", "'4714-11-24 00:00:00+00 BC'::timestamptz", timeType},
		{"timestamptz last", "'294276-12-31 23:59:59.999999+00'::timestamptz", timeType},
		{"timestamptz infinity", "'infinity'::timestamptz", timeType},
		{"timestamptz -infinity", "'-infinity'::timestamptz", timeType},
		{"null timestamptz", "NULL::timestamptz", timeType},
		{"timestamptz pointer", "now()", reflect.PointerTo(timeType)},
		{"null timestamptz pointer", "NULL::timestamptz", reflect.PointerTo(timeType)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := conn.Query(ctx, "SELECT "+tc.expr, pgx.QueryExecModeDescribeExec) // binary results, whatever the URL says
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			if !rows.Next() {
				t.Fatal(rows.Err())
			}
			fd := rows.FieldDescriptions()[0]
			if fd.Format != pgx.BinaryFormatCode && !textFormat(fd.DataTypeOID) {
				t.Fatalf("format %d: the decoder would not be used", fd.Format)
			}
			fn := decoderFor(conn.TypeMap(), fd.DataTypeOID, tc.typ)
			if fn == nil {
				t.Fatalf("no decoder for %s into %s", tc.expr, tc.typ)
			}
			var raw []byte // a copy, NULL (nil) and empty kept apart
			if v := rows.RawValues()[0]; v != nil {
				raw = append(make([]byte, 0, len(v)), v...)
			}
			ours := reflect.New(tc.typ)
			ok := fn(raw, mem.Value(ours))
			theirs := reflect.New(tc.typ)
			perr := rows.Scan(theirs.Interface())
			switch {
			case perr != nil && ok:
				t.Fatalf("pgx fails (%v), the decoder took the value: %v", perr, ours.Elem())
			case perr == nil && !ok:
				t.Fatalf("pgx scans %v, the decoder refused it", theirs.Elem())
			case perr == nil:
				requireSame(t, theirs.Elem(), ours.Elem())
			}
		})
	}
}

// connect opens a connection to a fresh database, closed after the test.
func connect(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// requireSame compares two decoded values, times by instant and zone and
// floats by bits (NaN).
func requireSame(t *testing.T, want, got reflect.Value) {
	t.Helper()
	for want.Kind() == reflect.Pointer {
		if want.IsNil() || got.IsNil() {
			if want.IsNil() != got.IsNil() {
				t.Fatalf("got %v, want %v", got, want)
			}
			return
		}
		if want.Pointer() == got.Pointer() {
			t.Fatal("decoded pointer shares pgx's storage")
		}
		want, got = want.Elem(), got.Elem()
	}
	switch w := want.Interface().(type) {
	case time.Time:
		g := got.Interface().(time.Time)
		if !w.Equal(g) || w.Location() != g.Location() {
			t.Fatalf("got %v (%v), want %v (%v)", g, g.Location(), w, w.Location())
		}
	case float64:
		if math.Float64bits(w) != math.Float64bits(got.Float()) {
			t.Fatalf("got %v, want %v", got.Float(), w)
		}
	default:
		if !reflect.DeepEqual(want.Interface(), got.Interface()) {
			t.Fatalf("got %#v, want %#v", got.Interface(), want.Interface())
		}
	}
}

// TestDecoderChoice: a decoder is used only for its exact field type and
// pgx's unchanged codec; a named type (which may scan itself), another
// codec registered for the type, or a type without a decoder go to pgx.
func TestDecoderChoice(t *testing.T) {
	conn := connect(t)
	type named int64
	loc := conn.TypeMap()
	cases := []struct {
		name string
		oid  uint32
		typ  reflect.Type
		want bool
	}{
		{"bigint into int64", 20, reflect.TypeFor[int64](), true},
		{"bigint into a named int64", 20, reflect.TypeFor[named](), false},
		{"bigint into int32", 20, reflect.TypeFor[int32](), false},
		{"numeric into float64", 1700, reflect.TypeFor[float64](), false},
		{"jsonb into string", 3802, reflect.TypeFor[string](), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := decoderFor(loc, tc.oid, tc.typ) != nil; got != tc.want {
				t.Fatalf("decoder chosen: %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("timestamptz with a scan location", func(t *testing.T) {
		m := pgtype.NewMap()
		m.RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		if decoderFor(m, pgtype.TimestamptzOID, timeType) != nil {
			t.Fatal("a codec with a ScanLocation must go to pgx")
		}
	})
}

type decodeRow struct {
	ID int64 `orm:"pk"`
	N  int64
	At time.Time
}

// TestScanFallsBackToPgx: a row whose values the decoders do not take
// (NULL into an int64, an infinite timestamp) is scanned by pgx, which
// reports its error for the right column; the other rows load.
func TestScanFallsBackToPgx(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.New(t), MustRegistry(&decodeRow{}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(ctx, `ALTER TABLE decode_rows ALTER COLUMN n DROP NOT NULL;
		INSERT INTO decode_rows VALUES (1, 7, '2020-01-02 03:04:05.000006+00'), (2, NULL, now()), (3, 8, 'infinity')`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		id     int64
		column int // failing column, or -1
	}{
		{name: "decoded", id: 1, column: -1},
		{name: "NULL into int64", id: 2, column: 1},
		{name: "infinite timestamp", id: 3, column: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := db.Session()
			defer s.Close()
			got, err := Query[decodeRow](s).Where("id = ?", tc.id).All(ctx)
			if tc.column < 0 {
				want := time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)
				if err != nil || len(got) != 1 || got[0].N != 7 || !got[0].At.Equal(want) {
					t.Fatalf("got %+v, %v", got, err)
				}
				return
			}
			var se pgx.ScanArgError
			if !errors.As(err, &se) || se.ColumnIndex != tc.column {
				t.Fatalf("err = %v, want pgx's scan error for column %d", err, tc.column)
			}
		})
	}
}
