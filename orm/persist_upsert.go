package orm

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// The statements of upserts (upsert.go): one INSERT … ON CONFLICT per
// group of objects sending the same columns with the same clause, whose
// returned rows are matched to the objects by conflict key.

// upsertGroup checks the objects of one upsert statement: each sets its
// conflict key (not NULL, not a zero value), and no two share one. It
// returns them by key.
func upsertGroup(cp *conflictPlan, states []*state) (*keyIndex, error) {
	byKey := newKeyIndex(cp.codec.intKey, len(states))
	for _, st := range states {
		k, ok := cp.codec.key(st.obj)
		if !ok {
			return nil, fmt.Errorf("%s: conflict key (%s) not set: %w", rowName(st), colNames(cp.key), ErrConflictTarget)
		}
		if byKey.get(k) != nil {
			return nil, fmt.Errorf("%s: two objects with one conflict key (%s): %w", st.m.table.Name, colNames(cp.key), ErrDuplicateObject)
		}
		byKey.put(k, st)
	}
	return byKey, nil
}

func colNames(cols []*column) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return strings.Join(out, ", ")
}

// queueUpsert queues one INSERT … ON CONFLICT for a group of objects
// sending the same columns with the same conflict clause.
func (f *flush) queueUpsert(p *pipe, ts *tableSQL, g *insertGroup, b *batch) error {
	m, cp := ts.m, g.conflict
	byKey, err := upsertGroup(cp, g.states)
	if err == nil && !f.bulk {
		err = f.checkHeld(m, cp, byKey)
	}
	if err != nil {
		return err
	}
	ret := cp.returning(m, g.set)
	var sql string
	var args []any
	switch {
	case len(g.states) == 1:
		sql, args = ts.insertOne(g.set, colSet{}), columnValues(m, g.set, g.states)
	case ts.unnestable(g.set):
		sql, args = ts.upsertUnnest(g.set), columnArrays(m, g.set, g.states)
	default:
		if countSet(g.set)*len(g.states) > maxParams-len(cp.sets)-16 {
			return fmt.Errorf("upsert %s: %d rows of array columns exceed the parameter limit: split them", m.table.Name, len(g.states))
		}
		sql, args = ts.insertValues(g.set, colSet{}, len(g.states)), columnValues(m, g.set, g.states)
	}
	clause, more, err := cp.clause(ts, g.set, len(args)+1, f.s.db.reg)
	if err != nil {
		return fmt.Errorf("upsert %s: %w", m.table.Name, err)
	}
	p.add(step{sql: sql + clause + ts.returning(ret, ""), args: append(args, more...), what: m.insertWhat, batch: b,
		rows: func(rows pgx.Rows) error { return f.matchUpsert(rows, m, cp, ret, g.set, byKey) }})
	return nil
}

// upsertUnnest is INSERT INTO t (set) SELECT … FROM unnest(…): the rows
// of an upsert are matched by key, so they need no order.
func (ts *tableSQL) upsertUnnest(set colSet) string {
	return ts.cached(stmtKey{form: formUpsertUnnest, set: set}, func() string {
		casts := ts.setCasts(set)
		refs := make([]string, len(casts))
		for i, c := range casts {
			refs[i] = unnestRef("u", i, c)
		}
		return "INSERT INTO " + ts.table + " (" + strings.Join(ts.names(set, ""), ", ") + ") SELECT " +
			strings.Join(refs, ", ") + " FROM " + ts.unnestSource(casts, "u", unnumbered)
	})
}

// columnValues lists the values of the columns of set, row after row.
func columnValues(m *model, set colSet, states []*state) []any {
	args := make([]any, 0, countSet(set)*len(states))
	for _, st := range states {
		for _, c := range m.cols {
			if set.has(c.pos) {
				args = append(args, c.arg(st.obj))
			}
		}
	}
	return args
}

// matchUpsert puts each returned row into the object with its conflict
// key; objects without a row were skipped.
func (f *flush) matchUpsert(rows pgx.Rows, m *model, cp *conflictPlan, ret, set colSet, byKey *keyIndex) error {
	scratch := mem.New(m.typ)
	var cols []*column
	dest := make([]any, 0, countSet(ret))
	for _, c := range m.cols {
		if ret.has(c.pos) {
			dest = append(dest, c.ptr(scratch))
			if !cp.keySet.has(c.pos) {
				cols = append(cols, c)
			}
		}
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		k, _ := cp.codec.key(scratch)
		st := byKey.take(k)
		if st == nil {
			return errRowCount // a key not sent, or returned twice
		}
		for _, c := range cols {
			if set.has(c.pos) {
				f.overwrite(st, c)
			} else {
				f.filled(st, c)
			}
			c.assign(c.path.addr(st.obj), c.path.read(scratch))
		}
	}
	byKey.each(f.skip) // no row came back
	return rows.Err()
}

// keyIndex maps the keys one codec reads to states, in a map of int64 for
// a lone integer key (which hashes as a plain number), else of strings.
type keyIndex struct {
	ints map[int64]*state
	strs map[string]*state
}

func newKeyIndex(intKey bool, n int) *keyIndex {
	if intKey {
		return &keyIndex{ints: make(map[int64]*state, n)}
	}
	return &keyIndex{strs: make(map[string]*state, n)}
}

func (x *keyIndex) get(k idKey) *state {
	if x.ints != nil {
		return x.ints[k.n]
	}
	return x.strs[k.s]
}

func (x *keyIndex) put(k idKey, st *state) {
	if x.ints != nil {
		x.ints[k.n] = st
		return
	}
	x.strs[k.s] = st
}

// take returns the state of k and removes it.
func (x *keyIndex) take(k idKey) *state {
	st := x.get(k)
	if x.ints != nil {
		delete(x.ints, k.n)
	} else {
		delete(x.strs, k.s)
	}
	return st
}

func (x *keyIndex) each(fn func(*state)) {
	for _, st := range x.ints {
		fn(st)
	}
	for _, st := range x.strs {
		fn(st)
	}
}

// skip records that an upsert skipped st's row.
func (f *flush) skip(st *state) {
	if f.skipped == nil {
		f.skipped = map[*state]bool{}
	}
	f.skipped[st] = true
}

// needsSkipped refuses an action that copies the key of an object whose
// row ON CONFLICT DO NOTHING skipped: that object got no key (the row
// that exists keeps its own), so the action would write a child without
// its parent (a NULL or zero foreign key) or an association row to
// nothing. The flush fails instead, before the action is sent.
func (f *flush) needsSkipped(a *action) error {
	for i, d := range a.deps {
		st := d.st
		if st == nil || !a.valueDep(i) || !f.skipped[st] {
			continue
		}
		if _, ok := st.m.keyOf(st.obj); !ok {
			return fmt.Errorf("%s: ON CONFLICT DO NOTHING skipped its row, so it has no key for %s to reference (DoUpdate takes the existing row's key): %w",
				rowName(st), a.tableName(), ErrConflictTarget)
		}
	}
	return nil
}

// tableName names the table an action writes.
func (a *action) tableName() string {
	if a.extra != nil {
		return a.extra.table.Name
	}
	return a.m.table.Name
}

// checkHeld refuses pending upserts whose conflict key is that of
// another object of the session, as the row would then have two: one it
// holds (its current key or the one it was loaded with), or another new
// object of the flush (inserted plainly, or upserted with another clause).
func (f *flush) checkHeld(m *model, cp *conflictPlan, byKey *keyIndex) error {
	for _, st := range f.s.loaded {
		if st.m != m || st.status != Persistent {
			continue
		}
		for _, p := range []mem.Ptr{st.obj, st.snap} {
			if k, ok := cp.codec.key(p); ok && byKey.get(k) != nil {
				return twinError(m, cp, "the session holds the row with this conflict key (%s): change that object instead")
			}
		}
	}
	for _, st := range f.s.pending {
		if st.m != m {
			continue
		}
		if k, ok := cp.codec.key(st.obj); ok {
			if other := byKey.get(k); other != nil && other != st {
				return twinError(m, cp, "another new object has this conflict key (%s)")
			}
		}
	}
	return nil
}

func twinError(m *model, cp *conflictPlan, format string) error {
	return fmt.Errorf("%s: "+format+": %w", m.table.Name, colNames(cp.key), ErrDuplicateObject)
}
