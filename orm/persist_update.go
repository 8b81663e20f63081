package orm

import (
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// updateGroup is the rows of an update batch that changed the same columns.
type updateGroup struct {
	set, ret colSet
	states   []*state
	n        int // rows, counted before states are filled
}

// queueUpdates sends, for each changed object, only its changed columns
// plus the onupdate expressions and the next version; rows that changed
// the same columns share one statement.
func (f *flush) queueUpdates(p *pipe, b *batch) error {
	ts := f.s.db.sql[b.m.id]
	if len(b.actions) == 1 {
		a := b.actions[0]
		if set, ret, ok := f.prepareUpdate(a); ok {
			f.queueUpdateOne(p, ts, set, ret, a.st, b)
		}
		return nil
	}
	// Two passes, so that the groups' states are cut from one array
	// rather than each regrown row by row.
	var groups []*updateGroup
	which := make([]int32, len(b.actions)) // each action's group, -1: none
	for i, a := range b.actions {
		which[i] = -1
		set, ret, ok := f.prepareUpdate(a)
		if !ok {
			continue
		}
		g := slices.IndexFunc(groups, func(x *updateGroup) bool { return x.set == set })
		if g < 0 {
			g = len(groups)
			groups = append(groups, &updateGroup{set: set, ret: ret})
		}
		groups[g].n++
		which[i] = int32(g)
	}
	all, off := make([]*state, len(b.actions)), 0
	for _, g := range groups {
		g.states, off = all[off:off:off+g.n], off+g.n
	}
	for i, a := range b.actions {
		if w := which[i]; w >= 0 {
			groups[w].states = append(groups[w].states, a.st)
		}
	}
	for _, g := range groups {
		if len(g.states) == 1 || !ts.unnestable(g.set) {
			for _, st := range g.states {
				f.queueUpdateOne(p, ts, g.set, g.ret, st, b)
			}
			continue
		}
		f.queueUpdateMany(p, ts, g, b)
	}
	return nil
}

// prepareUpdate computes the changed columns of a's object, bumps its
// version and journals what the statement will overwrite; a.cols becomes
// the columns the statement writes or reads back. ok is false when
// nothing changed after all.
func (f *flush) prepareUpdate(a *action) (set, ret colSet, ok bool) {
	st := a.st
	m := st.m
	if a.cols != 0 && !f.synced(st) {
		set[0] = a.cols // the dirty check's, and nothing wrote into the object since
	} else {
		set = st.changed()
	}
	for _, c := range m.pk {
		set.remove(c.pos)
	}
	if a.cols = 0; set.empty() {
		return set, ret, false
	}
	if v := m.version; v != nil {
		f.overwrite(st, v)
		setInt(v, st.obj, intValue(v, st.snap)+1)
		set.add(v.pos)
	}
	for _, c := range m.onUpdate {
		if !set.has(c.pos) {
			f.overwrite(st, c)
			ret.add(c.pos)
		}
	}
	all := set
	all.union(ret)
	a.cols = all.low()
	return set, ret, true
}

// queueUpdateOne queues UPDATE … WHERE key (and old version), asserted to
// touch one row.
func (f *flush) queueUpdateOne(p *pipe, ts *tableSQL, set, ret colSet, st *state, b *batch) {
	m := ts.m
	args := f.s.args(countSet(set) + len(m.pk) + 2)
	for _, c := range m.cols {
		if set.has(c.pos) {
			args = append(args, c.arg(st.obj))
		}
	}
	for _, c := range m.pk {
		args = append(args, c.arg(st.snap))
	}
	if v := m.version; v != nil {
		args = append(args, v.arg(st.snap))
	}
	plain, asserted := ts.updateOne(set, ret)
	s := step{sql: plain, asserted: asserted, expect: 1, args: args, what: m.updateWhat, batch: b, stale: m.staleUpdate}
	if !ret.empty() {
		r := ret
		s.rows = func(rows pgx.Rows) error { return f.s.scanOne(rows, m, r, st, atMostOne) }
	}
	p.add(s)
}

// queueUpdateMany queues one UPDATE … FROM unnest(…) for rows that changed
// the same columns, asserted to touch all of them.
func (f *flush) queueUpdateMany(p *pipe, ts *tableSQL, g *updateGroup, b *batch) {
	m := ts.m
	args := columnArrays(m, g.set, g.states)
	args = append(args, keyArrays(m, g.states)...)
	plain, asserted := ts.updateUnnest(g.set, g.ret)
	s := step{sql: plain, asserted: asserted, expect: len(g.states), args: args, what: m.updateWhat, batch: b,
		stale: &StaleDataError{Table: m.table.Name, Op: "update", Expected: len(g.states)}}
	if g.ret.empty() {
		s.exec = func(pgconn.CommandTag) error { return nil }
	} else {
		ret := withKeyCols(m, g.ret)
		s.rows = func(rows pgx.Rows) error { return matchByKey(rows, m, ret, g.states) }
	}
	p.add(s)
}

// queueDeletes queues one DELETE for the batch's rows, keyed by the
// snapshots' keys; with a version column it is asserted to delete every
// row, so a row changed meanwhile fails the flush with ErrStaleData.
func (f *flush) queueDeletes(p *pipe, b *batch) error {
	m := b.m
	ts := f.s.db.sql[m.id]
	states := make([]*state, len(b.actions))
	for i, a := range b.actions {
		states[i] = a.st
	}
	states, soft := splitSoft(m, states)
	if len(soft) > 0 {
		f.queueSoftDeletes(p, b, soft)
	}
	if len(states) == 0 {
		return nil
	}
	plain, asserted := ts.deleteRows()
	s := step{sql: plain, args: keyArrays(m, states), what: m.deleteWhat, batch: b}
	if asserted != "" {
		s.asserted, s.expect = asserted, len(states)
		s.stale = &StaleDataError{Table: m.table.Name, Op: "delete", Expected: len(states)}
	}
	p.add(s)
	return nil
}

// synced reports whether the relationship side wrote a parent's key into
// st's object in this flush (relFlush.sync, which it does only for an
// object with a claim), after the dirty check.
func (f *flush) synced(st *state) bool { return f.markOf(st).claim >= 0 }
