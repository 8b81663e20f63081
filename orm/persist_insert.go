package orm

import (
	"cmp"
	"encoding/binary"
	"errors"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/schema"
)

// maxParams is PostgreSQL's limit on bind parameters per statement.
const maxParams = 65535

// insertGroup is the rows of an insert batch that send the same columns.
type insertGroup struct {
	set, ret colSet
	conflict *conflictPlan // an upsert's ON CONFLICT, nil for a plain insert
	states   []*state
}

// queueInserts prepares a batch's rows (client defaults, first version)
// and queues one statement per group of rows sending the same columns.
func (f *flush) queueInserts(p *pipe, b *batch) error {
	ts := f.s.db.sql[b.m.id]
	if len(b.actions) == 1 && b.actions[0].st.upsertPlan() == nil {
		st := b.actions[0].st
		set := f.prepareInsert(st)
		f.queueOne(p, ts, set, returnedBy(b.m, set), st, b)
		return nil
	}
	var groups []*insertGroup
	for _, a := range b.actions {
		set, cp := f.prepareInsert(a.st), a.st.upsertPlan()
		g := findGroup(groups, set, cp)
		if g == nil {
			g = &insertGroup{set: set, ret: returnedBy(b.m, set), conflict: cp}
			if groups == nil {
				g.states = make([]*state, 0, len(b.actions)) // most batches are one group
			}
			groups = append(groups, g)
		}
		g.states = append(g.states, a.st)
	}
	for _, g := range groups {
		if g.conflict != nil {
			if err := f.queueUpsert(p, ts, g, b); err != nil {
				return err
			}
			continue
		}
		f.queueGroup(p, ts, g, b)
	}
	return nil
}

func findGroup(groups []*insertGroup, set colSet, cp *conflictPlan) *insertGroup {
	for _, g := range groups {
		if g.set == set && (g.conflict == cp || g.conflict != nil && cp != nil && g.conflict.desc == cp.desc) {
			return g
		}
	}
	return nil
}

// prepareInsert fills client defaults and the first version of st and
// returns the columns its INSERT sends: all but the zero ones whose column
// the server fills (identity, server default), unless marked Explicit.
func (f *flush) prepareInsert(st *state) colSet {
	m := st.m
	for _, c := range m.defaults {
		if c.zero(st.obj) && !st.forced(c) {
			f.filled(st, c)
			c.setDef(c.path.addr(st.obj))
		}
	}
	if v := m.version; v != nil && v.zero(st.obj) && v.ServerDefault == "" {
		f.filled(st, v)
		setInt(v, st.obj, 1)
	}
	set := m.sentAlways
	if cp := st.upsertPlan(); cp != nil {
		set.union(cp.keySet) // an upsert always sends its conflict key
	}
	for _, c := range m.serverGen {
		if st.forced(c) || !c.zero(st.obj) {
			set.add(c.pos)
		}
	}
	return set
}

// returnedBy lists the columns the server fills for rows sending set.
func returnedBy(m *model, set colSet) colSet {
	var ret colSet
	for _, c := range m.cols {
		if !set.has(c.pos) {
			ret.add(c.pos)
		}
	}
	return ret
}

// queueGroup picks the statement form for a group of rows: one INSERT for a
// single row; for many rows one unnest (or VALUES) statement when the
// returned rows can be matched to objects with certainty (the keys are
// known, or an identity key drawn in row order), else (or when no column
// is sent: INSERT … DEFAULT VALUES) one statement per row, still in the
// same round trip.
func (f *flush) queueGroup(p *pipe, ts *tableSQL, g *insertGroup, b *batch) {
	m := ts.m
	drawn := len(g.states) > 1 && !g.set.empty() && drawnKey(m, g.ret) && ts.unnestable(g.set)
	if !drawn && (len(g.states) == 1 || g.set.empty() || (!g.ret.empty() && !keysKnown(m, g.set) && !identityKey(m, g.ret))) {
		for _, st := range g.states {
			f.queueOne(p, ts, g.set, g.ret, st, b)
		}
		return
	}
	f.journalInserts(g.states, retCols(m, g.ret))
	switch {
	case drawn:
		f.queueDrawn(p, ts, g, b)
	case ts.unnestable(g.set):
		f.queueUnnest(p, ts, g, b)
	default:
		f.queueValues(p, ts, g, b)
	}
}

// keysKnown reports whether every key column is sent.
func keysKnown(m *model, set colSet) bool {
	for _, c := range m.pk {
		if !set.has(c.pos) {
			return false
		}
	}
	return true
}

// identityKey reports whether the key is one integer identity column the
// server fills: the rows of one INSERT … SELECT … ORDER BY draw its values
// in ascending order, which is what lets returned rows be matched to
// objects by sorting on the key.
func identityKey(m *model, ret colSet) bool {
	if len(m.pk) != 1 {
		return false
	}
	c := m.pk[0]
	return ret.has(c.pos) && c.Identity != schema.IdentityNone && isInt(c.goType.Kind())
}

// drawnKey reports whether the key is one column, not an identity, that
// the server fills from its default for these rows: insertDrawn can then
// draw the keys in the statement and map them back by ordinal.
func drawnKey(m *model, ret colSet) bool {
	if len(m.pk) != 1 {
		return false
	}
	c := m.pk[0]
	return ret.has(c.pos) && c.Identity == schema.IdentityNone && c.ServerDefault != ""
}

func (ts *tableSQL) unnestable(set colSet) bool {
	if ts.nonArr {
		return true
	}
	for _, c := range ts.m.cols {
		if _, ok := c.Type.(schema.Array); ok && set.has(c.pos) {
			return false
		}
	}
	return true
}

// queueOne queues a single-row INSERT whose RETURNING is scanned straight
// into the object.
func (f *flush) queueOne(p *pipe, ts *tableSQL, set, ret colSet, st *state, b *batch) {
	args := f.s.args(countSet(set))
	for _, c := range ts.m.cols {
		if set.has(c.pos) {
			args = append(args, c.arg(st.obj))
		} else if ret.has(c.pos) {
			f.filled(st, c)
		}
	}
	s := step{sql: ts.insertOne(set, ret), args: args, what: ts.m.insertWhat, batch: b}
	if !ret.empty() {
		r := ret
		s.rows = func(rows pgx.Rows) error { return f.s.scanOne(rows, ts.m, r, st, exactlyOne) }
	}
	p.add(s)
}

// rowsWanted says how many rows a statement must return.
type rowsWanted uint8

const (
	// atMostOne: no row is the caller's to report (its row count check).
	atMostOne rowsWanted = iota
	// exactlyOne: no row is errRowCount.
	exactlyOne
)

// scanOne scans the single returned row of a statement into st's ret
// columns; more than one row is errRowCount, and so is none when want is
// exactlyOne.
func (s *Session) scanOne(rows pgx.Rows, m *model, ret colSet, st *state, want rowsWanted) error {
	if !rows.Next() {
		if rows.Err() != nil || want == atMostOne {
			return rows.Err()
		}
		return errRowCount
	}
	dest := s.arena.scanDest(0)
	for _, c := range m.cols {
		if ret.has(c.pos) {
			dest = append(dest, c.ptr(st.obj))
		}
	}
	s.arena.dest = dest
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	if rows.Next() {
		return errRowCount
	}
	return rows.Err()
}

// queueUnnest queues one INSERT … SELECT FROM unnest(…) for the group,
// with one array argument per column.
func (f *flush) queueUnnest(p *pipe, ts *tableSQL, g *insertGroup, b *batch) {
	ret := g.ret
	if !ret.empty() && keysKnown(ts.m, g.set) {
		ret = withKeyCols(ts.m, ret)
	}
	s := step{sql: ts.insertUnnest(g.set, ret), args: columnArrays(ts.m, g.set, g.states), what: ts.m.insertWhat, batch: b}
	s.rows = f.matcher(ts.m, g, ret)
	p.add(s)
}

// queueDrawn queues one insertDrawn statement for the group: keys drawn
// by the server, each returned row put into the object its ordinal names.
func (f *flush) queueDrawn(p *pipe, ts *tableSQL, g *insertGroup, b *batch) {
	key := ts.m.pk[0]
	set := g.set
	set.remove(key.pos)
	s := step{sql: ts.insertDrawn(set, g.ret), args: columnArrays(ts.m, set, g.states), what: ts.m.insertWhat, batch: b}
	s.rows = func(rows pgx.Rows) error { return matchByOrdinal(rows, ts.m, g.ret, g.states) }
	p.add(s)
}

// matchByOrdinal scans rows whose first column is the 1-based ordinal of
// the object each belongs to, the ret columns after it. Every object must
// get exactly one row.
func matchByOrdinal(rows pgx.Rows, m *model, ret colSet, states []*state) error {
	seen := make([]bool, len(states))
	cols := retCols(m, ret)
	dest := make([]any, 1+len(cols))
	var ord int64
	dest[0] = &ord // for pgx, when it scans a row
	var plan rowPlan
	n := 0
	for rows.Next() {
		i, err := rowOrdinal(rows)
		if err != nil || i < 1 || i > int64(len(states)) || seen[i-1] {
			return errors.Join(errRowCount, err)
		}
		seen[i-1] = true
		if n == 0 {
			plan = planRows(rows, 1, cols)
		}
		if err := plan.scan(rows, states[i-1].obj, dest); err != nil {
			return err
		}
		n++
	}
	if rows.Err() == nil && n != len(states) {
		return errRowCount
	}
	return rows.Err()
}

// rowOrdinal decodes the current row's first column, a bigint, from its
// wire form (binary, or text in the text-only exec modes) before the row
// is scanned, so that the row can be scanned straight into its object.
func rowOrdinal(rows pgx.Rows) (int64, error) {
	raw := rows.RawValues()
	if len(raw) == 0 || raw[0] == nil {
		return 0, errRowCount
	}
	if rows.FieldDescriptions()[0].Format == pgx.BinaryFormatCode {
		if len(raw[0]) != 8 {
			return 0, errRowCount
		}
		return int64(binary.BigEndian.Uint64(raw[0])), nil
	}
	return strconv.ParseInt(string(raw[0]), 10, 64)
}

// queueValues queues multi-row VALUES statements, as many rows each as the
// parameter limit allows.
func (f *flush) queueValues(p *pipe, ts *tableSQL, g *insertGroup, b *batch) {
	ret := g.ret
	if !ret.empty() && keysKnown(ts.m, g.set) {
		ret = withKeyCols(ts.m, ret)
	}
	width := countSet(g.set)
	per := max(1, maxParams/max(1, width))
	for start := 0; start < len(g.states); start += per {
		part := &insertGroup{set: g.set, ret: g.ret, states: g.states[start:min(len(g.states), start+per)]}
		args := make([]any, 0, width*len(part.states))
		for _, st := range part.states {
			for _, c := range ts.m.cols {
				if g.set.has(c.pos) {
					args = append(args, c.arg(st.obj))
				}
			}
		}
		s := step{sql: ts.insertValues(g.set, ret, len(part.states)), args: args, what: ts.m.insertWhat, batch: b}
		s.rows = f.matcher(ts.m, part, ret)
		p.add(s)
	}
}

// matcher returns the handler that puts returned rows into the group's
// objects: by key when the keys were sent, else in identity order.
func (f *flush) matcher(m *model, g *insertGroup, ret colSet) func(pgx.Rows) error {
	switch {
	case ret.empty():
		return nil
	case keysKnown(m, g.set):
		return func(rows pgx.Rows) error { return matchByKey(rows, m, ret, g.states) }
	}
	return func(rows pgx.Rows) error { return matchByIdentity(f.s, rows, m, ret, g.states) }
}

// scanInto scans returned rows, in order, into the given objects' ret
// columns.
func scanInto(rows pgx.Rows, m *model, ret colSet, states []*state) error {
	cols := retCols(m, ret)
	dest := make([]any, len(cols))
	var plan rowPlan
	i := 0
	for rows.Next() {
		if i >= len(states) {
			return errRowCount
		}
		if i == 0 {
			plan = planRows(rows, 0, cols)
		}
		if err := plan.scan(rows, states[i].obj, dest); err != nil {
			return err
		}
		i++
	}
	if rows.Err() == nil && i != len(states) {
		return errRowCount
	}
	return rows.Err()
}

// matchByKey scans each returned row into a scratch object and copies it
// into the object with the same key.
func matchByKey(rows pgx.Rows, m *model, ret colSet, states []*state) error {
	byKey := make(map[idKey]*state, len(states))
	for _, st := range states {
		byKey[m.rowKey(st.obj)] = st
	}
	scratch := mem.New(m.typ)
	tmp := &state{m: m, obj: scratch}
	for rows.Next() {
		if err := scanRow(rows, m, ret, tmp); err != nil {
			return err
		}
		st := byKey[m.rowKey(scratch)]
		if st == nil {
			return errRowCount
		}
		for _, c := range m.cols {
			if ret.has(c.pos) {
				c.copyTo(st.obj, scratch)
			}
		}
	}
	return rows.Err()
}

func scanRow(rows pgx.Rows, m *model, ret colSet, st *state) error {
	dest := make([]any, 0, countSet(ret))
	for _, c := range m.cols {
		if ret.has(c.pos) {
			dest = append(dest, c.ptr(st.obj))
		}
	}
	return rows.Scan(dest...)
}

// matchByIdentity scans returned rows into the objects in order, then
// checks that the keys ascend. Identity values are drawn in the order the
// rows were inserted (ORDER BY the ordinal), so ascending keys mean the
// rows came back in insert order; if they did not, the values are put in
// key order, which is insert order.
func matchByIdentity(s *Session, rows pgx.Rows, m *model, ret colSet, states []*state) error {
	if err := scanInto(rows, m, ret, states); err != nil {
		return err
	}
	key := m.pk[0]
	ascending := true
	for i := 1; i < len(states) && ascending; i++ {
		ascending = intValue(key, states[i-1].obj) < intValue(key, states[i].obj)
	}
	if !ascending {
		reorder(s, m, ret, states, key)
	}
	return nil
}

// reorder redistributes the returned columns so that keys ascend in the
// objects' insert order.
func reorder(s *Session, m *model, ret colSet, states []*state, key *column) {
	tmp := make([]mem.Ptr, len(states))
	for i, st := range states {
		tmp[i] = s.snapChunk(m).next()
		for _, c := range m.cols {
			if ret.has(c.pos) {
				c.copyTo(tmp[i], st.obj)
			}
		}
	}
	slices.SortFunc(tmp, func(a, b mem.Ptr) int { return cmp.Compare(intValue(key, a), intValue(key, b)) })
	for i, st := range states {
		for _, c := range m.cols {
			if ret.has(c.pos) {
				c.copyTo(st.obj, tmp[i])
			}
		}
	}
}
