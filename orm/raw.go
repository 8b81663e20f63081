package orm

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// RawQuery is a query written in SQL whose rows are scanned into T by
// column name, built by [Raw].
type RawQuery[T any] struct {
	s    *Session
	m    *model
	err  error
	sql  SQL
	args []any
}

// Raw runs a SELECT written in SQL (with ? placeholders) and scans its
// rows into T, matching result columns to T's columns by name; a result
// column T does not map is an error. When the result has every column of T,
// the objects join the session's identity map like those of a Query;
// otherwise they are returned untracked (partial objects never enter the
// map).
func Raw[T any](s *Session, sql SQL, args ...any) *RawQuery[T] {
	m, err := modelFor[T](s.db.reg)
	return &RawQuery[T]{s: s, m: m, err: err, sql: sql, args: args}
}

// All runs the query and returns every row.
func (q *RawQuery[T]) All(ctx context.Context) ([]*T, error) {
	if q.err != nil {
		return nil, fmt.Errorf("raw: %w", q.err)
	}
	buf, next, err := rewrite(nil, string(q.sql), 1)
	if err == nil && next-1 != len(q.args) {
		err = fmt.Errorf("%d placeholders, %d arguments: %w", next-1, len(q.args), ErrPlaceholders)
	}
	if err == nil && q.s.autoflush {
		err = q.s.flush(ctx, false)
	}
	if err != nil {
		return nil, fmt.Errorf("raw %s: %w", q.m, err)
	}
	var out []*T
	err = q.s.query(ctx, string(buf), q.args, func(rows pgx.Rows) error {
		var e error
		out, e = scanByName[T](q.s, q.m, rows)
		return e
	})
	if err != nil {
		return nil, fmt.Errorf("raw %s: %w", q.m, err)
	}
	return out, nil
}

// One returns the only row, ErrNotFound or ErrMultipleRows.
func (q *RawQuery[T]) One(ctx context.Context) (*T, error) {
	out, err := q.All(ctx)
	switch {
	case err != nil:
		return nil, err
	case len(out) == 0:
		return nil, fmt.Errorf("raw %s: %w", q.m, ErrNotFound)
	case len(out) > 1:
		return nil, fmt.Errorf("raw %s: %w", q.m, ErrMultipleRows)
	}
	return out[0], nil
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
			obj = s.persist(m, obj, false)
		}
		out = append(out, (*T)(obj))
	}
	return out, nil
}

// Exec runs a statement written in SQL (with ? placeholders) in the
// session's transaction, after an autoflush, and returns the number of
// rows it affected. The session's objects do not see its effects: Refresh
// them, or use Update and Delete, which keep them in line.
func (s *Session) Exec(ctx context.Context, sql SQL, args ...any) (int64, error) {
	buf, next, err := rewrite(nil, string(sql), 1)
	if err == nil && next-1 != len(args) {
		err = fmt.Errorf("%d placeholders, %d arguments: %w", next-1, len(args), ErrPlaceholders)
	}
	if err == nil && s.autoflush {
		err = s.flush(ctx, false)
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
