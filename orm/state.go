package orm

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"reflect"
	"unsafe"
)

// Status is the lifecycle state of an object in a session, as in
// SQLAlchemy: Transient (not held by the session: never added, or
// detached by Expunge, Close or a committed delete; the session keeps no
// reference to such objects), Pending (added, not yet inserted),
// Persistent (a row the session loaded or inserted) and Deleted (deleted
// by a flush of the transaction still open).
type Status uint8

// The object states; see [Session.Status].
const (
	Transient Status = iota
	Pending
	Persistent
	Deleted
	detached // internal: dropped from the session
)

var statusNames = [...]string{"transient", "pending", "persistent", "deleted", "detached"}

// String returns the state's name ("pending").
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "Status(?)"
}

// state is the session's bookkeeping for one object.
type state struct {
	obj      unsafe.Pointer // the user's *T
	m        *model
	snap     unsafe.Pointer // copy of the row as last loaded or flushed; nil while pending
	enc      []encSnap      // encodings of m.encoded columns, with snap
	key      idKey          // identity, set while persistent or deleted
	status   Status
	deleting bool    // marked by Session.Delete, not flushed yet
	brought  int16   // while pending: 1 + the id of the parent-side rule whose save-update cascade added it, 0 when added by the program
	claim    int32   // its first relationship claim in the flush claimFlush (history.go)
	ord      uint64  // order of Add, for a stable insert order
	explicit *colSet // columns to send as they are even when zero (Session.Explicit)
	jflush   uint64  // id of the flush that journaled st last
	jidx     int     // its journal entry, valid while jflush is the current flush
	act      *action // its action in the flush actFlush
	actFlush uint64

	// The relationship history (history.go): which relationships were
	// loaded or written by a flush, by index in the model's rules, and the
	// targets each held then (replaced, never changed in place, so that a
	// copy of the state, the journal's, keeps its own).
	relLoaded  uint64
	relSeen    *relSeen
	claimFlush uint64
}

type encSnap struct {
	b []byte
	v any
}

// snapshot records the object's current column values as what the
// database holds.
func (s *Session) snapshot(st *state) { s.snapshotWith(st, st.m.copyStruct) }

// snapshotWith is snapshot with a given whole-struct copy (a typed one from
// generic callers, which is cheaper than reflection).
func (s *Session) snapshotWith(st *state, copyStruct func(dst, src unsafe.Pointer)) {
	m := st.m
	snap := s.snapChunk(m).next()
	if m.indirect {
		for _, c := range m.cols {
			c.copyTo(snap, st.obj)
		}
	} else {
		copyStruct(snap, st.obj)
	}
	for _, in := range m.inline {
		in.copy(snap, st.obj)
	}
	for _, c := range m.deep {
		c.ops.deep(c.path.addr(snap), c.path.read(st.obj))
	}
	st.snap = snap
	st.enc = nil
	if len(m.encoded) > 0 {
		st.enc = make([]encSnap, len(m.encoded))
		for i, c := range m.encoded {
			b, v := c.ops.encode(c.path.read(st.obj))
			st.enc[i] = encSnap{b, v}
		}
	}
}

// changed returns the columns whose value differs from the snapshot.
func (st *state) changed() colSet {
	var set colSet
	for _, c := range st.m.cols {
		if !st.same(c) {
			set.add(c.pos)
		}
	}
	return set
}

// same reports whether column c still holds its snapshot value.
func (st *state) same(c *column) bool {
	cur := c.path.read(st.obj)
	if c.encSlot >= 0 {
		b, v := c.ops.encode(cur)
		e := st.enc[c.encSlot]
		return bytes.Equal(b, e.b) && reflect.DeepEqual(v, e.v)
	}
	return c.ops.equal(cur, c.path.read(st.snap))
}

// dirty reports whether any column differs from the snapshot.
func (st *state) dirty() bool {
	for _, c := range st.m.cols {
		if !st.same(c) {
			return true
		}
	}
	return false
}

// forced reports whether column c was marked with Session.Explicit.
func (st *state) forced(c *column) bool { return st.explicit != nil && st.explicit.has(c.pos) }

// revert puts the snapshot values back into the object's changed columns.
// A column kept only as an encoding is decoded back when it is JSON or an
// sql.Scanner; otherwise it keeps its value.
func (st *state) revert() {
	for _, c := range st.m.cols {
		if st.same(c) {
			continue
		}
		dst := c.path.addr(st.obj)
		switch {
		case c.encSlot >= 0:
			c.decode(dst, st.enc[c.encSlot])
		case c.ops.kind == snapDeep:
			c.ops.deep(dst, c.path.read(st.snap))
		default:
			c.assign(dst, c.path.read(st.snap))
		}
	}
}

// decode sets the field at dst from a snapshot encoding.
func (c *column) decode(dst unsafe.Pointer, e encSnap) {
	v := reflect.New(c.goType)
	var err error
	switch sc, ok := v.Interface().(sql.Scanner); {
	case ok:
		src := e.v
		if e.b != nil {
			src = e.b
		}
		err = sc.Scan(src)
	case e.b != nil:
		err = json.Unmarshal(e.b, v.Interface())
	default:
		return
	}
	if err == nil {
		reflect.NewAt(c.goType, dst).Elem().Set(v.Elem())
	}
}
