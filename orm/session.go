package orm

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Session is a unit of work: it tracks the objects you add, load, change
// and delete, and writes all of it in one transaction when you Flush or
// Commit. It holds an identity map (one Go pointer per row) and a snapshot
// of every loaded object for dirty checking.
//
// A Session is not safe for concurrent use: use one per goroutine (one per
// request, say) and Close it when done. Its objects are plain structs the
// session keeps references to until Close.
//
// The transaction begins with the session's first write: a flush that has
// work, a bulk Update or Delete, Exec, a ForUpdate query or an explicit
// Begin. Reads before it run on their own; under PostgreSQL's default READ
// COMMITTED isolation each statement takes a fresh snapshot either way, so
// this only saves the BEGIN and ROLLBACK round trips of read-only sessions.
// With [WithIsolation] above READ COMMITTED (or after Begin), reads are
// part of the transaction too.
type Session struct {
	db        *DB
	autoflush bool
	onPrimary bool // reads go to the primary: the session wrote, or UsePrimary
	cfg       sessionConfig

	idmap   identityMap // persistent objects by (table, key)
	indexed int         // loaded[:indexed] are in idmap (see lookup)
	loaded  []*state    // persistent (and deleted) states in load order
	pending []*state    // pending states in Add order
	byPtr   ptrIndex    // pending states by object address, from pendingIndex of them
	addrs   *addrIndex  // loaded states by object address, built by loadedAt on demand
	seq     uint64      // Add counter

	tx    *txn   // the open transaction (&arena.work.tx), nil when none
	arena arena  // the session's allocations and scratch buffers (arena.go)
	txSeq uint64 // transactions begun, for txn.gen
	outer pgx.Tx // the caller's transaction the session works in (SessionOn)
	err   error  // first error of Add, Delete or Explicit, reported by the next flush

	flushing bool
	flushSeq uint32      // id of the last flush, for journal entries
	toLoad   []loadedObj // objects loaded since the last AfterLoad hooks ran
	closed   bool
}

func newSession(db *DB) *Session {
	return &Session{db: db, autoflush: db.session.autoflush, cfg: db.session}
}

// SetAutoflush turns autoflush on or off for this session: when on (the
// default), pending changes are flushed before each query so that the
// query sees them.
func (s *Session) SetAutoflush(on bool) { s.autoflush = on }

// DB returns the session's DB.
func (s *Session) DB() *DB { return s.db }

// Add puts objects (pointers to registered structs) into the session. A
// new object becomes pending and is inserted by the next flush; an object
// the session already holds is left as is (one marked by Delete and not
// flushed yet is kept after all). Adding an object whose primary
// key is set but which the session did not load inserts it with that key.
// A [Conflict] among the arguments makes the new objects of the call
// upserts: INSERT … ON CONFLICT with that clause (see [Upserter] for a
// model-wide default). Mistakes (a nil pointer: ErrNilObject; an
// unregistered type; another object with the same key; an object of
// another session reached along a relationship: *DetachedError; a
// conflict clause that does not fit the model) are reported by the next
// Flush or Commit.
func (s *Session) Add(objs ...any) {
	var cf *Conflict
	for _, o := range objs {
		if c, ok := o.(*Conflict); ok {
			if cf != nil {
				s.fail(fmt.Errorf("add: two conflict clauses: %w", ErrConflictTarget))
			}
			cf = c
		}
	}
	var plans map[*model]*conflictPlan // cf checked once per model
	for _, o := range objs {
		if _, ok := o.(*Conflict); ok {
			continue
		}
		cp, err := s.conflictFor(o, cf, &plans)
		var st *state
		if err == nil {
			st, err = s.add(o)
		}
		if err != nil {
			s.fail(err)
			continue
		}
		st.brought = false // the program's own: never a pending orphan
		if cp != nil && st.status == Pending {
			st.setMore(func(m stateMore) stateMore { m.upsert = cp; return m })
		}
	}
}

// conflictFor checks cf against the model of o (once per model of an Add
// call): an object whose clause does not fit is not added.
func (s *Session) conflictFor(o any, cf *Conflict, plans *map[*model]*conflictPlan) (*conflictPlan, error) {
	if cf == nil {
		return nil, nil
	}
	m, _, err := s.object(o)
	if err != nil {
		return nil, nil // add reports it
	}
	if cp := (*plans)[m]; cp != nil {
		return cp, nil
	}
	cp, err := m.conflictPlan(cf)
	if err != nil {
		return nil, fmt.Errorf("add %s: %w", m, err)
	}
	if *plans == nil {
		*plans = map[*model]*conflictPlan{}
	}
	(*plans)[m] = cp
	return cp, nil
}

// add adds one object and returns its state; it is the seam the
// save-update cascade calls for related objects.
func (s *Session) add(o any) (*state, error) {
	m, p, err := s.object(o)
	if err != nil {
		return nil, fmt.Errorf("add: %w", err)
	}
	return s.addObject(m, p)
}

// addObject is add for the object at p, not nil, of model m.
func (s *Session) addObject(m *model, p mem.Ptr) (*state, error) {
	if st := s.pendingOf(p); st != nil {
		return st, nil
	}
	if k, zero, ok := m.ident.read(p); ok {
		if st := s.lookup(k); st != nil && (st.obj == p || !zero) {
			if st.obj != p {
				return nil, fmt.Errorf("add %s: the session holds another object for this row (Merge copies one onto the other)", m)
			}
			st.deleting = false // adding back an object marked for deletion keeps it
			return st, nil
		}
	}
	st := s.newState(m, p)
	st.status = Pending
	s.seq++
	st.ord = uint32(s.seq) // a session never holds 2³² objects
	s.addPending(st)
	if len(m.rules) > 0 {
		return st, s.saveUpdate(st, allTargets)
	}
	return st, nil
}

// Delete marks a persistent object for deletion by the next flush. A
// pending object is simply removed from the session. Deleting an object the
// session does not hold is reported by the next Flush or Commit
// (ErrNotPersistent). The object of a model with a soft_delete column is
// deleted softly: the flush sets that column instead of deleting the row
// (see [Session.HardDelete]).
func (s *Session) Delete(obj any) { s.markDelete(obj, modelDelete) }

// deleteKind says how an object marked for deletion goes.
type deleteKind uint8

const (
	// modelDelete: as its model says (softly with a soft_delete column).
	modelDelete deleteKind = iota
	// hardDelete: a real DELETE whatever the model (HardDelete).
	hardDelete
)

func (s *Session) markDelete(obj any, kind deleteKind) {
	m, p, err := s.object(obj)
	if err != nil {
		s.fail(fmt.Errorf("delete: %w", err))
		return
	}
	st := s.stateOf(m, p)
	switch {
	case st == nil:
		s.fail(fmt.Errorf("delete %s: %w", m, ErrNotPersistent))
	case st.status == Pending:
		s.expunge(st)
	case st.status == Persistent:
		st.deleting, st.hard = true, kind == hardDelete
	}
}

// Explicit makes the next INSERT of a pending object send the named fields
// (Go field or column names) as they are, even when they hold the zero
// value: a nil pointer is then inserted as NULL rather than leaving the
// column to its server default, and a zero value is kept rather than
// replaced by the column's client default. Without Explicit, a zero field
// whose column has a default (client or server) gets that default.
func (s *Session) Explicit(obj any, fields ...string) {
	m, p, err := s.object(obj)
	if err != nil {
		s.fail(fmt.Errorf("explicit: %w", err))
		return
	}
	st := s.pendingOf(p)
	if st == nil {
		s.fail(fmt.Errorf("explicit %s: object is not pending: %w", m, ErrNotPersistent))
		return
	}
	if st.explicit() == nil {
		st.setMore(func(m stateMore) stateMore { m.explicit = new(colSet); return m })
	}
	for _, f := range fields {
		c := m.lookup(f)
		if c == nil {
			s.fail(fmt.Errorf("explicit %s.%s: %w", m, f, ErrUnknownColumn))
			continue
		}
		st.explicit().add(c.pos)
	}
}

// Status returns the lifecycle state of obj in this session.
func (s *Session) Status(obj any) Status {
	m, p, err := s.object(obj)
	if err != nil {
		return Transient
	}
	st := s.stateOf(m, p)
	if st == nil {
		return Transient
	}
	if st.deleting {
		return Persistent
	}
	return st.status
}

// Close ends the session: an open transaction is rolled back and its
// connection returned to the pool, and every object becomes detached.
// Close is safe to call more than once and always returns the connection;
// its error only reports a failed rollback.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	var err error
	if s.tx != nil {
		err = s.rollbackTx(context.Background())
	}
	s.closed = true
	giveBack(&s.db.spares.states, s.loaded)
	giveBack(&s.db.spares.states, s.pending)
	s.byPtr.reset(nil)
	if s.addrs != nil {
		s.addrs.reset(nil)
	}
	s.idmap, s.loaded, s.pending, s.byPtr, s.indexed = identityMap{}, nil, nil, ptrIndex{}, 0
	s.arena.release(&s.db.works, &s.db.spares.journals)
	return err
}

// fail records the first deferred error.
func (s *Session) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// takeErr returns and clears the deferred error.
func (s *Session) takeErr() error {
	err := s.err
	s.err = nil
	if s.closed {
		return ErrSessionClosed
	}
	return err
}

// object checks that o is a non-nil pointer to a registered model.
func (s *Session) object(o any) (*model, mem.Ptr, error) {
	if s.closed {
		return nil, mem.Ptr{}, ErrSessionClosed
	}
	t := reflect.TypeOf(o)
	if t == nil || t.Kind() != reflect.Pointer {
		return nil, mem.Ptr{}, fmt.Errorf("%T: want a pointer to a model: %w", o, ErrUnknownModel)
	}
	m := s.db.reg.byType[t.Elem()]
	if m == nil {
		return nil, mem.Ptr{}, fmt.Errorf("%s: %w", t.Elem(), ErrUnknownModel)
	}
	p := mem.Data(o)
	if p.IsNil() {
		return nil, mem.Ptr{}, fmt.Errorf("%s(nil): %w", t, ErrNilObject)
	}
	return m, p, nil
}

// stateOf finds the session's state of the object at p, or nil.
func (s *Session) stateOf(m *model, p mem.Ptr) *state {
	if p.IsNil() {
		return nil
	}
	if st := s.pendingOf(p); st != nil {
		return st
	}
	if k, ok := m.ident.stored(p); ok {
		if st := s.lookup(k); st != nil && st.obj == p {
			return st
		}
	}
	if st := s.loadedAt(p); st != nil {
		return st // its key was changed in memory
	}
	if s.tx != nil {
		for i := range s.tx.journal {
			if st := s.tx.journal[i].st; st != nil && st.obj == p && st.status == Deleted {
				return st
			}
		}
	}
	return nil
}

// loadedAt returns the loaded state, not detached, of the object at p, or
// nil. Past a few states it asks an index by address that it extends over
// the states loaded since its last call, so that a cascade reaching
// thousands of new objects in a session holding thousands of loaded ones
// does not scan the loaded list once per new object.
func (s *Session) loadedAt(p mem.Ptr) *state {
	const scanned = 64 // lists up to this long are scanned
	if len(s.loaded) > scanned {
		x := s.addrs
		if x == nil {
			x = &addrIndex{}
			x.spare = &s.db.spares.states
			s.addrs = x
		}
		if !x.on() {
			x.reset(s.loaded)
		} else {
			for _, st := range s.loaded[x.upto:] {
				x.put(st)
			}
		}
		x.upto = len(s.loaded)
		st := x.get(p)
		if st == nil || st.status != detached {
			return st
		}
		// The last state of the object is detached; an earlier one may not be.
	}
	for _, st := range s.loaded {
		if st.obj == p && st.status != detached {
			return st
		}
	}
	return nil
}

// addrIndex is the loaded states by object address (Session.loadedAt):
// loaded[:upto] are in it.
type addrIndex struct {
	ptrIndex
	upto int
}

// newState takes a state from the session's arena.
func (s *Session) newState(m *model, p mem.Ptr) *state {
	st := s.arena.state()
	st.obj, st.m = p, m
	return st
}

// expunge detaches st.
func (s *Session) expunge(st *state) {
	switch st.status {
	case Pending:
		s.dropPending(st)
		s.pending = removeState(s.pending, st)
	case Persistent, Deleted:
		// filterLoaded indexes the states a flush or query added first, st
		// among them: only then can its key leave the identity map for good.
		s.filterLoaded(func(x *state) bool { return x == st })
		s.idmap.del(st.id(), st)
	}
	st.status = detached
	st.deleting = false
}

func removeState(list []*state, st *state) []*state {
	for i, x := range list {
		if x == st {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func (s *Session) objChunk(m *model) *chunk  { return &s.arena.slabsOf(m).obj }
func (s *Session) snapChunk(m *model) *chunk { return &s.arena.slabsOf(m).snap }

// persist registers a freshly loaded object (from a query) and returns the
// pointer the caller must use: the session's own object when it already
// holds the row, which takes the loaded values as held says.
func (s *Session) persist(m *model, p mem.Ptr, held onHeld) mem.Ptr {
	k := m.rowKey(p)
	if st := s.lookup(k); st != nil {
		return s.merge(st, p, held)
	}
	s.idmap.put(k, s.addLoaded(m, p, k, m.copyRow))
	return p
}

// merge handles a loaded row the session already holds as st and returns
// the held object.
func (s *Session) merge(st *state, p mem.Ptr, held onHeld) mem.Ptr {
	if held == takeRow || !st.dirty() {
		moved, from := s.movedKeys(st, p, held)
		s.overwrite(st, p)
		s.loadedRow(st.m, st.obj)
		s.rehome(st, moved, from)
	}
	return st.obj
}

// addLoaded makes the object at p persistent with key k, snapshotted and
// in the loaded list; the caller puts it in the identity map.
func (s *Session) addLoaded(m *model, p mem.Ptr, k idKey, copyStruct func(dst, src mem.Ptr)) *state {
	st := s.newState(m, p)
	st.status = Persistent
	st.setID(k)
	s.snapshotWith(st, copyStruct)
	if s.loaded == nil {
		s.loaded = s.db.spares.states.get(0)
	}
	s.loaded = push(s.loaded, st)
	s.loadedRow(m, p)
	return st
}

// push appends v to list, doubling its capacity when full. append grows
// a large slice by a quarter at a time, so that a list built one row at
// a time allocates about five times its final size in all; doubling
// allocates twice.
func push[E any](list []E, v E) []E {
	if len(list) == cap(list) {
		list = slices.Grow(list, max(len(list), 8))
	}
	return append(list, v)
}

// overwrite copies the column values of the loaded object p into the held
// object and snapshots them.
func (s *Session) overwrite(st *state, p mem.Ptr) {
	for _, c := range st.m.cols {
		c.copyTo(st.obj, p)
	}
	s.snapshot(st)
}

// pendingIndex is the number of pending objects from which they are also
// indexed by address; below it a scan of the pending list is cheaper.
const pendingIndex = 16

// pendingOf returns the pending state of the object at p, or nil.
func (s *Session) pendingOf(p mem.Ptr) *state {
	if s.byPtr.on() {
		return s.byPtr.get(p)
	}
	for _, st := range s.pending {
		if st.obj == p && st.status == Pending {
			return st
		}
	}
	return nil
}

// addPending appends st to the pending list (and index).
func (s *Session) addPending(st *state) {
	if s.pending == nil {
		s.pending = s.db.spares.states.get(0) // a closed session's, or the last flush's
	}
	s.pending = push(s.pending, st)
	switch {
	case s.byPtr.on():
		s.byPtr.put(st)
	case len(s.pending) > pendingIndex:
		s.byPtr.spare = &s.db.spares.states
		s.byPtr.reset(s.pending)
	}
}

// dropPending removes st from the pending index; the caller removes it
// from the list.
func (s *Session) dropPending(st *state) {
	s.byPtr.del(st.obj)
}

// reindexPending rebuilds the pending index after many objects left the
// pending list at once.
func (s *Session) reindexPending() {
	switch {
	case !s.byPtr.on():
	case len(s.pending) <= pendingIndex:
		s.byPtr.reset(nil)
	default:
		s.byPtr.reset(s.pending)
	}
}

// lookup returns the persistent state with key k. States loaded by queries
// enter the identity map only when something first looks a key up, in
// one sized batch: a session that loads rows and never asks for one by key
// (the common read-only request) never builds the map.
func (s *Session) lookup(k idKey) *state {
	s.index()
	return s.idmap.get(k)
}

// index puts the loaded states past s.indexed into the identity map. It
// must run before the loaded list is filtered, which would move them.
func (s *Session) index() {
	fresh := s.loaded[s.indexed:]
	if len(fresh) == 0 {
		return
	}
	if len(fresh) > 64 {
		byModel := map[*model]int{}
		for _, st := range fresh {
			byModel[st.m]++
		}
		for m, n := range byModel {
			s.idmap.reserve(m, n)
		}
	}
	for _, st := range fresh {
		if st.status == Persistent && s.idmap.get(st.id()) == nil {
			s.idmap.put(st.id(), st)
		}
	}
	s.indexed = len(s.loaded)
}

// filterLoaded keeps the loaded states for which keep is true.
func (s *Session) filterLoaded(drop func(*state) bool) {
	s.index()
	s.loaded = slices.DeleteFunc(s.loaded, drop)
	s.indexed = len(s.loaded)
	if s.addrs != nil {
		s.addrs.reset(nil) // the states moved
	}
}

// args returns an empty slice with room for n bound arguments of the
// current flush (sessionWork.argsFor).
func (s *Session) args(n int) []any { return s.workspace().argsFor(n) }

// workspace returns the session's write storage (arena.workspace).
func (s *Session) workspace() *sessionWork { return s.arena.workspace(&s.db.works) }
