package orm

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"reflect"

	"github.com/crucible-orm/crucible/orm/internal/mem"
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

// state is the session's bookkeeping for one object. It is kept small:
// a session holds one per object it loaded or added, so every field costs
// that many times over; what few objects need lives behind more.
type state struct {
	obj  mem.Ptr // the user's *T
	m    *model
	snap mem.Ptr    // copy of the row as last loaded or flushed; nil while pending
	kp   mem.Ptr    // identity key (see id), set while persistent or deleted:
	kn   int64      // an integer key in kn, any other as kn bytes at kp
	more *stateMore // encodings, Explicit columns, Add's ON CONFLICT; nil for most objects

	// The relationship history (history.go): which relationships were
	// loaded or written by a flush, by index in the model's rules, and the
	// targets each held then (replaced, never changed in place, so that a
	// copy of the state, the journal's, keeps its own).
	relLoaded uint64
	relSeen   *relSeen

	// The last flush that touched the object, and the index of its mark
	// in that flush (flush.marks; see flushMark).
	flushID uint32
	slot    int32

	ord      uint32 // order of Add, for a stable insert order
	status   Status
	deleting bool // marked by Session.Delete, not flushed yet
	hard     bool // that deletion is a real DELETE of a soft-deletable row (softdelete.go)
	brought  bool // while pending: added by a parent-side field's save-update cascade, not by the program (history.go pendingOrphans)
}

// stateMore holds what only some objects need. It is replaced, never
// changed in place (see setMore), so that a copy of the state keeps its own.
type stateMore struct {
	enc      []encSnap     // encodings of m.encoded columns, with snap
	explicit *colSet       // columns to send as they are even when zero (Session.Explicit)
	upsert   *conflictPlan // Session.Add's ON CONFLICT, when given
}

// id returns the object's identity key.
func (st *state) id() idKey {
	if st.m.ident.intKey {
		return idKey{m: st.m, n: st.kn}
	}
	return idKey{m: st.m, s: mem.String(st.kp, int(st.kn))}
}

// setID sets the object's identity key, a key of st.m.
func (st *state) setID(k idKey) {
	if st.m.ident.intKey {
		st.kp, st.kn = mem.Ptr{}, k.n
		return
	}
	st.kp, st.kn = mem.StringData(k.s), int64(len(k.s))
}

// flushMark is what one flush records on an object it touches: its
// action, its journal entry and its first claim (history.go). The flush
// keeps the marks (flush.marks), the state only its flush's id and the
// index of its mark, so that a state holds no pointer into a flush and
// costs 8 bytes for them rather than 24.
type flushMark struct {
	act   *action // nil: none
	jidx  int32   // -1: none; groupJournaled: its INSERT's entry
	claim int32   // -1: none
}

// unmarked is the mark of an object the flush has not touched.
var unmarked = flushMark{jidx: -1, claim: -1}

// mark returns st's mark in flush f, unset when f had not marked it yet.
// The pointer is good until f marks another object.
func (f *flush) mark(st *state) *flushMark {
	if st.flushID != f.id {
		st.flushID, st.slot = f.id, int32(len(f.marks))
		if len(f.marks) == cap(f.marks) && cap(f.marks) >= maxKeptActions {
			grown := append(f.s.db.spares.marks.get(2*cap(f.marks)), f.marks...)
			f.s.db.spares.marks.keep(f.marks)
			f.marks = grown
		}
		f.marks = append(f.marks, unmarked)
	}
	return &f.marks[st.slot]
}

// markOf returns st's mark in flush f, unset when f has not marked it.
func (f *flush) markOf(st *state) flushMark {
	if st.flushID != f.id {
		return unmarked
	}
	return f.marks[st.slot]
}

// enc returns the encodings of the model's encoded columns.
func (st *state) enc() []encSnap {
	if st.more == nil {
		return nil
	}
	return st.more.enc
}

// explicit returns the columns marked with Session.Explicit, or nil.
func (st *state) explicit() *colSet {
	if st.more == nil {
		return nil
	}
	return st.more.explicit
}

// setMore replaces st.more with a copy changed by change (or drops it when
// nothing is left in it). change takes and returns the copy by value, so
// that only a copy that is kept costs an allocation (clearing the last
// field costs none).
func (st *state) setMore(change func(stateMore) stateMore) {
	var m stateMore
	if st.more != nil {
		m = *st.more
	}
	m = change(m)
	st.more = nil
	if m.enc != nil || m.explicit != nil || m.upsert != nil {
		st.more = new(stateMore)
		*st.more = m
	}
}

type encSnap struct {
	b []byte
	v any
}

// snapshot records the object's current column values as what the
// database holds.
func (s *Session) snapshot(st *state) { s.snapshotWith(st, st.m.copyRow) }

// snapshotWith is snapshot with a given copy of the row (a typed
// whole-struct copy from generic callers, which is cheaper than the
// model's column copy); it is used when the snapshot record holds the
// whole struct (see snapRecord), the model's copyRow otherwise.
func (s *Session) snapshotWith(st *state, copyRow func(dst, src mem.Ptr)) {
	s.snapshotInto(st, s.snapChunk(st.m).next(), copyRow)
}

// resnapshot retakes the snapshot of a flushed object. A flush that ends
// the transaction overwrites the old snapshot in place: nothing can need
// it any more, whereas a failed flush inside the transaction restores
// states that point to it.
func (s *Session) resnapshot(st *state, final bool) {
	if !final || st.snap.IsNil() {
		s.snapshot(st)
		return
	}
	s.snapshotInto(st, st.snap, st.m.copyRow)
}

// snapshotInto records the object's column values in the record at snap.
func (s *Session) snapshotInto(st *state, snap mem.Ptr, copyRow func(dst, src mem.Ptr)) {
	m := st.m
	if !m.snapWhole || m.indirect {
		copyRow = m.copyRow
	}
	copyRow(snap, st.obj)
	for _, in := range m.inline {
		in.copy(snap, st.obj)
	}
	for _, c := range m.deep {
		c.ops.deep(c.path.addr(snap), c.path.read(st.obj))
	}
	st.snap = snap
	if len(m.encoded) == 0 && st.more == nil {
		return
	}
	var enc []encSnap
	if len(m.encoded) > 0 {
		enc = make([]encSnap, len(m.encoded))
		for i, c := range m.encoded {
			b, v := c.ops.encode(c.path.read(st.obj))
			enc[i] = encSnap{b, v}
		}
	}
	st.setMore(func(m stateMore) stateMore { m.enc = enc; return m })
}

// same reports whether column c still holds its snapshot value.
func (st *state) same(c *column) bool {
	cur := c.path.read(st.obj)
	if c.encSlot >= 0 {
		b, v := c.ops.encode(cur)
		e := st.enc()[c.encSlot]
		return bytes.Equal(b, e.b) && reflect.DeepEqual(v, e.v)
	}
	return c.ops.equal(cur, c.path.read(st.snap))
}

// upsertPlan returns the ON CONFLICT clause a pending object is inserted
// with: Add's, else its model's (Upserter), else nil.
func (st *state) upsertPlan() *conflictPlan {
	if st.more != nil && st.more.upsert != nil {
		return st.more.upsert
	}
	return st.m.upsert
}

// forced reports whether column c was marked with Session.Explicit.
func (st *state) forced(c *column) bool {
	x := st.explicit()
	return x != nil && x.has(c.pos)
}

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
			c.decode(dst, st.enc()[c.encSlot])
		case c.ops.kind == snapDeep:
			c.ops.deep(dst, c.path.read(st.snap))
		default:
			c.assign(dst, c.path.read(st.snap))
		}
	}
}

// decode sets the field at dst from a snapshot encoding.
func (c *column) decode(dst mem.Ptr, e encSnap) {
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
		mem.NewAt(c.goType, dst).Elem().Set(v.Elem())
	}
}
