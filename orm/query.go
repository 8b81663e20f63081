package orm

import (
	"fmt"
	"strconv"
	"strings"
)

// SelectQuery is a typed SELECT of model T, built by [Query]. Its methods
// add to the query and return it; the first mistake (an unknown column, a
// placeholder count that does not match) is kept and returned by the
// method that runs the query (All, One, First, Count, Exists, Iter). A
// SelectQuery belongs to its session and is not safe for concurrent use.
type SelectQuery[T any] struct {
	s       *Session
	m       *model
	err     error
	filter  filter
	order   []orderKey
	limit   int // -1: none
	offset  int
	lock    string
	refresh bool
	loads   []loadPath
}

// filter is a list of conditions joined with AND.
type filter struct {
	conds []SQL
	args  [][]any
}

type orderKey struct {
	col  *column
	desc bool
}

// Query starts a SELECT of the rows of T's table in session s.
func Query[T any](s *Session) *SelectQuery[T] {
	m, err := modelFor[T](s.db.reg)
	q := &SelectQuery[T]{s: s, m: m, limit: -1}
	if err != nil {
		q.err = fmt.Errorf("query: %w", err)
	}
	return q
}

// Where adds a condition, ANDed with the others. cond is SQL with ?
// placeholders, one per argument; ?? stands for a literal ? (the jsonb
// operators). Column names may be written plainly or quoted. To match a
// list, bind a slice: Where("id = ANY(?)", ids).
func (q *SelectQuery[T]) Where(cond SQL, args ...any) *SelectQuery[T] {
	q.filter.conds = append(q.filter.conds, cond)
	q.filter.args = append(q.filter.args, args)
	return q
}

// OrderBy sorts by the given fields or columns of T (Go field names or
// column names), each descending when prefixed with "-". Names are checked
// against the model; an unknown one fails the query with ErrUnknownColumn.
func (q *SelectQuery[T]) OrderBy(keys ...string) *SelectQuery[T] {
	for _, k := range keys {
		desc := strings.HasPrefix(k, "-")
		name := strings.TrimPrefix(k, "-")
		c := q.m.lookupSafe(name)
		if c == nil {
			q.keep(fmt.Errorf("order by %q: %w", name, ErrUnknownColumn))
			continue
		}
		q.order = append(q.order, orderKey{c, desc})
	}
	return q
}

// Limit caps the number of rows.
func (q *SelectQuery[T]) Limit(n int) *SelectQuery[T] { q.limit = n; return q }

// Offset skips the first n rows.
func (q *SelectQuery[T]) Offset(n int) *SelectQuery[T] { q.offset = n; return q }

// ForUpdate locks the selected rows (SELECT … FOR UPDATE) until the
// session's transaction ends; the transaction begins with this query.
func (q *SelectQuery[T]) ForUpdate() *SelectQuery[T] { q.lock = " FOR UPDATE"; return q }

// Refresh makes the query overwrite objects the session already holds with
// the loaded values, discarding their unflushed changes. Without it a held
// object with unflushed changes keeps them (and a clean one takes the
// loaded values).
func (q *SelectQuery[T]) Refresh() *SelectQuery[T] { q.refresh = true; return q }

// Load asks for relationships to be loaded with the results. Each string
// is a dotted path of relationship fields ("Posts.Comments"), loaded step
// by step with its default strategy (selectin for collections, joined for
// to-one); the [LoadOption] values after a path ([Where], [OrderBy])
// filter and order its last step. One statement per step, whatever the
// number of rows. A path naming no relationship fails the query with
// ErrNoRelation, any other argument with ErrLoadArg.
func (q *SelectQuery[T]) Load(args ...any) *SelectQuery[T] {
	return q.load(args, false)
}

// LoadJoined is Load with the joined strategy.
func (q *SelectQuery[T]) LoadJoined(args ...any) *SelectQuery[T] {
	return q.load(args, true)
}

func (q *SelectQuery[T]) load(args []any, joined bool) *SelectQuery[T] {
	paths, err := parseLoads(args, joined)
	if err != nil {
		q.keep(fmt.Errorf("load: %w", err))
	}
	for _, p := range paths {
		if q.m != nil {
			if _, err := q.s.db.reg.rels.Path(q.m.table, p.path); err != nil {
				q.keep(fmt.Errorf("load: %w", err))
				continue
			}
		}
		q.loads = append(q.loads, p)
	}
	return q
}

func (q *SelectQuery[T]) keep(err error) {
	if q.err == nil {
		q.err = err
	}
}

// lookupSafe is lookup on a possibly nil model.
func (m *model) lookupSafe(name string) *column {
	if m == nil {
		return nil
	}
	return m.lookup(name)
}

// build renders the statement: what is the select list ("" for the model's
// columns).
func (q *SelectQuery[T]) build(what string, limit int) (string, []any, error) {
	if q.err != nil {
		return "", nil, q.err
	}
	ts := q.s.db.sql[q.m.id]
	if what == "" {
		what = ts.list
	}
	buf := make([]byte, 0, 128+len(what))
	buf = append(buf, "SELECT "...)
	buf = append(buf, what...)
	buf = append(buf, " FROM "...)
	buf = append(buf, ts.table...)
	buf, args, next, err := q.filter.render(buf, 1)
	if err != nil {
		return "", nil, err
	}
	buf = q.renderOrder(buf, ts)
	if limit >= 0 {
		buf = append(buf, " LIMIT $"+strconv.Itoa(next)...)
		args, next = append(args, limit), next+1
	}
	if q.offset > 0 {
		buf = append(buf, " OFFSET $"+strconv.Itoa(next)...)
		args = append(args, q.offset)
	}
	buf = append(buf, q.lock...)
	return string(buf), args, nil
}

// render appends " WHERE (c1) AND (c2)" with placeholders numbered from
// next, checking each condition's placeholder count.
func (f *filter) render(buf []byte, next int) ([]byte, []any, int, error) {
	var args []any
	for i, c := range f.conds {
		if i == 0 {
			buf = append(buf, " WHERE ("...)
		} else {
			buf = append(buf, " AND ("...)
		}
		first := next
		var err error
		buf, next, err = rewrite(buf, string(c), next)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("where %q: %w", c, err)
		}
		if next-first != len(f.args[i]) {
			return nil, nil, 0, fmt.Errorf("where %q: %d placeholders, %d arguments: %w", c, next-first, len(f.args[i]), ErrPlaceholders)
		}
		buf = append(buf, ')')
		args = append(args, f.args[i]...)
	}
	return buf, args, next, nil
}

func (q *SelectQuery[T]) renderOrder(buf []byte, ts *tableSQL) []byte {
	for i, o := range q.order {
		if i == 0 {
			buf = append(buf, " ORDER BY "...)
		} else {
			buf = append(buf, ", "...)
		}
		buf = append(buf, ts.table+"."+ts.cols[o.col.pos]...)
		if o.desc {
			buf = append(buf, " DESC"...)
		}
	}
	return buf
}
