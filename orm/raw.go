package orm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// RawQuery is a query written in SQL whose rows are scanned into T by
// column name, built by [Raw].
type RawQuery[T any] struct {
	s    *Session
	m    *model // nil when T is not a registered model
	sql  SQL
	args []any
}

// Raw runs a SELECT written in SQL (with ? placeholders, as Where's, or
// with pgx's numbered $1, $2, … each used at least once, never both;
// checked against args before anything is sent) and
// scans its rows into T by column name. T may be a registered model: when
// the result has every column of T, the objects join the session's
// identity map like those of a Query; otherwise they are returned
// untracked (partial objects never enter the map). T may be any other
// struct: a result column goes to the field with a `db:"name"` tag, else
// to the field whose name matches ignoring case and underscores (UserID
// reads user_id), embedded structs included, as pgx's RowToStructByName
// matches them; fields without a column keep their zero value. T may also
// be a single-column type (int64, string, time.Time, an sql.Scanner). A
// result column that no field receives fails with ErrUnknownColumn. Rows
// of types that are not models are never tracked; scanning them costs no
// reflection after the first query of each (type, column names).
func Raw[T any](s *Session, sql SQL, args ...any) *RawQuery[T] {
	args, _ = s.db.reg.callerArgs(args)
	return &RawQuery[T]{s: s, m: s.db.reg.byType[reflect.TypeFor[T]()], sql: sql, args: args}
}

// All runs the query and returns every row.
func (q *RawQuery[T]) All(ctx context.Context) ([]*T, error) {
	var out []*T
	err := q.run(ctx, func(rows pgx.Rows) error {
		var err error
		if q.m != nil {
			out, err = scanByName[T](q.s, q.m, rows)
			return err
		}
		plan, err := q.s.db.reg.resultPlan(reflect.TypeFor[T](), resultNames(rows))
		if err == nil {
			out, err = collect[T](rows, plan, 0)
		}
		return err
	})
	if err == nil {
		if err = q.s.afterLoad(ctx); err != nil {
			err = fmt.Errorf("raw %s: %w", q.name(), err)
		}
	}
	return out, err
}

// One returns the only row, ErrNotFound or ErrMultipleRows.
func (q *RawQuery[T]) One(ctx context.Context) (*T, error) {
	out, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	one, err := oneOf(out)
	if err != nil {
		return nil, fmt.Errorf("raw %s: %w", q.name(), err)
	}
	return one, nil
}

// Iter runs the query and streams its rows, each scanned as it arrives;
// like [SelectQuery.Iter], rows are never added to the session (a model
// row the session holds is yielded as the held object). Break out of the
// loop to stop; an error is yielded once, with a nil row.
func (q *RawQuery[T]) Iter(ctx context.Context) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		stopped := false
		err := q.run(ctx, func(rows pgx.Rows) error {
			plan, err := q.s.db.reg.resultPlan(reflect.TypeFor[T](), resultNames(rows))
			if err != nil {
				return err
			}
			var hookErr error
			err = stream(rows, plan, func(r *T) bool {
				if q.m != nil && len(plan.fields) == len(q.m.cols) {
					if st := q.s.held(q.m, mem.Of(r)); st != nil {
						r = mem.As[T](st.obj)
					} else if q.m.hooks&hookAfterLoad != 0 {
						if hookErr = hookAfterLoad.call(ctx, q.m, mem.Of(r)); hookErr != nil {
							return false
						}
					}
				}
				stopped = !yield(r, nil)
				return !stopped
			})
			if hookErr != nil {
				return hookErr
			}
			return err
		})
		if err != nil && !stopped {
			yield(nil, err)
		}
	}
}

// run checks the placeholders, autoflushes and runs the query.
func (q *RawQuery[T]) run(ctx context.Context, fn func(pgx.Rows) error) error {
	buf, err := statement(string(q.sql), len(q.args))
	if err == nil && q.s.autoflush {
		err = q.s.flush(ctx, keepTx)
	}
	if err == nil {
		err = q.s.query(ctx, string(buf), q.args, fn)
	}
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("raw %s: %w", q.name(), err)
	}
	return nil
}

func (q *RawQuery[T]) name() string {
	if q.m != nil {
		return q.m.table.Name
	}
	return reflect.TypeFor[T]().String()
}

func scanByName[T any](s *Session, m *model, rows pgx.Rows) ([]*T, error) {
	fields := rows.FieldDescriptions()
	cols := make([]*column, len(fields))
	for i, fd := range fields {
		if cols[i] = m.column(fd.Name); cols[i] == nil {
			return nil, fmt.Errorf("result column %q: %w", fd.Name, ErrUnknownColumn)
		}
	}
	full := len(fields) == len(m.cols)
	dest := make([]any, len(cols))
	var out []*T
	for rows.Next() {
		obj := s.objChunk(m).next()
		for i, c := range cols {
			dest[i] = c.ptr(obj)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if full {
			obj = s.persist(m, obj, keepChanges)
		}
		out = append(out, mem.As[T](obj))
	}
	return out, nil
}

// Exec runs a statement written in SQL (with ? placeholders, or pgx's
// $1, $2, …; see Raw) in the
// session's transaction, after an autoflush, and returns the number of
// rows it affected. The session's objects do not see its effects: Refresh
// them, or use Update and Delete, which keep them in line.
func (s *Session) Exec(ctx context.Context, sql SQL, args ...any) (int64, error) {
	args, _ = s.db.reg.callerArgs(args)
	buf, err := statement(string(sql), len(args))
	if err == nil && s.autoflush {
		err = s.flush(ctx, keepTx)
	}
	if err == nil && s.closed {
		err = ErrSessionClosed
	}
	if err != nil {
		return 0, fmt.Errorf("exec: %w", err)
	}
	s.ensureTx().eager = true
	var n int64
	p := &pipe{s: s}
	p.add(step{sql: string(buf), args: args, what: "exec", exec: func(tag pgconn.CommandTag) error {
		n = tag.RowsAffected()
		return nil
	}})
	if err := p.run(ctx); err != nil {
		return 0, fmt.Errorf("exec: %w", s.failTx(err))
	}
	return n, nil
}
