package orm

import (
	"context"
	"fmt"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// InsertQuery is a statement-level INSERT of objects of T, built by
// [Insert]: one statement per column set (INSERT … SELECT FROM unnest(…)),
// sent now in the session's transaction, optionally an upsert (ON
// CONFLICT … DO NOTHING / DO UPDATE). The first mistake is kept and
// returned by Exec, before anything is sent.
type InsertQuery[T any] struct {
	s        *Session
	m        *model
	err      error
	objs     []*T
	conflict *Conflict
}

// InsertResult is what an [InsertQuery] wrote.
type InsertResult[T any] struct {
	// Rows holds, in the order the objects were given, the session's
	// object for each row written (inserted, or updated by DO UPDATE):
	// the given object, now persistent in the session, or, when the
	// session already held the row the upsert updated, the held object,
	// which took the row's new values (the given one is left untracked).
	Rows []*T
	// Skipped holds the given objects whose row was not written: DO
	// NOTHING (or DO UPDATE … WHERE) left the conflicting row as it was.
	// They are not in the session and their keys are not set.
	Skipped []*T
}

// Insert starts a statement-level INSERT of the given new objects, the
// statement counterpart of Add and Flush: no cascades, no relationship
// sync and no lifecycle hooks, sent by Exec. With OnConflict (or
// OnConstraint), or for a model that is an [Upserter], it is an upsert. The rows returned (keys, server defaults
// and, after DO UPDATE, the columns the row kept) are read back into the
// objects, matched by their conflict key, never by position.
func Insert[T any](s *Session, objs ...*T) *InsertQuery[T] {
	m, err := modelFor[T](s.db.reg)
	q := &InsertQuery[T]{s: s, m: m, objs: objs}
	if err != nil {
		q.err = fmt.Errorf("insert: %w", err)
	}
	return q
}

// OnConflict makes the insert an upsert on the given unique fields (see
// [OnConflict]); follow it with DoNothing or DoUpdate.
func (q *InsertQuery[T]) OnConflict(fields ...string) *InsertQuery[T] {
	q.conflict = OnConflict(fields...)
	return q
}

// OnConstraint makes the insert an upsert on the named unique constraint
// or index (see [OnConstraint]).
func (q *InsertQuery[T]) OnConstraint(name string) *InsertQuery[T] {
	q.conflict = OnConstraint(name)
	return q
}

// DoNothing skips the objects whose row conflicts (see [Conflict.DoNothing]).
func (q *InsertQuery[T]) DoNothing() *InsertQuery[T] {
	return q.with(func(c *Conflict) { c.DoNothing() })
}

// DoUpdate updates conflicting rows (see [Conflict.DoUpdate]).
func (q *InsertQuery[T]) DoUpdate(fields ...string) *InsertQuery[T] {
	return q.with(func(c *Conflict) { c.DoUpdate(fields...) })
}

// Set adds an assignment to DO UPDATE (see [Conflict.Set]).
func (q *InsertQuery[T]) Set(field string, value any) *InsertQuery[T] {
	return q.with(func(c *Conflict) { c.Set(field, value) })
}

// Where makes DO UPDATE conditional (see [Conflict.Where]).
func (q *InsertQuery[T]) Where(cond SQL, args ...any) *InsertQuery[T] {
	return q.with(func(c *Conflict) { c.Where(cond, args...) })
}

func (q *InsertQuery[T]) with(fn func(*Conflict)) *InsertQuery[T] {
	if q.conflict == nil {
		if q.err == nil {
			q.err = fmt.Errorf("insert: OnConflict or OnConstraint first: %w", ErrConflictTarget)
		}
		return q
	}
	fn(q.conflict)
	return q
}

// Exec sends the INSERT (after an autoflush) and returns what it wrote.
// The objects written become persistent in the session. A failed
// statement rolls the session's transaction back, as a failed flush does.
func (q *InsertQuery[T]) Exec(ctx context.Context) (*InsertResult[T], error) {
	res, err := q.exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert %s: %w", q.m, err)
	}
	return res, nil
}

func (q *InsertQuery[T]) exec(ctx context.Context) (*InsertResult[T], error) {
	s := q.s
	if q.err != nil {
		return nil, q.err
	}
	states, err := q.states()
	if err != nil || len(states) == 0 {
		return &InsertResult[T]{}, err
	}
	if s.autoflush {
		if err := s.flush(ctx, keepTx); err != nil {
			return nil, fmt.Errorf("autoflush: %w", err)
		}
	}
	if s.closed {
		return nil, ErrSessionClosed
	}
	s.ensureTx().eager = true
	f := &flush{s: s, ctx: ctx, id: s.nextFlushID(), bulk: true}
	b := &batch{kind: actInsert, m: q.m}
	for _, st := range states {
		b.actions = append(b.actions, &action{kind: actInsert, st: st, m: q.m})
	}
	mark := len(s.tx.journal)
	s.tx.journal = slices.Grow(s.tx.journal, len(states)) // an entry per state; a held row's is appended
	p := &pipe{s: s}
	if err := f.queueInserts(p, b); err != nil {
		s.restore(mark) // nothing was sent
		s.forget(states)
		return nil, err
	}
	if err := p.run(ctx); err != nil {
		err = s.failTx(err)
		s.forget(states)
		return nil, err
	}
	return q.result(f, states), nil
}

// states checks the objects and gives each a pending state of its own,
// outside the session's pending list.
func (q *InsertQuery[T]) states() ([]*state, error) {
	var cp *conflictPlan
	if q.conflict != nil {
		var err error
		if cp, err = q.m.conflictPlan(q.conflict); err != nil {
			return nil, err
		}
	}
	var more *stateMore // one for every state: a stateMore is replaced, never changed in place
	if cp != nil {
		more = &stateMore{upsert: cp}
	}
	out := make([]*state, 0, len(q.objs))
	for _, o := range q.objs {
		p := mem.Of(o)
		switch {
		case p.IsNil():
			return nil, fmt.Errorf("nil %s: %w", q.m, ErrUnknownModel)
		case q.s.stateOf(q.m, p) != nil:
			return nil, fmt.Errorf("%s: the session already holds this object: %w", q.m, ErrDuplicateObject)
		}
		st := q.s.newState(q.m, p)
		st.status, st.more = Pending, more
		out = append(out, st)
	}
	return out, nil
}

// holds reports whether the session holds a persistent object of m.
func (s *Session) holds(m *model) bool {
	for _, st := range s.loaded {
		if st.m == m && st.status == Persistent {
			return true
		}
	}
	return false
}

// lookupIf is lookup when held is set, else nil.
func (s *Session) lookupIf(held bool, k idKey) *state {
	if !held {
		return nil
	}
	return s.lookup(k)
}

// forget drops the statement's states from the session after a failure
// (the journal's replay makes them pending): the objects stay transient.
func (s *Session) forget(states []*state) {
	drop := make(map[*state]bool, len(states))
	for _, st := range states {
		drop[st] = st.status == Pending
		st.status = detached
	}
	s.pending = slices.DeleteFunc(s.pending, func(st *state) bool { return drop[st] })
	s.reindexPending()
}

// result makes the written objects persistent and sorts out the skipped
// ones.
func (q *InsertQuery[T]) result(f *flush, states []*state) *InsertResult[T] {
	s := q.s
	res := &InsertResult[T]{Rows: make([]*T, 0, len(states))}
	held := s.holds(q.m) // else no row can be held: no lookups
	s.idmap.reserve(q.m, len(states))
	for _, st := range states {
		if f.skipped[st] {
			st.status = detached
			res.Skipped = append(res.Skipped, mem.As[T](st.obj))
			continue
		}
		k, _ := q.m.keyOf(st.obj)
		if h := s.lookupIf(held, k); h != nil {
			f.journal(h)
			for _, c := range q.m.cols {
				f.overwrite(h, c)
			}
			moved, from := s.movedKeys(h, st.obj, keepChanges)
			s.overwrite(h, st.obj)
			s.rehome(h, moved, from) // a foreign key updated: the fields follow the row
			st.status = detached
			res.Rows = append(res.Rows, mem.As[T](h.obj))
			continue
		}
		st.status = Persistent
		st.setID(k)
		st.setMore(func(m stateMore) stateMore { m.upsert = nil; return m })
		s.snapshotWith(st, typedCopy[T])
		s.idmap.put(k, st)
		s.loaded = append(s.loaded, st)
		res.Rows = append(res.Rows, mem.As[T](st.obj))
	}
	return res
}
