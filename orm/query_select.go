package orm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"

	"github.com/jackc/pgx/v5"
)

// Projection is a SELECT of chosen columns or expressions of a model
// query, scanned into R by column name, built by [Select]. Its rows are
// plain values: they never enter the session's identity map, and changes
// to them are not tracked. The first mistake (an unknown field, an item
// no field of R receives) is returned by the method that runs it, before
// anything is sent.
type Projection[R any] struct {
	q     selectCore
	items []any
}

// Select turns a model query into a projection into R: each item is a
// field path ("Name", "Books.Title" of a joined relationship; its column
// keeps its name) or an [Expression] ([Col], [Count], [Sum], [Expr]…, named
// with As), and each result column goes to the field of R with that name
// (see [Raw] for the matching rules). Without items, Select picks the
// columns of T named like R's fields. The query's conditions, joins,
// Has filters, GroupBy, Having, OrderBy (which may also name a result
// column), Limit and Offset apply; its Load paths do not.
//
//	type AuthorStats struct {
//		Name  string
//		Books int64
//	}
//	stats, err := orm.Select[AuthorStats](
//		orm.Query[Author](s).LeftJoin("Books").GroupBy("ID").OrderBy("-books"),
//		"Name", orm.Count("Books.ID").As("books"),
//	).All(ctx)
//
// The select list is checked against the models and the scan plan is
// computed once per (R, column names), so scanning a row costs no
// reflection.
func Select[R any, T any](q *SelectQuery[T], items ...any) *Projection[R] {
	return &Projection[R]{q: q.selectCore, items: items}
}

// All runs the projection and returns every row.
func (p *Projection[R]) All(ctx context.Context) ([]*R, error) {
	var out []*R
	err := p.run(ctx, p.q.limit, func(rows pgx.Rows, plan *resultPlan) error {
		var err error
		out, err = collect[R](rows, plan, max(0, min(p.q.limit, 1024)))
		return err
	})
	return out, err
}

// One returns the only row: ErrNotFound when there is none and
// ErrMultipleRows when there are several.
func (p *Projection[R]) One(ctx context.Context) (*R, error) {
	return p.single(ctx, oneLimit(p.q.limit))
}

// First returns the first row in the query's order, or ErrNotFound.
func (p *Projection[R]) First(ctx context.Context) (*R, error) { return p.single(ctx, 1) }

func (p *Projection[R]) single(ctx context.Context, limit int) (*R, error) {
	var out []*R
	err := p.run(ctx, limit, func(rows pgx.Rows, plan *resultPlan) error {
		var err error
		out, err = collect[R](rows, plan, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	one, err := oneOf(out)
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", p.q.name(), err)
	}
	return one, nil
}

// Iter runs the projection and streams its rows: each is scanned as it
// arrives and yielded, so memory stays flat. Stop early by breaking out of
// the loop; an error is yielded once, with a nil row.
func (p *Projection[R]) Iter(ctx context.Context) iter.Seq2[*R, error] {
	return func(yield func(*R, error) bool) {
		stopped := false
		err := p.run(ctx, p.q.limit, func(rows pgx.Rows, plan *resultPlan) error {
			return stream(rows, plan, func(r *R) bool {
				stopped = !yield(r, nil)
				return !stopped
			})
		})
		if err != nil && !stopped {
			yield(nil, err)
		}
	}
}

// run builds the statement and the scan plan, then runs it.
func (p *Projection[R]) run(ctx context.Context, limit int, scan func(pgx.Rows, *resultPlan) error) error {
	q := &p.q
	var names []string
	sql, args, err := q.build(stmt{sel: func(w *sqlw) error {
		var err error
		names, err = p.selectList(w)
		w.sc.names = names
		return err
	}, limit: limit})
	var plan *resultPlan
	if err == nil {
		plan, err = q.s.db.reg.resultPlan(reflect.TypeFor[R](), names)
	}
	if err == nil {
		err = q.prepare(ctx)
	}
	if err == nil {
		err = q.s.query(ctx, sql, args, func(rows pgx.Rows) error { return scan(rows, plan) })
	}
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("select %s: %w", q.name(), err)
	}
	return nil
}

// selectList writes the items, each AS its name, and returns the names.
func (p *Projection[R]) selectList(w *sqlw) ([]string, error) {
	items := p.items
	if len(items) == 0 {
		var err error
		if items, err = p.defaultItems(); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(items))
	for i, it := range items {
		e, ok := it.(Expression)
		if s, isPath := it.(string); isPath {
			e, ok = Col(s), true
		}
		if !ok {
			return nil, fmt.Errorf("select item %T: %w", it, ErrSelectItem)
		}
		name, err := e.name(w.sc)
		if err != nil {
			return nil, fmt.Errorf("select: %w", err)
		}
		if i > 0 {
			w.str(", ")
		}
		if err := e.render(w); err != nil {
			return nil, fmt.Errorf("select: %w", err)
		}
		w.str(" AS ")
		if err := w.ident(name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// defaultItems picks the columns of the query's model that R's fields
// name; a field naming none is an error.
func (p *Projection[R]) defaultItems() ([]any, error) {
	t := reflect.TypeFor[R]()
	if scalarType(t) {
		return nil, fmt.Errorf("select into %s: name the column to select: %w", t, ErrSelectItem)
	}
	m := p.q.m
	cols := make([]structField, len(m.cols))
	for i, c := range m.cols {
		cols[i] = structField{col: c.Name, norm: normName(c.Name)}
	}
	var items []any
	for _, f := range p.q.s.db.reg.fieldsOf(t) {
		key := f.col
		if key == "" {
			key = f.name
		}
		j := matchField(cols, key)
		if j < 0 {
			return nil, fmt.Errorf("select into %s: field %s: %s has no such column: %w", t, f.name, m, ErrUnknownColumn)
		}
		items = append(items, m.cols[j].Name)
	}
	return items, nil
}
