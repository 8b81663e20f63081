package orm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"unsafe"

	"github.com/jackc/pgx/v5"
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
	limit := 2
	if q.limit >= 0 && q.limit < 2 {
		limit = q.limit
	}
	out, err := q.run(ctx, limit, nil)
	switch {
	case err != nil:
	case len(out) == 0:
		err = ErrNotFound
	case len(out) > 1:
		err = ErrMultipleRows
	default:
		return out[0], nil
	}
	return nil, fmt.Errorf("query %s: %w", q.name(), err)
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
// order, limit and offset).
func (q *SelectQuery[T]) Count(ctx context.Context) (int64, error) {
	var n int64
	err := q.scalar(ctx, "count(*)", &n)
	return n, err
}

// Exists reports whether any row matches the query's conditions.
func (q *SelectQuery[T]) Exists(ctx context.Context) (bool, error) {
	var ok bool
	err := q.scalar(ctx, "EXISTS(SELECT 1)", &ok)
	return ok, err
}

func (q *SelectQuery[T]) scalar(ctx context.Context, what string, dst any) error {
	order, lock := q.order, q.lock
	q.order, q.lock = nil, ""
	sql, args, err := q.build(what, -1)
	q.order, q.lock = order, lock
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
		_, err := q.run(ctx, q.limit, func(p unsafe.Pointer) bool {
			if !yield((*T)(p), nil) {
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
func (q *SelectQuery[T]) run(ctx context.Context, limit int, each func(unsafe.Pointer) bool) ([]*T, error) {
	sql, args, err := q.build("", limit)
	if err != nil {
		return nil, err
	}
	var jp *joinPlan // to-one relationships loaded in this statement (load.go)
	if each == nil && q.lock == "" {
		if jp, err = planJoins(q.s, q.m, q.loads); err != nil {
			return nil, err
		}
	}
	if jp != nil {
		sql = jp.wrap(sql, string(q.renderOrder(nil, q.s.db.sql[q.m.id])))
	}
	if err := q.prepare(ctx); err != nil {
		return nil, err
	}
	sc := newScanner(q.s, q.m, q.refresh)
	sc.track, sc.copy = each == nil, typedCopy[T]
	var out []*T
	if limit > 0 && each == nil {
		out = make([]*T, 0, min(limit, 1024))
		q.s.loaded = slices.Grow(q.s.loaded, cap(out))
	}
	err = q.s.query(ctx, sql, args, func(rows pgx.Rows) error {
		for rows.Next() {
			next := sc.next
			if jp != nil {
				next = func(rows pgx.Rows) (unsafe.Pointer, error) { return jp.next(&sc, rows) }
			}
			p, err := next(rows)
			if err != nil {
				return err
			}
			if each != nil {
				if !each(p) {
					return errStop
				}
				continue
			}
			out = append(out, (*T)(p))
		}
		return nil
	})
	sc.done() // before the loaders, which look objects up
	if errors.Is(err, errStop) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if jp != nil {
		objs := make([]unsafe.Pointer, len(out))
		for i, o := range out {
			objs[i] = unsafe.Pointer(o)
		}
		return out, jp.finish(ctx, objs)
	}
	return out, q.afterLoad(ctx, out)
}

// prepare flushes (autoflush) and, for a locking query, begins the
// transaction.
func (q *SelectQuery[T]) prepare(ctx context.Context) error {
	if q.s.closed {
		return ErrSessionClosed
	}
	if q.s.autoflush {
		if err := q.s.flush(ctx, false); err != nil {
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
	objs := make([]unsafe.Pointer, len(out))
	for i, o := range out {
		objs[i] = unsafe.Pointer(o)
	}
	return q.s.afterQuery(ctx, q.m, objs, q.loads)
}

func (q *SelectQuery[T]) name() string {
	if q.m == nil {
		return "?"
	}
	return q.m.table.Name
}
