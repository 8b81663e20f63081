package orm

import (
	"fmt"
	"slices"
	"strings"
)

// SelectQuery is a typed SELECT of model T, built by [Query]. Its methods
// add to the query and return it; the first mistake (an unknown field, a
// placeholder count that does not match) is kept and returned by the
// method that runs the query (All, One, First, Count, Exists, Iter, Page),
// before anything is sent. A SelectQuery belongs to its session and is not
// safe for concurrent use.
type SelectQuery[T any] struct {
	selectCore
}

// selectCore is the state of a SELECT, shared by a model query and the
// projections built on it.
type selectCore struct {
	s       *Session
	m       *model
	err     error
	filter  filter
	exists  []existsCond
	joins   []*qjoin
	group   []any // GroupBy items: field paths or Expressions
	having  filter
	order   []string // OrderBy keys, resolved when the query is built
	limit   int      // -1: none
	offset  int
	lock    string
	held    onHeld
	loads   []loadPath
	deleted deletedRows // soft-deleted rows seen (softdelete.go)
}

// filter is a list of conditions joined with AND.
type filter struct {
	conds []SQL
	args  [][]any
}

func (f *filter) add(cond SQL, args []any) {
	f.conds = append(f.conds, cond)
	f.args = append(f.args, args)
}

// orderKey is a resolved OrderBy key: a qualified column or a result
// column's quoted name.
type orderKey struct {
	ref  string
	col  *column // nil for a result column
	desc bool
}

// Query starts a SELECT of the rows of T's table in session s.
func Query[T any](s *Session) *SelectQuery[T] {
	m, err := modelFor[T](s.db.reg)
	q := &SelectQuery[T]{selectCore{s: s, m: m, limit: -1}}
	if err != nil {
		q.err = fmt.Errorf("query: %w", err)
	}
	return q
}

// Where adds a condition, ANDed with the others. cond is SQL with ?
// placeholders, one per argument; ?? stands for a literal ? (the jsonb
// operators). Column names may be written plainly or quoted, or given as
// an [Expression] argument, written in place and checked against the
// models: Where("? > ?", Col("Books.Pages"), 100). To match a list, bind
// a slice: Where("id = ANY(?)", ids).
func (q *SelectQuery[T]) Where(cond SQL, args ...any) *SelectQuery[T] {
	q.filter.add(cond, args)
	return q
}

// OrderBy sorts by the given field paths (Go field or column names of T,
// or "Rel.Field" of a joined relationship; in a [Select], also the name of
// a result column), each descending when prefixed with "-". Names are
// checked against the model; an unknown one fails the query with
// ErrUnknownColumn.
func (q *SelectQuery[T]) OrderBy(keys ...string) *SelectQuery[T] {
	q.order = append(q.order, keys...)
	return q
}

// Limit caps the number of rows (the page size of Page).
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
func (q *SelectQuery[T]) Refresh() *SelectQuery[T] { q.held = takeRow; return q }

// Load asks for relationships to be loaded with the results. Each string
// is a dotted path of relationship fields ("Posts.Comments"), loaded step
// by step with its default strategy (selectin for collections, joined for
// to-one); the [LoadOption] values after a path ([Where], [OrderBy])
// filter and order its last step. One statement per step, whatever the
// number of rows. A path naming no relationship fails the query with
// ErrNoRelation, any other argument with ErrLoadArg.
func (q *SelectQuery[T]) Load(args ...any) *SelectQuery[T] {
	return q.load(args, selectLoad)
}

// LoadJoined is Load with the joined strategy.
func (q *SelectQuery[T]) LoadJoined(args ...any) *SelectQuery[T] {
	return q.load(args, joinLoad)
}

func (q *SelectQuery[T]) load(args []any, style loadStyle) *SelectQuery[T] {
	paths, err := parseLoads(args, style)
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

// Join joins the relationship path ("Books", "Posts.Tags": each step not
// joined yet is joined too) with an inner join: rows without a related row
// are left out, and a collection repeats the row once per related row. Its
// fields can then be named "Rel.Field" in Select, GroupBy, OrderBy and
// [Col]; in SQL text its alias is the snake_case path ("books",
// "posts__tags"). [Where] options filter the joined rows; their conditions
// read the related table's columns unqualified. A path naming no
// relationship fails the query with ErrNoRelation.
func (q *SelectQuery[T]) Join(path string, opts ...LoadOption) *SelectQuery[T] {
	q.addJoin(path, innerJoin, opts)
	return q
}

// LeftJoin is Join with a LEFT OUTER JOIN: rows without a related row (or
// without one matching the options) are kept, with NULL related columns.
func (q *SelectQuery[T]) LeftJoin(path string, opts ...LoadOption) *SelectQuery[T] {
	q.addJoin(path, leftJoin, opts)
	return q
}

// Has keeps the rows that have at least one related row along the
// relationship path, matching the [Where] options when given (whose
// conditions read the last related table's columns unqualified): users
// who have a post tagged "go" are
// Query[User](s).Has("Posts.Tags", Where("name = ?", "go")). It is a
// correlated EXISTS, so rows are never repeated.
func (q *SelectQuery[T]) Has(path string, opts ...LoadOption) *SelectQuery[T] {
	q.addExists(path, hasSome, opts)
	return q
}

// HasNo keeps the rows that have no related row along the path (matching
// the options): NOT EXISTS.
func (q *SelectQuery[T]) HasNo(path string, opts ...LoadOption) *SelectQuery[T] {
	q.addExists(path, hasNone, opts)
	return q
}

// GroupBy groups the rows by field paths (strings, checked like OrderBy's)
// or [Expression] values, for the aggregates of a [Select].
func (q *SelectQuery[T]) GroupBy(keys ...any) *SelectQuery[T] {
	for _, k := range keys {
		switch k.(type) {
		case string, Expression:
			q.group = append(q.group, k)
		default:
			q.keep(fmt.Errorf("group by %T: %w", k, ErrSelectItem))
		}
	}
	return q
}

// Having adds a condition on the groups, ANDed with the others, written
// like Where's: Having("? > ?", Count("Books.ID"), 1).
func (q *SelectQuery[T]) Having(cond SQL, args ...any) *SelectQuery[T] {
	q.having.add(cond, args)
	return q
}

func (q *selectCore) keep(err error) {
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

// scope returns the field path resolver of the query.
func (q *selectCore) scope() *scope {
	return &scope{db: q.s.db, m: q.m, qual: q.s.db.sql[q.m.id].table, joins: q.joins, rows: q.deleted.related()}
}

// stmt says how to build a query's statement.
type stmt struct {
	sel   func(w *sqlw) error // writes the select list; nil for the model's columns
	names []string            // result column names a projection may order by
	limit int                 // -1: none
	bare  bool                // no ORDER BY, LIMIT, OFFSET or lock (Count, Exists)
	extra *filter             // conditions added to the query's (keyset)
}

// build renders the statement.
func (q *selectCore) build(st stmt) (string, []any, error) {
	if q.err != nil {
		return "", nil, q.err
	}
	ts := q.s.db.sql[q.m.id]
	sc := q.scope()
	sc.names = st.names
	w := &sqlw{buf: make([]byte, 0, 256), sc: sc, q: q.s.db.dialect, reg: q.s.db.reg}
	w.str("SELECT ")
	if st.sel == nil {
		w.str(ts.list)
	} else if err := st.sel(w); err != nil {
		return "", nil, err
	}
	w.str(" FROM " + ts.table)
	if err := sc.renderJoins(w); err != nil {
		return "", nil, err
	}
	if err := q.renderWhere(w, st.extra); err != nil {
		return "", nil, err
	}
	if err := q.renderGroup(w); err != nil {
		return "", nil, err
	}
	if st.bare {
		return string(w.buf), w.args, nil
	}
	keys, err := q.orderKeys(sc)
	if err != nil {
		return "", nil, err
	}
	w.str(renderOrder(keys))
	if st.limit >= 0 {
		w.str(" LIMIT ")
		w.bind(st.limit)
	}
	if q.offset > 0 {
		w.str(" OFFSET ")
		w.bind(q.offset)
	}
	w.str(q.lock)
	return string(w.buf), w.args, nil
}

// renderWhere writes the conditions, the Has filters and extra.
func (q *selectCore) renderWhere(w *sqlw, extra *filter) error {
	lead, err := w.conds(&q.filter, " WHERE ")
	if err != nil {
		return err
	}
	if live := q.s.db.liveCond(q.m, w.sc.qual, q.deleted); live != "" {
		w.str(lead + live)
		lead = " AND "
	}
	for i := range q.exists {
		w.str(lead)
		lead = " AND "
		if err := w.sc.renderExists(w, &q.exists[i], i+1); err != nil {
			return fmt.Errorf("has: %w", err)
		}
	}
	if extra != nil {
		_, err = w.conds(extra, lead)
	}
	return err
}

// renderGroup writes GROUP BY and HAVING.
func (q *selectCore) renderGroup(w *sqlw) error {
	for i, k := range q.group {
		if i == 0 {
			w.str(" GROUP BY ")
		} else {
			w.str(", ")
		}
		e, ok := k.(Expression)
		if !ok {
			e = Col(k.(string))
		}
		if err := e.render(w); err != nil {
			return fmt.Errorf("group by: %w", err)
		}
	}
	if _, err := w.conds(&q.having, " HAVING "); err != nil {
		return fmt.Errorf("having: %w", err)
	}
	return nil
}

// orderKeys resolves the OrderBy keys: field paths, then result columns.
func (q *selectCore) orderKeys(sc *scope) ([]orderKey, error) {
	keys := make([]orderKey, 0, len(q.order))
	for _, k := range q.order {
		name := strings.TrimPrefix(k, "-")
		ref, c, err := sc.column(name)
		if err != nil && slices.Contains(sc.names, name) {
			ref, err = q.s.db.dialect.QuoteIdent(name)
		}
		if err != nil {
			return nil, fmt.Errorf("order by %w", err)
		}
		keys = append(keys, orderKey{ref: ref, col: c, desc: strings.HasPrefix(k, "-")})
	}
	return keys, nil
}

func renderOrder(keys []orderKey) string {
	var b strings.Builder
	for i, k := range keys {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(k.ref)
		if k.desc {
			b.WriteString(" DESC")
		}
	}
	return b.String()
}

// render appends " WHERE (c1) AND (c2)" with placeholders numbered from
// next, checking each condition's placeholder count, the values bound as
// reg converts them. Without a model in scope, an Expression argument
// fails.
func (f *filter) render(buf []byte, next int, reg *Registry) ([]byte, []any, int, error) {
	return f.write(&sqlw{buf: buf, args: make([]any, next-1, next-1+len(f.conds)), reg: reg}, next)
}

// renderIn is render with the field paths of Expression arguments
// resolved in sc.
func (f *filter) renderIn(buf []byte, next int, sc *scope) ([]byte, []any, int, error) {
	return f.write(&sqlw{buf: buf, args: make([]any, next-1, next-1+len(f.conds)), sc: sc, reg: sc.db.reg}, next)
}

// write writes f's conditions with w, whose arguments before the first
// placeholder's (next) are left out of the returned ones.
func (f *filter) write(w *sqlw, next int) ([]byte, []any, int, error) {
	if _, err := w.conds(f, " WHERE "); err != nil {
		return nil, nil, 0, err
	}
	return w.buf, w.args[next-1:], len(w.args) + 1, nil
}
