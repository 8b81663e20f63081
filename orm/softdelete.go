package orm

import (
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// Soft delete: a model whose nullable timestamp is tagged `soft_delete`
// is deleted by setting it (UPDATE … SET deleted_at = now()) rather than
// by removing its row. Such rows are left out of queries, Get,
// collection loads, joins and Has filters, and of bulk Update and
// Delete, unless the query says WithDeleted (or OnlyDeleted); a
// reference (many_to_one) still loads the row its foreign key names;
// Session.HardDelete and Delete(…).Hard() remove rows for real.
//
// Cascades follow: deleting an object softly soft-deletes the objects its
// delete cascades reach whose model is soft-deletable too, and leaves the
// others alone (its row still exists, so nothing references a missing
// row); association rows stay. Deleting a row for real deletes for real
// whatever its cascades reach, soft-deleted rows included.

// deletedRows says which rows of a soft-deletable model a query sees.
type deletedRows uint8

const (
	liveRows    deletedRows = iota // rows not soft-deleted (the default)
	allRows                        // WithDeleted
	deletedOnly                    // OnlyDeleted
)

// findSoftDelete records the model's soft_delete column, at registration.
func (m *model) findSoftDelete() error {
	for _, c := range m.cols {
		if !c.SoftDelete {
			continue
		}
		if m.softDelete != nil {
			return &schema.ModelError{Type: m.typ, Field: c.Field.Name, Tag: c.Field.Tag,
				Err: fmt.Errorf("a second soft_delete column (%s has one): %w", m.softDelete.Name, schema.ErrBadValue)}
		}
		m.softDelete = c
	}
	return nil
}

// liveCond is the condition that keeps the rows of m a query sees, on the
// columns qualified by qual; "" when it sees them all.
func (db *DB) liveCond(m *model, qual string, rows deletedRows) string {
	sd := m.softDelete
	if sd == nil || rows == allRows {
		return ""
	}
	col := qual + "." + db.sql[m.id].cols[sd.pos]
	if rows == deletedOnly {
		return col + " IS NOT NULL"
	}
	return col + " IS NULL"
}

// hidesDeleted reports whether loads of rb leave soft-deleted targets
// out. Collections do. A reference whose foreign key the owner holds (a
// many_to_one, the child side of a one_to_one) shows the row its key
// names, soft-deleted or not: left nil, it would read as a reference the
// program set to nil, which the flush takes for an orphan.
func (rb *relBase) hidesDeleted() bool {
	return rb.target.softDelete != nil && rb.r.Side != relation.FKOnOwner
}

// loadCond is the condition a joined load of rb adds for its rows, on
// the columns qualified by qual; "" when it sees them all.
func (db *DB) loadCond(rb *relBase, qual string) string {
	if !rb.hidesDeleted() {
		return ""
	}
	return db.liveCond(rb.target, qual, liveRows)
}

// WithDeleted makes the query see the soft-deleted rows too: of its model,
// and of the relationships it joins and filters by with Has. Collection
// loads still leave them out.
func (q *SelectQuery[T]) WithDeleted() *SelectQuery[T] { q.deleted = allRows; return q }

// OnlyDeleted makes the query see only the soft-deleted rows of its model
// (a trash view); joined and Has relationships see their rows as with
// WithDeleted.
func (q *SelectQuery[T]) OnlyDeleted() *SelectQuery[T] { q.deleted = deletedOnly; return q }

// related returns what a query's joins and Has filters see.
func (rows deletedRows) related() deletedRows {
	if rows == deletedOnly {
		return allRows
	}
	return rows
}

// HardDelete marks a persistent object for a real DELETE by the next
// flush, even when its model is soft-deletable; the delete cascades it
// reaches are real deletes too. For other models it is Delete.
func (s *Session) HardDelete(obj any) { s.markDelete(obj, hardDelete) }

// softly reports whether a state marked for deletion is deleted softly.
func (st *state) softly() bool { return st.m.softDelete != nil && !st.hard }

// softCascades reports whether the deletion of st follows rule ru: a soft
// delete reaches, along a delete cascade that is not a many_to_many, only
// soft-deletable targets; a real one follows every rule.
func softCascades(st *state, ru rule) bool {
	if !st.softly() {
		return true
	}
	rb := ru.base()
	return rb.target.softDelete != nil && rb.r.Cascade.Has(relation.Delete) && rb.r.Side != relation.FKOnSecondary
}

// reloadsHidden reports whether the real deletion of st must select the
// targets of ru again, soft-deleted ones included: a loaded collection
// leaves them out, yet a real delete must reach them too (delete them, or
// clear their key) so that no row is left referring to a deleted one.
func reloadsHidden(st *state, ru rule) bool {
	rb := ru.base()
	r := rb.r
	return !st.softly() && rb.hidesDeleted() && r.Side == relation.FKOnTarget && st.isLoaded(rb.idx) &&
		!r.PassiveDeletes && (r.Cascade.Has(relation.Delete) || r.Nullable)
}

// hardenCascaded makes the deletions a real delete of st cascaded to real
// ones.
func hardenCascaded(st *state, marked []*state) {
	if st.deleting && !st.softly() {
		for _, c := range marked {
			c.hard = true
		}
	}
}

// splitSoft separates the states a delete batch deletes softly.
func splitSoft(m *model, states []*state) (hard, soft []*state) {
	if m.softDelete == nil {
		return states, nil
	}
	for _, st := range states {
		if st.softly() {
			soft = append(soft, st)
		} else {
			hard = append(hard, st)
		}
	}
	return hard, soft
}

// queueSoftDeletes queues one UPDATE setting the soft_delete column of the
// rows (keeping an earlier deletion's time), with the onupdate columns and
// the version; the values set are read back. With a version column it is
// asserted to touch every row.
func (f *flush) queueSoftDeletes(p *pipe, b *batch, states []*state) {
	m := b.m
	ts := f.s.db.sql[m.id]
	ret := ts.softReturning()
	for _, st := range states {
		for _, c := range m.cols {
			if ret.has(c.pos) && !c.pk {
				f.overwrite(st, c)
			}
		}
	}
	plain, asserted := ts.softDeleteRows()
	s := step{sql: plain, args: keyArrays(m, states), what: "soft " + m.deleteWhat, batch: b,
		rows: func(rows pgx.Rows) error { return matchByKey(rows, m, ret, states) }}
	if asserted != "" {
		s.asserted, s.expect = asserted, len(states)
		s.stale = &StaleDataError{Table: m.table.Name, Op: "delete", Expected: len(states)}
	}
	p.add(s)
}

// softReturning lists what a soft delete reads back: the key, the
// soft_delete column, the version and the onupdate columns.
func (ts *tableSQL) softReturning() colSet {
	m := ts.m
	ret := withKeyCols(m, colSet{})
	ret.add(m.softDelete.pos)
	for _, c := range m.onUpdate {
		ret.add(c.pos)
	}
	if m.version != nil {
		ret.add(m.version.pos)
	}
	return ret
}

// WithDeleted lets the UPDATE change soft-deleted rows too.
func (q *UpdateQuery[T]) WithDeleted() *UpdateQuery[T] { q.deleted = allRows; return q }

// WithDeleted makes the DELETE reach soft-deleted rows too: with Hard, to
// remove them for good (a purge).
func (q *DeleteQuery[T]) WithDeleted() *DeleteQuery[T] { q.deleted = allRows; return q }

// Hard makes the DELETE of a soft-deletable model remove the rows instead
// of setting their soft_delete column. Without it, the statement is
// UPDATE … SET deleted_at = now() of the rows not deleted yet.
func (q *DeleteQuery[T]) Hard() *DeleteQuery[T] { q.hard = true; return q }

// liveFilter returns f with the condition that leaves out soft-deleted
// rows, unless the statement sees them.
func (db *DB) liveFilter(m *model, f filter, rows deletedRows) *filter {
	if cond := db.liveCond(m, db.sql[m.id].table, rows); cond != "" {
		f = filter{conds: append(f.conds[:len(f.conds):len(f.conds)], SQL(cond)), args: append(f.args[:len(f.args):len(f.args)], nil)}
	}
	return &f
}

// softDeleteHead is the UPDATE … SET of a statement-level soft delete.
func (ts *tableSQL) softDeleteHead() string {
	m := ts.m
	set := ts.cols[m.softDelete.pos] + " = COALESCE(" + ts.table + "." + ts.cols[m.softDelete.pos] + ", now())"
	for _, c := range m.onUpdate {
		set += ", " + ts.cols[c.pos] + " = " + c.OnUpdate
	}
	if v := m.version; v != nil {
		set += ", " + ts.cols[v.pos] + " = " + ts.table + "." + ts.cols[v.pos] + " + 1"
	}
	return "UPDATE " + ts.table + " SET " + set
}

// softDeleteRows is UPDATE t SET deleted_at = COALESCE(deleted_at, now())
// … FROM unnest(keys…, versions) AS v WHERE t.pk = v._1 … RETURNING ….
func (ts *tableSQL) softDeleteRows() (plain, asserted string) {
	m := ts.m
	casts, ret := ts.keyCasts(), ts.softReturning()
	plain = ts.cached(stmtKey{form: formSoftDelete}, func() string {
		return ts.softDeleteHead() + " FROM " + ts.unnestSource(casts, "v", unnumbered) +
			" WHERE " + ts.keyJoin(0) + ts.returning(ret, ts.table+".")
	})
	if m.version == nil {
		return plain, ""
	}
	asserted = ts.cached(stmtKey{form: formSoftDelete, n: -1}, func() string {
		return ts.assertRows(plain, ret, len(casts)+1)
	})
	return plain, asserted
}
