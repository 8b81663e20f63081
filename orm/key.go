package orm

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/schema"
)

// Keys. A row's key — its primary key, or a foreign key pointing at one —
// is read by a key codec built once per column list at registration and
// used everywhere a key is compared: the identity map, the loaders
// (owners matched with the rows they get back), the foreign key sync and
// the flush's history. Each column is read into a canonical form of the
// SQL value it holds, whatever its Go type: an int32 foreign key and the
// int64 key it references give the same integer; a uuid held in a string,
// a [16]byte or a pgtype.UUID gives the same 16 bytes; a pointer or a
// Valid-struct wrapper (sql.NullInt64, pgtype.Int8, …) gives its value, or
// no key when NULL. Two columns holding the same value therefore always
// give equal keys.
//
// A key column's zero value (0, "", the nil uuid) has two readings. On an
// object the program made and has not flushed it means "not set yet": the
// key is drawn by the server, or copied from the parent, at the flush
// (keyCodec.key). On a row read from the database, and on its snapshot,
// it is the row's value like any other (keyCodec.stored): a table may
// well hold a row with id 0 or a '' code, and its children point at it.

// partKind is the canonical form of one key column.
type partKind uint8

const (
	partInt   partKind = iota + 1 // any Go integer: the value in idKey.n
	partText                      // a string: the string
	partUUID                      // a uuid: its 16 bytes
	partTime                      // a date or timestamp: as stored, an integer in idKey.n (key_time.go)
	partOther                     // any other type: its Go value, encoded; matches only the same Go type
)

var partNames = [...]string{partInt: "integer", partText: "text", partUUID: "uuid", partTime: "time", partOther: "other"}

// integer reports whether the part's canonical form is an integer.
func (k partKind) integer() bool { return k == partInt || k == partTime }

// keyPart reads and writes one key column in canonical form. get returns
// false for NULL only; the zero value (see keyCodec.key) reads as 0, "" or
// sixteen zero bytes. set stores a canonical value (set is nil for
// partOther, which is only copied between fields of the same Go type).
type keyPart struct {
	kind  partKind
	typ   reflect.Type
	get   func(p mem.Ptr) (n int64, s string, ok bool)
	set   func(p mem.Ptr, n int64, s string)
	zeroN int64                 // the integer form of the Go zero value (partInt, partTime)
	back  func(int64) time.Time // partTime: the time of a stored form, for messages
}

// newKeyPart builds the part of a field of Go type t in a column of SQL
// type typ (a uuid column may be held in a string, a time is read as the
// column stores it).
func newKeyPart(t reflect.Type, typ schema.Type) keyPart {
	uuid := isUUIDType(typ)
	switch {
	case t.Kind() == reflect.Pointer:
		return pointerPart(t, newKeyPart(t.Elem(), typ))
	case validStruct(t):
		return validPart(t, newKeyPart(t.Field(0).Type, typ))
	case isInt(t.Kind()):
		return intPart(t)
	case t == timeType:
		if f, ok := storedTime(typ); ok {
			return timePart(f)
		}
	case pgtypeTime(t):
		if f, ok := storedTime(typ); ok {
			return pgtypeTimePart(t, f)
		}
	case t.Kind() == reflect.String && uuid:
		return keyPart{kind: partUUID, typ: t, get: uuidStringGet, set: uuidStringSet}
	case t.Kind() == reflect.String:
		return keyPart{kind: partText, typ: t, get: textGet, set: textSet}
	case t.Kind() == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8:
		return keyPart{kind: partUUID, typ: t, get: uuidBytesGet, set: uuidBytesSet}
	}
	return otherPart(t)
}

// validStruct reports whether t is a nullable wrapper: a struct of a value
// and a `Valid bool` (sql.NullInt64, sql.Null[T], pgtype.Int8, pgtype.UUID, …).
func validStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.NumField() == 2 && t.Field(0).IsExported() &&
		t.Field(1).Name == "Valid" && t.Field(1).Type.Kind() == reflect.Bool
}

func pointerPart(t reflect.Type, in keyPart) keyPart {
	elem, inner := t.Elem(), in
	in.typ = t
	in.get = func(p mem.Ptr) (int64, string, bool) {
		if q := mem.LoadPtr(p); !q.IsNil() {
			return inner.get(q)
		}
		return 0, "", false
	}
	if inner.set != nil {
		in.set = func(p mem.Ptr, n int64, s string) {
			q := mem.New(elem)
			inner.set(q, n, s)
			mem.StorePtr(p, q)
		}
	}
	return in
}

func validPart(t reflect.Type, in keyPart) keyPart {
	inner, val, ok := in, t.Field(0).Offset, t.Field(1).Offset
	in.typ = t
	in.get = func(p mem.Ptr) (int64, string, bool) {
		if !mem.Load[bool](p.Add(ok)) {
			return 0, "", false
		}
		return inner.get(p.Add(val))
	}
	if inner.set != nil {
		in.set = func(p mem.Ptr, n int64, s string) {
			inner.set(p.Add(val), n, s)
			mem.Store[bool](p.Add(ok), true)
		}
	}
	return in
}

// intReaders reads an integer of each kind as an int64 (unsigned values
// keep their bits).
var intReaders = [...]func(p mem.Ptr) int64{
	reflect.Int:    func(p mem.Ptr) int64 { return int64(mem.Load[int](p)) },
	reflect.Int8:   func(p mem.Ptr) int64 { return int64(mem.Load[int8](p)) },
	reflect.Int16:  func(p mem.Ptr) int64 { return int64(mem.Load[int16](p)) },
	reflect.Int32:  func(p mem.Ptr) int64 { return int64(mem.Load[int32](p)) },
	reflect.Int64:  func(p mem.Ptr) int64 { return mem.Load[int64](p) },
	reflect.Uint:   func(p mem.Ptr) int64 { return int64(mem.Load[uint](p)) },
	reflect.Uint8:  func(p mem.Ptr) int64 { return int64(mem.Load[uint8](p)) },
	reflect.Uint16: func(p mem.Ptr) int64 { return int64(mem.Load[uint16](p)) },
	reflect.Uint32: func(p mem.Ptr) int64 { return int64(mem.Load[uint32](p)) },
	reflect.Uint64: func(p mem.Ptr) int64 { return int64(mem.Load[uint64](p)) },
}

func intPart(t reflect.Type) keyPart {
	read := intReaders[t.Kind()]
	signed := t.Kind() <= reflect.Int64
	return keyPart{kind: partInt, typ: t,
		get: func(p mem.Ptr) (int64, string, bool) {
			return read(p), "", true
		},
		set: func(p mem.Ptr, n int64, _ string) {
			if v := mem.NewAt(t, p).Elem(); signed {
				v.SetInt(n)
			} else {
				v.SetUint(uint64(n))
			}
		},
	}
}

func textGet(p mem.Ptr) (int64, string, bool) {
	return 0, mem.Load[string](p), true
}

func textSet(p mem.Ptr, _ int64, s string) { mem.Store[string](p, s) }

func uuidBytesGet(p mem.Ptr) (int64, string, bool) {
	b := mem.As[[16]byte](p)
	if *b == [16]byte{} {
		return 0, zeroUUID, true // a new object's key, read without a copy
	}
	return 0, string(b[:]), true
}

func uuidBytesSet(p mem.Ptr, _ int64, s string) { copy(mem.As[[16]byte](p)[:], s) }

// notUUID prefixes the text of a string that is no uuid, so that its key
// is longer than any uuid's 16 bytes and never equals one.
const notUUID = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"

// uuidStringGet reads a uuid held in a string in any case, with or without
// hyphens or braces; a string that is no uuid keeps its text behind
// notUUID. An empty string is no value at all (a uuid column cannot hold
// it): NULL.
func uuidStringGet(p mem.Ptr) (int64, string, bool) {
	s := mem.Load[string](p)
	if s == "" {
		return 0, "", false
	}
	if b, ok := parseUUID(s); ok {
		return 0, string(b[:]), true
	}
	return 0, notUUID + s, true
}

// uuidStringSet writes a uuid in PostgreSQL's text form.
func uuidStringSet(p mem.Ptr, _ int64, s string) {
	if len(s) != 16 {
		mem.Store[string](p, strings.TrimPrefix(s, notUUID)) // not a uuid: the text kept by uuidStringGet
		return
	}
	var buf [36]byte
	hex.Encode(buf[0:8], []byte(s[0:4]))
	hex.Encode(buf[9:13], []byte(s[4:6]))
	hex.Encode(buf[14:18], []byte(s[6:8]))
	hex.Encode(buf[19:23], []byte(s[8:10]))
	hex.Encode(buf[24:36], []byte(s[10:16]))
	buf[8], buf[13], buf[18], buf[23] = '-', '-', '-', '-'
	mem.Store[string](p, string(buf[:]))
}

// parseUUID reads 32 hex digits, ignoring hyphens and surrounding braces.
func parseUUID(s string) ([16]byte, bool) {
	var out [16]byte
	if len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' {
		s = s[1 : len(s)-1]
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			continue
		}
		v, ok := hexVal(s[i])
		if !ok || n == 32 {
			return out, false
		}
		out[n/2] |= v << (4 * (1 - n%2))
		n++
	}
	return out, n == 32
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// otherPart encodes any other value through reflection: numbers in
// binary, strings and byte arrays as they are, anything else as printed;
// the zero value as "".
func otherPart(t reflect.Type) keyPart {
	return keyPart{kind: partOther, typ: t, get: func(p mem.Ptr) (int64, string, bool) {
		v := mem.NewAt(t, p).Elem()
		if v.IsZero() {
			return 0, "", true
		}
		return 0, string(appendOther(nil, v)), true
	}}
}

// zeroUUID is the key text of the nil uuid.
const zeroUUID = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// zero reports whether a value get read is its type's zero value.
func (kp *keyPart) zero(n int64, s string) bool {
	switch kp.kind {
	case partInt, partTime:
		return n == kp.zeroN
	case partUUID:
		return s == zeroUUID
	}
	return s == ""
}

func appendOther(b []byte, v reflect.Value) []byte {
	switch {
	case v.CanInt():
		return binary.BigEndian.AppendUint64(b, uint64(v.Int()))
	case v.CanUint():
		return binary.BigEndian.AppendUint64(b, v.Uint())
	case v.CanFloat():
		return binary.BigEndian.AppendUint64(b, math.Float64bits(v.Float()))
	case v.Kind() == reflect.String:
		return append(b, v.String()...)
	case v.Kind() == reflect.Array && v.Type().Elem().Kind() == reflect.Uint8:
		for i := range v.Len() {
			b = append(b, byte(v.Index(i).Uint()))
		}
		return b
	}
	return fmt.Appendf(b, "%v", v.Interface())
}

// keyKind is a key codec's fast path: a lone key column read without a
// function call.
type keyKind uint8

const (
	keyInt64 keyKind = iota + 1
	keyInt32
	keyInt
	keyString // text, not uuid
	keyOther  // through the parts
)

// keyCodec reads the key held by a list of columns of one model. m is the
// model whose rows the key identifies: the owner of the columns for a
// primary key, the referenced model for a foreign key, so that a foreign
// key's idKey finds the parent in the identity map.
type keyCodec struct {
	m      *model
	cols   []*column
	parts  []keyPart
	fast   keyKind
	intKey bool // a lone integer column: the key lives in idKey.n, else in idKey.s
	uuid16 bool // a lone uuid column held in a [16]byte (see storedIn)
}

// newKeyCodec builds the codec of cols, keys of model m's rows.
func newKeyCodec(m *model, cols []*column) keyCodec {
	kc := keyCodec{m: m, cols: cols, parts: make([]keyPart, len(cols)), fast: keyOther}
	for i, c := range cols {
		kc.parts[i] = newKeyPart(c.goType, c.Type)
	}
	if len(cols) == 1 {
		kc.intKey = kc.parts[0].kind.integer()
		switch t := cols[0].goType; {
		case t.Kind() == reflect.Int64:
			kc.fast = keyInt64
		case t.Kind() == reflect.Int32:
			kc.fast = keyInt32
		case t.Kind() == reflect.Int:
			kc.fast = keyInt
		case kc.parts[0].kind == partText && t.Kind() == reflect.String:
			kc.fast = keyString
		case kc.parts[0].kind == partUUID && t.Kind() == reflect.Array:
			kc.uuid16 = true
		}
	}
	return kc
}

func isUUIDType(t schema.Type) bool {
	s, ok := t.(schema.Scalar)
	return ok && s.Name == "uuid"
}

// key returns the key obj holds, and false when a column is NULL or zero:
// the key of an object the program made, where zero means not set yet.
func (kc *keyCodec) key(obj mem.Ptr) (idKey, bool) {
	k, zero, ok := kc.read(obj)
	return k, ok && !zero
}

// stored returns the key obj holds, and false when a column is NULL: the
// key of a row read from the database (or its snapshot), where a zero
// value is the row's value.
func (kc *keyCodec) stored(obj mem.Ptr) (idKey, bool) {
	k, _, ok := kc.read(obj)
	return k, ok
}

// storedIn is stored for a row known to have a key (one a flush just
// inserted): a uuid held in a [16]byte, whose key text would otherwise be
// an allocation of its own, is copied into room from blk, n being how
// many more such keys the caller may ask for.
func (kc *keyCodec) storedIn(obj mem.Ptr, blk *keyBlock, n int) idKey {
	if !kc.uuid16 {
		k, _ := kc.stored(obj)
		return k
	}
	return idKey{m: kc.m, s: blk.copy(mem.As[[16]byte](kc.cols[0].path.read(obj))[:], n)}
}

// keyBlock hands out room for the key text of many rows from one
// allocation, so that the keys of a flush's inserted rows cost a few
// allocations rather than one per row. A block lives as long as any key
// cut from it, so blocks are kept to internalSlab bytes.
type keyBlock struct{ free []byte }

// copy returns a string holding b, from the block's room; a new block has
// room for n keys of b's size (at least one, at most internalSlab bytes).
func (kb *keyBlock) copy(b []byte, n int) string {
	if len(kb.free) < len(b) {
		kb.free = make([]byte, len(b)*min(max(n, 1), max(1, internalSlab/max(len(b), 1))))
	}
	s := kb.free[:len(b):len(b)]
	kb.free = kb.free[len(b):]
	copy(s, b)
	return mem.String(mem.Of(&s[0]), len(s))
}

// keyIn returns the key held by st's object, or its snapshot, at p: as
// stored for a row the session loaded or flushed, else (a pending object)
// as key, zero meaning not set.
func (kc *keyCodec) keyIn(st *state, p mem.Ptr) (idKey, bool) {
	if st != nil && st.status != Pending {
		return kc.stored(p)
	}
	return kc.key(p)
}

// read returns the key obj holds, whether a column is zero, and false
// when a column is NULL.
func (kc *keyCodec) read(obj mem.Ptr) (k idKey, zero, ok bool) {
	k = idKey{m: kc.m}
	switch kc.fast {
	case keyInt64:
		k.n = mem.Load[int64](kc.cols[0].path.read(obj))
		return k, k.n == 0, true
	case keyInt32:
		k.n = int64(mem.Load[int32](kc.cols[0].path.read(obj)))
		return k, k.n == 0, true
	case keyInt:
		k.n = int64(mem.Load[int](kc.cols[0].path.read(obj)))
		return k, k.n == 0, true
	case keyString:
		k.s = mem.Load[string](kc.cols[0].path.read(obj))
		return k, k.s == "", true
	}
	if len(kc.parts) == 1 {
		n, s, ok := kc.parts[0].get(kc.cols[0].path.read(obj))
		k.n, k.s = n, s
		return k, ok && kc.parts[0].zero(n, s), ok
	}
	var buf [64]byte
	b := buf[:0]
	for i, c := range kc.cols {
		n, s, ok := kc.parts[i].get(c.path.read(obj))
		if !ok {
			return idKey{}, false, false
		}
		zero = zero || kc.parts[i].zero(n, s)
		if kc.parts[i].kind.integer() {
			b = binary.BigEndian.AppendUint64(b, uint64(n))
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	k.s = string(b)
	return k, zero, true
}

// matches checks at registration that a foreign key's columns (kc) can
// hold the keys of the columns they reference (ref): the same canonical
// kind per column, and the same Go type where the kind has no canonical
// form.
func (kc *keyCodec) matches(ref *keyCodec) error {
	for i, p := range kc.parts {
		q := ref.parts[i]
		if p.kind != q.kind || p.kind == partOther && p.typ != q.typ {
			return fmt.Errorf("%s (%s, %s) cannot hold %s.%s (%s, %s)", kc.cols[i].Name, p.typ, partNames[p.kind],
				ref.m.table.Name, ref.cols[i].Name, q.typ, partNames[q.kind])
		}
	}
	return nil
}

// copyKey stores the value of column sc of src in column dc of dst: a
// plain copy between fields of the same Go type, else through the
// canonical form (an int64 key into an *int32 field, a uuid string into a
// pgtype.UUID). A NULL source clears the destination.
func copyKey(dc *column, dp keyPart, dst mem.Ptr, sc *column, sp keyPart, src mem.Ptr) {
	if dc.goType == sc.goType {
		dc.assign(dc.path.addr(dst), sc.path.read(src))
		return
	}
	n, s, ok := sp.get(sc.path.read(src))
	if !ok || dp.set == nil {
		dc.setZero(dst)
		return
	}
	dp.set(dc.path.addr(dst), n, s)
}

// keyText renders a key for messages: the number, the quoted text or uuid,
// or the parts of a composite key joined with commas.
func (kc *keyCodec) keyText(obj mem.Ptr) string {
	out := make([]byte, 0, 16)
	for i, c := range kc.cols {
		if i > 0 {
			out = append(out, ',')
		}
		n, s, ok := kc.parts[i].get(c.path.read(obj))
		switch {
		case !ok:
			out = append(out, "NULL"...)
		case kc.parts[i].kind == partInt:
			out = strconv.AppendInt(out, n, 10)
		case kc.parts[i].kind == partTime:
			out = strconv.AppendQuote(out, kc.parts[i].back(n).Format(time.RFC3339Nano))
		case kc.parts[i].kind == partUUID && len(s) == 16:
			var txt string
			uuidStringSet(mem.Of(&txt), 0, s)
			out = strconv.AppendQuote(out, txt)
		default:
			out = strconv.AppendQuote(out, s)
		}
	}
	return string(out)
}
