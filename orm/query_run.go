package orm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// All runs the query and returns every row as an object of the session:
// rows it already holds come back as the held pointers (see Refresh), the
// others are added to its identity map. Pending changes are flushed first
// unless autoflush is off.
func (q *SelectQuery[T]) All(ctx context.Context) ([]*T, error) {
	out, err := q.run(ctx, q.limit, nil)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q.name(), err)
	}
	return out, nil
}

// One returns the only row: ErrNotFound when there is none and
// ErrMultipleRows when there are several.
func (q *SelectQuery[T]) One(ctx context.Context) (*T, error) {
	out, err := q.run(ctx, oneLimit(q.limit), nil)
	var one *T
	if err == nil {
		one, err = oneOf(out)
	}
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q.name(), err)
	}
	return one, nil
}

// oneLimit is the LIMIT of a One: 2, to tell one row from several, unless
// the query's own is lower.
func oneLimit(limit int) int {
	if limit >= 0 && limit < 2 {
		return limit
	}
	return 2
}

// oneOf returns the only element of out: ErrNotFound when there is none,
// ErrMultipleRows when there are several.
func oneOf[T any](out []*T) (*T, error) {
	switch {
	case len(out) == 0:
		return nil, ErrNotFound
	case len(out) > 1:
		return nil, ErrMultipleRows
	}
	return out[0], nil
}

// First returns the first row in the query's order, or ErrNotFound.
func (q *SelectQuery[T]) First(ctx context.Context) (*T, error) {
	out, err := q.run(ctx, 1, nil)
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", q.name(), err)
	}
	return out[0], nil
}

// Count returns the number of rows the query's conditions match (ignoring
// order, limit and offset); with GroupBy, the number of groups.
func (q *SelectQuery[T]) Count(ctx context.Context) (int64, error) {
	var n int64
	err := q.scalar(ctx, "count(*)", &n)
	return n, err
}

// Exists reports whether any row matches the query's conditions.
func (q *SelectQuery[T]) Exists(ctx context.Context) (bool, error) {
	var ok bool
	err := q.scalar(ctx, "EXISTS", &ok)
	return ok, err
}

// scalar runs SELECT count(*) or SELECT EXISTS over the query's rows.
func (q *selectCore) scalar(ctx context.Context, what string, dst any) error {
	sel := what
	if what == "EXISTS" || len(q.group) > 0 {
		sel = "1"
	}
	sql, args, err := q.build(stmt{sel: func(w *sqlw) error { w.str(sel); return nil }, limit: -1, bare: true})
	switch {
	case err != nil:
	case what == "EXISTS":
		sql = "SELECT EXISTS (" + sql + ")"
	case len(q.group) > 0:
		sql = "SELECT count(*) FROM (" + sql + ") AS g"
	}
	if err == nil {
		err = q.prepare(ctx)
	}
	if err == nil {
		err = q.s.query(ctx, sql, args, func(rows pgx.Rows) error {
			if rows.Next() {
				return rows.Scan(dst)
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("query %s: %w", q.name(), err)
	}
	return nil
}

// Iter runs the query and streams its rows without holding them all: each
// row is scanned as it arrives and yielded. A row the session already
// holds is yielded as the held object; the others are NOT added to the
// session (so that a large result never accumulates in memory), which
// means changes to them are not tracked: use All, or bulk Update, to
// change rows. Stop early by breaking out of the loop; an error is yielded
// once, with a nil object.
func (q *SelectQuery[T]) Iter(ctx context.Context) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		stopped := false
		_, err := q.run(ctx, q.limit, func(p mem.Ptr) bool {
			if !yield(mem.As[T](p), nil) {
				stopped = true
			}
			return !stopped
		})
		if err != nil && !stopped {
			yield(nil, fmt.Errorf("query %s: %w", q.name(), err))
		}
	}
}

// errStop ends a streaming query early.
var errStop = errors.New("stop")

// run executes the query; with each set, rows are passed to it untracked
// instead of being collected.
func (q *SelectQuery[T]) run(ctx context.Context, limit int, each func(mem.Ptr) bool) ([]*T, error) {
	return q.runStmt(ctx, stmt{limit: limit}, each)
}

// runStmt executes the query built from st.
func (q *SelectQuery[T]) runStmt(ctx context.Context, st stmt, each func(mem.Ptr) bool) ([]*T, error) {
	sql, args, err := q.build(st)
	if err != nil {
		return nil, err
	}
	limit := st.limit
	var jp *joinPlan // to-one relationships loaded in this statement (load.go)
	if each == nil && q.lock == "" && q.rootOrder() {
		if jp, err = planJoins(q.s, q.m, q.loads); err != nil {
			return nil, err
		}
	}
	if jp != nil {
		keys, _ := q.orderKeys(q.scope())
		sql = jp.wrap(sql, renderOrder(keys))
	}
	if err := q.prepare(ctx); err != nil {
		return nil, err
	}
	out, err := q.scanRows(ctx, sql, args, limit, jp, each)
	if err != nil || each != nil {
		return nil, err
	}
	if jp != nil {
		objs := make([]mem.Ptr, len(out))
		for i, o := range out {
			objs[i] = mem.Of(o)
		}
		err = jp.finish(ctx, objs, q.held)
	} else {
		err = q.afterLoad(ctx, out)
	}
	if err == nil {
		err = q.s.afterLoad(ctx)
	}
	return out, err
}

// scanRows runs the statement and scans its rows into the session's
// objects (through jp when it joins to-one relationships); with each set,
// rows are passed to it untracked instead of being collected.
func (q *SelectQuery[T]) scanRows(ctx context.Context, sql string, args []any, limit int, jp *joinPlan, each func(mem.Ptr) bool) ([]*T, error) {
	sc := newScanner(q.s, q.m, q.held)
	sc.track, sc.copy = each == nil, typedCopy[T]
	next := sc.next
	if jp != nil {
		next = func(rows pgx.Rows) (mem.Ptr, error) { return jp.next(&sc, rows) }
	}
	var out []*T
	if limit > 0 && each == nil {
		out = make([]*T, 0, min(limit, 1024))
		q.s.loaded = slices.Grow(q.s.loaded, cap(out))
	}
	err := q.s.query(ctx, sql, args, func(rows pgx.Rows) error {
		for rows.Next() {
			p, err := next(rows)
			switch {
			case err != nil:
				return err
			case each == nil:
				out = append(out, mem.As[T](p))
				continue
			}
			if err := q.s.afterLoad(ctx); err != nil {
				return err
			}
			if !each(p) {
				return errStop
			}
		}
		return nil
	})
	sc.done() // before the loaders, which look objects up
	if errors.Is(err, errStop) {
		err = nil
	}
	return out, err
}

// prepare flushes (autoflush) and, for a locking query, begins the
// transaction.
func (q *selectCore) prepare(ctx context.Context) error {
	if q.s.closed {
		return ErrSessionClosed
	}
	if q.s.autoflush {
		if err := q.s.flush(ctx, keepTx); err != nil {
			return fmt.Errorf("autoflush: %w", err)
		}
	}
	if q.lock != "" {
		q.s.ensureTx().eager = true
	}
	return nil
}

// afterLoad hands the results to the relationship loader when the query
// asked for relationships or the model loads some eagerly.
func (q *SelectQuery[T]) afterLoad(ctx context.Context, out []*T) error {
	if len(out) == 0 || (len(q.loads) == 0 && !q.m.eager) {
		return nil
	}
	objs := make([]mem.Ptr, len(out))
	for i, o := range out {
		objs[i] = mem.Of(o)
	}
	return q.s.afterQuery(ctx, q.m, objs, q.loads, q.held)
}

// rootOrder reports whether every OrderBy key is a column of the query's
// own table, which the joined loading's outer query can sort by again.
func (q *selectCore) rootOrder() bool {
	for _, k := range q.order {
		if strings.Contains(k, ".") {
			return false
		}
	}
	return true
}

func (q *selectCore) name() string {
	if q.m == nil {
		return "?"
	}
	return q.m.table.Name
}
