package orm

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Default, given as a value to [UpdateQuery.Set], sets the column to its
// server default (SET col = DEFAULT).
var Default = defaultValue{}

type defaultValue struct{}

// UpdateQuery is a statement-level UPDATE of T's table, built by [Update]:
// UPDATE … SET … WHERE …, like SQLAlchemy's update(User).where(…).values(…).
// It runs in the session's transaction and keeps the session's objects
// consistent with what it changed. The first mistake is kept and returned
// by Exec.
type UpdateQuery[T any] struct {
	s       *Session
	m       *model
	err     error
	filter  filter
	sets    []setClause
	all     bool
	deleted deletedRows
}

type setClause struct {
	col *column
	val any
}

// Update starts a bulk UPDATE of T's rows.
func Update[T any](s *Session) *UpdateQuery[T] {
	m, err := modelFor[T](s.db.reg)
	q := &UpdateQuery[T]{s: s, m: m}
	if err != nil {
		q.err = fmt.Errorf("update: %w", err)
	}
	return q
}

// Where adds a condition, as [SelectQuery.Where].
func (q *UpdateQuery[T]) Where(cond SQL, args ...any) *UpdateQuery[T] {
	q.filter.conds = append(q.filter.conds, cond)
	q.filter.args = append(q.filter.args, args)
	return q
}

// AllRows allows an UPDATE without conditions: every row. Without it, Exec
// refuses to run an unconditional UPDATE (ErrNoCondition).
func (q *UpdateQuery[T]) AllRows() *UpdateQuery[T] { q.all = true; return q }

// Set assigns a field (Go field or column name): value is bound as a
// parameter, except [Default] (the column's server default) and a value of
// type [SQL], which is written as an SQL expression ("count + 1").
func (q *UpdateQuery[T]) Set(field string, value any) *UpdateQuery[T] {
	c := q.m.lookupSafe(field)
	if c == nil {
		if q.err == nil {
			q.err = fmt.Errorf("update set %q: %w", field, ErrUnknownColumn)
		}
		return q
	}
	q.sets = append(q.sets, setClause{c, value})
	return q
}

// Exec runs the UPDATE (after an autoflush) and returns the number of rows
// it changed. Objects of the session among those rows take the new values
// of the assigned columns (and of onupdate and version columns), in memory
// and in their snapshots.
func (q *UpdateQuery[T]) Exec(ctx context.Context) (int64, error) {
	sql, args, ret, err := q.build()
	if err != nil {
		return 0, fmt.Errorf("update %s: %w", q.m, err)
	}
	n, err := q.s.bulk(ctx, q.m, sql, args, ret, rowsUpdated)
	if err != nil {
		return 0, fmt.Errorf("update %s: %w", q.m, err)
	}
	return n, nil
}

func (q *UpdateQuery[T]) build() (string, []any, colSet, error) {
	var ret colSet
	switch {
	case q.err != nil:
		return "", nil, ret, q.err
	case len(q.sets) == 0:
		return "", nil, ret, fmt.Errorf("nothing to set: %w", ErrNoCondition)
	case len(q.filter.conds) == 0 && !q.all:
		return "", nil, ret, ErrNoCondition
	}
	ts := q.s.db.sql[q.m.id]
	var sets []string
	var args []any
	for _, sc := range q.sets {
		ret.add(sc.col.pos)
		switch v := sc.val.(type) {
		case defaultValue:
			sets = append(sets, ts.cols[sc.col.pos]+" = DEFAULT")
		case SQL:
			buf, next, err := rewrite(nil, string(v), 1)
			if err == nil && next != 1 {
				err = ErrPlaceholders
			}
			if err != nil {
				return "", nil, ret, fmt.Errorf("set %s: an SQL expression takes no placeholders: %w", sc.col.Name, err)
			}
			sets = append(sets, ts.cols[sc.col.pos]+" = "+string(buf))
		default:
			args = append(args, q.s.db.reg.setArg(sc.col, v))
			sets = append(sets, ts.cols[sc.col.pos]+" = "+ts.d.Placeholder(len(args))+ts.bind[sc.col.pos])
		}
	}
	for _, c := range q.m.onUpdate {
		if !ret.has(c.pos) {
			sets = append(sets, ts.cols[c.pos]+" = "+c.OnUpdate)
			ret.add(c.pos)
		}
	}
	if v := q.m.version; v != nil && !ret.has(v.pos) {
		sets = append(sets, ts.cols[v.pos]+" = "+ts.cols[v.pos]+" + 1")
		ret.add(v.pos)
	}
	buf := []byte("UPDATE " + ts.table + " SET " + strings.Join(sets, ", "))
	buf, wargs, _, err := q.s.db.liveFilter(q.m, q.filter, q.deleted).renderIn(buf, len(args)+1, &scope{db: q.s.db, m: q.m, qual: ts.table})
	if err != nil {
		return "", nil, ret, err
	}
	ret = withKeyCols(q.m, ret)
	return string(buf) + ts.returning(ret, ""), append(args, wargs...), ret, nil
}

// DeleteQuery is a statement-level DELETE of T's table, built by [Delete].
type DeleteQuery[T any] struct {
	s       *Session
	m       *model
	err     error
	filter  filter
	all     bool
	deleted deletedRows
	hard    bool
}

// Delete starts a bulk DELETE of T's rows: DELETE … WHERE ….
func Delete[T any](s *Session) *DeleteQuery[T] {
	m, err := modelFor[T](s.db.reg)
	q := &DeleteQuery[T]{s: s, m: m}
	if err != nil {
		q.err = fmt.Errorf("delete: %w", err)
	}
	return q
}

// Where adds a condition, as [SelectQuery.Where].
func (q *DeleteQuery[T]) Where(cond SQL, args ...any) *DeleteQuery[T] {
	q.filter.conds = append(q.filter.conds, cond)
	q.filter.args = append(q.filter.args, args)
	return q
}

// AllRows allows a DELETE without conditions: every row.
func (q *DeleteQuery[T]) AllRows() *DeleteQuery[T] { q.all = true; return q }

// Exec runs the DELETE (after an autoflush) and returns the number of rows
// deleted. Objects of the session among them become deleted, as if removed
// by Session.Delete and flushed.
func (q *DeleteQuery[T]) Exec(ctx context.Context) (int64, error) {
	if q.err == nil && len(q.filter.conds) == 0 && !q.all {
		q.err = ErrNoCondition
	}
	if q.err != nil {
		return 0, fmt.Errorf("delete %s: %w", q.m, q.err)
	}
	ts := q.s.db.sql[q.m.id]
	head, ret := "DELETE FROM "+ts.table, withKeyCols(q.m, colSet{})
	if q.m.softDelete != nil && !q.hard {
		head, ret = ts.softDeleteHead(), ts.softReturning()
	}
	buf, args, _, err := q.s.db.liveFilter(q.m, q.filter, q.deleted).renderIn([]byte(head), 1, &scope{db: q.s.db, m: q.m, qual: ts.table})
	if err != nil {
		return 0, fmt.Errorf("delete %s: %w", q.m, err)
	}
	n, err := q.s.bulk(ctx, q.m, string(buf)+ts.returning(ret, ""), args, ret, rowsDeleted)
	if err != nil {
		return 0, fmt.Errorf("delete %s: %w", q.m, err)
	}
	return n, nil
}

// bulkEffect says what a bulk statement does to the rows it returns.
type bulkEffect uint8

const (
	rowsUpdated bulkEffect = iota // UpdateQuery: they take the returned values
	rowsDeleted                   // DeleteQuery (soft or not): they are gone
)

// bulk runs a statement-level UPDATE or DELETE in the session's
// transaction and applies its RETURNING rows (keys and ret columns) to the
// objects the session holds, as effect says.
func (s *Session) bulk(ctx context.Context, m *model, sql string, args []any, ret colSet, effect bulkEffect) (int64, error) {
	if s.autoflush {
		if err := s.flush(ctx, keepTx); err != nil {
			return 0, fmt.Errorf("autoflush: %w", err)
		}
	}
	if s.closed {
		return 0, ErrSessionClosed
	}
	s.ensureTx().eager = true
	f := &flush{s: s, ctx: ctx, id: s.nextFlushID()}
	scratch := s.objChunk(m).next()
	tmp := &state{m: m, obj: scratch}
	var n int64
	gone := map[mem.Ptr]bool{}
	p := &pipe{s: s}
	p.add(step{sql: sql, args: args, what: "bulk", rows: func(rows pgx.Rows) error {
		for rows.Next() {
			n++
			if err := scanRow(rows, m, ret, tmp); err != nil {
				return err
			}
			if st := s.held(m, scratch); st != nil && st.status == Persistent {
				f.apply(st, scratch, ret, effect)
				if effect == rowsDeleted {
					gone[st.obj] = true
				}
			}
		}
		return nil
	}})
	if err := p.run(ctx); err != nil {
		return 0, s.failTx(err)
	}
	if len(gone) > 0 {
		s.filterLoaded(func(st *state) bool { return st.status != Persistent })
		dropGone(s.loaded, gone) // as if flushed by Session.Delete: out of every field
	}
	return n, nil
}

// bulkMoves returns the foreign keys of st that the bulk statement's row
// changes (see movedKeys), among those whose columns it returned.
func (s *Session) bulkMoves(st *state, row mem.Ptr, ret colSet) (uint64, []mem.Ptr) {
	moved, from := s.movedKeys(st, row, keepChanges)
	for i, g := range st.m.childOf {
		if i < 64 && slices.ContainsFunc(g.childCols, func(c *column) bool { return !ret.has(c.pos) }) {
			moved &^= 1 << uint(i)
		}
	}
	return moved, from
}

// journalParents records the parents a bulk statement's row moves st
// between (along the foreign keys in moved, from the parents from), whose
// fields and histories rehome changes: a Rollback, a failed flush or a
// Nested function's error puts them back with the row.
func (f *flush) journalParents(st *state, moved uint64, from []mem.Ptr) {
	for i, g := range st.m.childOf {
		if i >= 64 || moved&(1<<uint(i)) == 0 {
			continue
		}
		for _, p := range [2]mem.Ptr{from[i], g.parentOf(f.s, st.obj)} {
			if p.IsNil() {
				continue
			}
			if ps := f.s.stateOf(g.parent, p); ps != nil && ps.status == Persistent {
				f.journal(ps)
			}
		}
	}
}

// apply brings a held object in line with a row a bulk statement changed.
func (f *flush) apply(st *state, row mem.Ptr, ret colSet, effect bulkEffect) {
	f.journal(st)
	if effect == rowsDeleted {
		for _, c := range st.m.cols {
			if ret.has(c.pos) && !c.pk { // a soft delete's column, version, onupdate
				f.overwrite(st, c)
				c.copyTo(st.obj, row)
			}
		}
		st.status, st.deleting = Deleted, false
		f.s.idmap.del(st.id(), st)
		return // bulk drops it from the loaded list with the others
	}
	moved, from := f.s.bulkMoves(st, row, ret)
	for _, c := range st.m.cols {
		if ret.has(c.pos) && !c.pk {
			f.overwrite(st, c)
			c.copyTo(st.obj, row)
		}
	}
	f.journalParents(st, moved, from)
	defer f.s.rehome(st, moved, from) // a foreign key assigned: the fields follow the row
	// The new snapshot keeps the object's other unflushed changes visible.
	snap, enc := st.snap, st.enc()
	f.s.snapshot(st)
	for _, c := range st.m.cols {
		switch {
		case ret.has(c.pos):
		case c.encSlot >= 0:
			st.enc()[c.encSlot] = enc[c.encSlot] // the new snapshot's own slice
		default:
			c.copyTo(st.snap, snap)
		}
	}
}
