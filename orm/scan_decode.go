package orm

import (
	"encoding/binary"
	"math"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Rows of a model are decoded here, straight from the wire into the
// fields, for the common pairs of column type and Go field type (bigint
// into int64, text into string, timestamptz into time.Time, …), and
// through pgx's Scan for everything else. A pair is decoded here only
// when the result comes in binary and the connection's type map holds
// pgx's own codec for the type, unchanged: the value written is then the
// one pgx would write (text and varchar come in text format, which for
// them is the same bytes). Any value such a decoder does not take as it is
// (NULL into a non-pointer, an infinite timestamp, a malformed length)
// sends the whole row to pgx's Scan, which writes it or reports the error
// pgx reports.

// decodeFunc decodes one binary column value into the field at dst and
// reports whether it did.
type decodeFunc func(src []byte, dst mem.Ptr) bool

// decoder is one (PostgreSQL type, Go type) pair decoded here.
type decoder struct {
	oid    uint32
	goType reflect.Type
	codec  func(pgtype.Codec) bool // the codec pgx registers for oid, unchanged
	fn     decodeFunc
}

// textFormat reports whether the type's text format is its binary format
// too (text and varchar are their bytes either way; pgx asks for them in
// text).
func textFormat(oid uint32) bool { return oid == pgtype.TextOID || oid == pgtype.VarcharOID }

// isCodec matches want, a codec of a comparable type, by type and value.
func isCodec(want pgtype.Codec) func(pgtype.Codec) bool {
	t := reflect.TypeOf(want)
	return func(c pgtype.Codec) bool { return reflect.TypeOf(c) == t && c == want }
}

func defaultTimestamptz(c pgtype.Codec) bool {
	tc, ok := c.(*pgtype.TimestamptzCodec)
	return ok && tc.ScanLocation == nil
}

// decoders lists the pairs; the table is read-only.
var decoders = func() []decoder {
	var out []decoder
	add := func(oid uint32, codec func(pgtype.Codec) bool, t reflect.Type, fn decodeFunc, ptr decodeFunc) {
		out = append(out, decoder{oid, t, codec, fn}, decoder{oid, reflect.PointerTo(t), codec, ptr})
	}
	text := isCodec(pgtype.TextCodec{})
	add(pgtype.Int8OID, isCodec(pgtype.Int8Codec{}), reflect.TypeFor[int64](), decodeInt8, pointerTo[int64](decodeInt8))
	add(pgtype.Int4OID, isCodec(pgtype.Int4Codec{}), reflect.TypeFor[int32](), decodeInt4, pointerTo[int32](decodeInt4))
	add(pgtype.Int2OID, isCodec(pgtype.Int2Codec{}), reflect.TypeFor[int16](), decodeInt2, pointerTo[int16](decodeInt2))
	add(pgtype.Float8OID, isCodec(pgtype.Float8Codec{}), reflect.TypeFor[float64](), decodeFloat8, pointerTo[float64](decodeFloat8))
	add(pgtype.BoolOID, isCodec(pgtype.BoolCodec{}), reflect.TypeFor[bool](), decodeBool, pointerTo[bool](decodeBool))
	add(pgtype.TextOID, text, reflect.TypeFor[string](), decodeText, pointerTo[string](decodeText))
	add(pgtype.VarcharOID, text, reflect.TypeFor[string](), decodeText, pointerTo[string](decodeText))
	add(pgtype.UUIDOID, isCodec(pgtype.UUIDCodec{}), reflect.TypeFor[[16]byte](), decodeUUID, pointerTo[[16]byte](decodeUUID))
	add(pgtype.TimestamptzOID, defaultTimestamptz, timeType, decodeTimestamptz, pointerTo[time.Time](decodeTimestamptz))
	return out
}()

// decoderFor returns the decoder of a result column of type oid for a
// field of type t, or nil.
func decoderFor(tm *pgtype.Map, oid uint32, t reflect.Type) decodeFunc {
	for _, d := range decoders {
		if d.oid != oid || d.goType != t {
			continue
		}
		if pt, ok := tm.TypeForOID(oid); ok && d.codec(pt.Codec) {
			return d.fn
		}
		return nil
	}
	return nil
}

// rowPlan is how the rows of one result set become fields of an object:
// the columns from off on are cols, in order; dec[i] decodes column off+i,
// or is nil when pgx scans it. The first off columns are the caller's.
type rowPlan struct {
	off  int
	cols []*column
	dec  []decodeFunc
	fast bool // some column is decoded here
	slow bool // some column is scanned by pgx
}

// planRows looks at a result set whose columns from off on are cols and
// picks a decoder per column; the caller reads the first off columns
// itself.
func planRows(rows pgx.Rows, off int, cols []*column) rowPlan {
	p := rowPlan{off: off, cols: cols, dec: make([]decodeFunc, len(cols))}
	fds := rows.FieldDescriptions()
	var tm *pgtype.Map
	if conn := rows.Conn(); conn != nil {
		tm = conn.TypeMap()
	}
	for i, c := range cols {
		if tm != nil && len(fds) == off+len(cols) {
			if fd := fds[off+i]; fd.Format == pgx.BinaryFormatCode || textFormat(fd.DataTypeOID) {
				p.dec[i] = decoderFor(tm, fd.DataTypeOID, c.goType)
			}
		}
		p.fast = p.fast || p.dec[i] != nil
		p.slow = p.slow || p.dec[i] == nil
	}
	return p
}

// scan fills obj from the current row: the columns with a decoder here,
// the others (or all, when a value needs pgx) through rows.Scan into
// dest, which has one entry per column of the row; the caller's first
// off entries are passed to pgx as they are.
//
// A caller with no columns of its own (off 0) may pass a nil dest: the
// row then needs one only when pgx scans some value.
func (p *rowPlan) scan(rows pgx.Rows, obj mem.Ptr, dest []any) error {
	fast := p.fast && p.decode(rows.RawValues(), obj)
	if fast && !p.slow {
		return nil
	}
	if dest == nil {
		dest = make([]any, len(p.cols))
	}
	if fast {
		for i, c := range p.cols {
			dest[p.off+i] = nil
			if p.dec[i] == nil {
				dest[p.off+i] = c.ptr(obj)
			}
		}
		return rows.Scan(dest...)
	}
	for i, c := range p.cols {
		dest[p.off+i] = c.ptr(obj)
	}
	return rows.Scan(dest...)
}

// decode runs the decoders; false when some value needs pgx.
func (p *rowPlan) decode(raw [][]byte, obj mem.Ptr) bool {
	if len(raw) != p.off+len(p.dec) {
		return false
	}
	for i, fn := range p.dec {
		if fn != nil && !fn(raw[p.off+i], p.cols[i].path.addr(obj)) {
			return false
		}
	}
	return true
}

// retCols lists the columns of ret in table order.
func retCols(m *model, ret colSet) []*column {
	out := make([]*column, 0, countSet(ret))
	for _, c := range m.cols {
		if ret.has(c.pos) {
			out = append(out, c)
		}
	}
	return out
}

func decodeInt8(src []byte, dst mem.Ptr) bool {
	if len(src) != 8 {
		return false
	}
	mem.Store[int64](dst, int64(binary.BigEndian.Uint64(src)))
	return true
}

func decodeInt4(src []byte, dst mem.Ptr) bool {
	if len(src) != 4 {
		return false
	}
	mem.Store[int32](dst, int32(binary.BigEndian.Uint32(src)))
	return true
}

func decodeInt2(src []byte, dst mem.Ptr) bool {
	if len(src) != 2 {
		return false
	}
	mem.Store[int16](dst, int16(binary.BigEndian.Uint16(src)))
	return true
}

func decodeFloat8(src []byte, dst mem.Ptr) bool {
	if len(src) != 8 {
		return false
	}
	mem.Store[float64](dst, math.Float64frombits(binary.BigEndian.Uint64(src)))
	return true
}

func decodeBool(src []byte, dst mem.Ptr) bool {
	if len(src) != 1 {
		return false
	}
	mem.Store[bool](dst, src[0] == 1)
	return true
}

func decodeText(src []byte, dst mem.Ptr) bool {
	if src == nil {
		return false
	}
	mem.Store[string](dst, string(src))
	return true
}

func decodeUUID(src []byte, dst mem.Ptr) bool {
	if len(src) != 16 {
		return false
	}
	copy(mem.As[[16]byte](dst)[:], src)
	return true
}

// The timestamp range pgx accepts, in microseconds since 2000-01-01
// (infinity and -infinity lie outside it).
const (
	microsY2K     = 946684800 * 1_000_000 // 2000-01-01 in microseconds since 1970
	minTimestamp  = -211813488000000000   // 4714-11-24 BC
	endTimestamp  = 9223371331200000000   // 294277-01-01
	microsPerSec  = 1_000_000
	nanosPerMicro = 1_000
)

// decodeTimestamptz decodes as pgx does with no ScanLocation: a time in
// the local zone.
func decodeTimestamptz(src []byte, dst mem.Ptr) bool {
	if len(src) != 8 {
		return false
	}
	us := int64(binary.BigEndian.Uint64(src))
	if us < minTimestamp || us >= endTimestamp {
		return false
	}
	mem.Store[time.Time](dst, time.Unix(microsY2K/microsPerSec+us/microsPerSec, (us%microsPerSec)*nanosPerMicro))
	return true
}

// pointerTo makes a decoder of *T from one of T: NULL is nil, any other
// value a new T.
func pointerTo[T any](fn decodeFunc) decodeFunc {
	return func(src []byte, dst mem.Ptr) bool {
		if src == nil {
			mem.StorePtr(dst, mem.Ptr{})
			return true
		}
		v := mem.Of(new(T))
		if !fn(src, v) {
			return false
		}
		mem.StorePtr(dst, v)
		return true
	}
}

// scanWord returns the type word of the pointer a value of type t is
// scanned through: *t, or for a slice of a named type a pointer to the
// slice of its plain type (a []Gender as a []string, the same layout).
// pgx decodes the latter from the text of an array type it has no codec
// for, such as an enum array, whose text (never its binary form) comes
// back for an OID pgx does not know, in every exec mode; nothing needs to
// be registered on the connections, so it holds behind a pooler and for
// types created, or created again, after the pool was opened.
func scanWord(t reflect.Type) mem.Type {
	if t.Kind() == reflect.Slice {
		t = plainType(t)
	}
	return mem.TypeOf(reflect.PointerTo(t))
}
