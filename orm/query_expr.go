package orm

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrSelectItem is matched by the error of a [Select] or GroupBy item that
// is neither a field path (a string) nor an [Expression], and of an
// expression a result column cannot be named after (an [Expr] without As).
var ErrSelectItem = errors.New("bad select item")

// Expression is a piece of SQL built from checked parts, for the select
// list of a [Select], GroupBy keys, and as an argument of a condition (Where,
// Having, a Join or Has option), where it is written in place of its ?
// instead of being bound: a column of the query's model or of a joined
// relationship ([Col]), an aggregate over one ([Count], [Sum], [Avg], [Min],
// [Max], [CountAll]) or SQL written by the programmer ([Expr]). Field paths
// are checked against the models when the query is built; an unknown one
// fails the query with ErrUnknownColumn (or ErrNoRelation) before anything
// is sent. Expressions are immutable values.
type Expression struct {
	fn    string // aggregate function ("count"), "" for a column or SQL
	path  string // field path of a column or an aggregate's argument
	all   bool   // count(*)
	dist  bool   // aggregate over DISTINCT values
	sql   SQL    // an Expr's text
	args  []any  // an Expr's arguments
	alias string // As
}

// Col is the column of a field path: "Name" (the query's model) or
// "Books.Title" (a field of the relationship the query joined as
// "Books"). Go field names and column names are both accepted.
func Col(path string) Expression { return Expression{path: path} }

// Count is count(column) of a field path: the rows where it is not NULL.
func Count(path string) Expression { return Expression{fn: "count", path: path} }

// CountDistinct is count(DISTINCT column) of a field path.
func CountDistinct(path string) Expression { return Expression{fn: "count", path: path, dist: true} }

// CountAll is count(*): the rows of each group.
func CountAll() Expression { return Expression{fn: "count", all: true} }

// Sum is sum(column) of a field path.
func Sum(path string) Expression { return Expression{fn: "sum", path: path} }

// Avg is avg(column) of a field path.
func Avg(path string) Expression { return Expression{fn: "avg", path: path} }

// Min is min(column) of a field path.
func Min(path string) Expression { return Expression{fn: "min", path: path} }

// Max is max(column) of a field path.
func Max(path string) Expression { return Expression{fn: "max", path: path} }

// Expr is SQL written by the programmer, with ? placeholders for its
// arguments (bound, or written in place when they are Expressions:
// Expr("date_trunc('day', ?)", Col("CreatedAt"))). In a select list it
// must be named with As.
func Expr(sql SQL, args ...any) Expression { return Expression{sql: sql, args: args} }

// As names the expression's result column, which a [Select] matches to a
// field of its result struct (and OrderBy may name). The name is quoted
// as an identifier, never spliced into SQL as written.
func (e Expression) As(name string) Expression { e.alias = name; return e }

// name is the result column's name: the alias, else what PostgreSQL calls
// it (the column's name, the aggregate function's).
func (e Expression) name(sc *scope) (string, error) {
	switch {
	case e.alias != "":
		return e.alias, nil
	case e.fn != "":
		return e.fn, nil
	case e.path != "":
		_, c, err := sc.column(e.path)
		if err != nil {
			return "", err
		}
		return c.Name, nil
	}
	return "", fmt.Errorf("%q needs a name: Expr(…).As(\"name\"): %w", e.sql, ErrSelectItem)
}

// render writes the expression (without its alias).
func (e Expression) render(w *sqlw) error {
	switch {
	case e.fn != "" && e.all:
		w.str(e.fn + "(*)")
		return nil
	case e.fn != "":
		w.str(e.fn + "(")
		if e.dist {
			w.str("DISTINCT ")
		}
		if err := w.column(e.path); err != nil {
			return err
		}
		w.str(")")
		return nil
	case e.path != "":
		return w.column(e.path)
	}
	return w.frag(e.sql, e.args)
}

// sqlw writes one statement: its text and its bound arguments, numbered
// $1, $2, … in the order they are written.
type sqlw struct {
	buf  []byte
	args []any
	sc   *scope // resolves field paths; nil where no model is in scope
	q    quoter
	reg  *Registry // converts the bound values (args_caller.go)
}

// quoter quotes identifiers (the dialect's QuoteIdent).
type quoter interface {
	QuoteIdent(string) (string, error)
}

func (w *sqlw) str(s string) { w.buf = append(w.buf, s...) }

// bind writes a placeholder for v, bound as a caller's value.
func (w *sqlw) bind(v any) {
	v, _ = w.reg.callerArg(v)
	w.args = append(w.args, v)
	w.buf = append(w.buf, '$')
	w.buf = strconv.AppendInt(w.buf, int64(len(w.args)), 10)
}

// ident writes a quoted identifier.
func (w *sqlw) ident(name string) error {
	q, err := w.q.QuoteIdent(name)
	w.str(q)
	return err
}

// column writes the qualified column of a field path.
func (w *sqlw) column(path string) error {
	if w.sc == nil {
		return fmt.Errorf("column %q: no model in scope here: %w", path, ErrUnknownColumn)
	}
	ref, _, err := w.sc.column(path)
	w.str(ref)
	return err
}

// frag writes a fragment of SQL with its ? placeholders replaced: an
// Expression argument is written in place, any other is bound.
func (w *sqlw) frag(src SQL, args []any) error {
	n := 0
	var err error
	w.buf, err = lex(w.buf, string(src), func(dst []byte) ([]byte, error) {
		w.buf = dst
		if n < len(args) {
			if e, ok := args[n].(Expression); ok {
				if err := e.render(w); err != nil {
					return w.buf, err
				}
			} else {
				w.bind(args[n])
			}
		}
		n++
		return w.buf, nil
	}, refuseNumbered)
	if err == nil && n != len(args) {
		err = fmt.Errorf("%d placeholders, %d arguments: %w", n, len(args), ErrPlaceholders)
	}
	if err != nil {
		return fmt.Errorf("%q: %w", src, err)
	}
	return nil
}

// conds writes the conditions of f joined with AND, each prefixed by
// lead (" WHERE " for the first, " AND " after) as returned.
func (w *sqlw) conds(f *filter, lead string) (string, error) {
	for i, c := range f.conds {
		w.str(lead + "(")
		if err := w.frag(c, f.args[i]); err != nil {
			return lead, fmt.Errorf("where %w", err)
		}
		w.str(")")
		lead = " AND "
	}
	return lead, nil
}
