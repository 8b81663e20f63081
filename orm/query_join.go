package orm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// qjoin is one relationship step a query joins: the relationship's target
// table under an alias, joined to the step before (the query's own table
// for the first step).
type qjoin struct {
	path   string // the relationship path, "Posts.Tags"
	r      *relation.Relation
	owner  *model
	target *model
	parent string // quoted qualifier of the owner's columns
	alias  string // quoted alias of the target
	left   bool
	filter filter // the Join options' conditions, on the target
}

// existsCond is a Has or HasNo filter: a chain of correlated EXISTS
// subqueries along a relationship path, the options' conditions on the
// last step's target.
type existsCond struct {
	rels   []*relation.Relation
	not    bool
	filter filter
}

// scope resolves the field paths of a query: plain fields belong to its
// model, "Rel.Field" to the target of the joined relationship path "Rel".
// names are a projection's result columns, which OrderBy may also name.
type scope struct {
	db    *DB
	m     *model
	qual  string // quoted qualifier of m's columns
	joins []*qjoin
	names []string
	rows  deletedRows // what joins and Has filters see of soft-deletable targets
}

// column returns the qualified column of a field path.
func (sc *scope) column(path string) (string, *column, error) {
	rel, field := "", path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		rel, field = path[:i], path[i+1:]
	}
	m, qual := sc.m, sc.qual
	if rel != "" {
		j := sc.joined(rel)
		if j == nil {
			if _, err := sc.db.reg.rels.Path(sc.m.table, rel); err != nil {
				return "", nil, fmt.Errorf("field %q: %w", path, err)
			}
			return "", nil, fmt.Errorf("field %q: relationship %s is not joined (add Join(%q)): %w", path, rel, rel, ErrUnknownColumn)
		}
		m, qual = j.target, j.alias
	}
	c := m.lookup(field)
	if c == nil {
		return "", nil, fmt.Errorf("field %q: %s has no field %q: %w", path, m, field, ErrUnknownColumn)
	}
	return qual + "." + sc.db.sql[m.id].cols[c.pos], c, nil
}

func (sc *scope) joined(path string) *qjoin {
	for _, j := range sc.joins {
		if j.path == path {
			return j
		}
	}
	return nil
}

// addJoin joins the relationship path and each step before it that is not
// joined yet; opts filter the last step.
// joinKind is a Join's SQL join.
type joinKind uint8

const (
	innerJoin joinKind = iota // JOIN: rows without a related row go
	leftJoin                  // LEFT JOIN: they stay, with NULL columns
)

func (q *selectCore) addJoin(path string, kind joinKind, opts []LoadOption) {
	if q.m == nil {
		return
	}
	rels, err := q.s.db.reg.rels.Path(q.m.table, path)
	if err != nil {
		q.keep(fmt.Errorf("join: %w", err))
		return
	}
	f, err := joinFilter(opts)
	if err != nil {
		q.keep(fmt.Errorf("join %s: %w", path, err))
		return
	}
	sc := q.scope()
	segs := strings.Split(path, ".")
	for i, r := range rels {
		prefix := strings.Join(segs[:i+1], ".")
		if j := sc.joined(prefix); j != nil {
			if i == len(rels)-1 {
				q.keep(fmt.Errorf("join %s: joined twice (a path is joined once, by Join or LeftJoin, before any longer path through it): %w", path, ErrLoadArg))
			}
			continue
		}
		j, err := q.newJoin(sc, prefix, r, kind)
		if err != nil {
			q.keep(fmt.Errorf("join %s: %w", path, err))
			return
		}
		if i == len(rels)-1 {
			j.filter = f
		}
		q.joins = append(q.joins, j)
		sc.joins = q.joins
	}
}

// newJoin builds the step for r, joined to the step before prefix (or
// the query's table). Its alias is the snake_case path: "posts",
// "posts__tags".
func (q *selectCore) newJoin(sc *scope, prefix string, r *relation.Relation, kind joinKind) (*qjoin, error) {
	db := q.s.db
	j := &qjoin{path: prefix, r: r, owner: db.reg.byTable[r.Table], target: db.reg.byTable[r.Target], left: kind == leftJoin, parent: sc.qual}
	if j.owner == nil || j.target == nil {
		return nil, fmt.Errorf("%s: %w", r, ErrUnknownModel)
	}
	if i := strings.LastIndexByte(prefix, '.'); i >= 0 {
		j.parent = sc.joined(prefix[:i]).alias
	}
	segs := strings.Split(prefix, ".")
	for i, s := range segs {
		segs[i] = schema.Snake(s)
	}
	name := strings.Join(segs, "__")
	if name == q.m.table.Name {
		return nil, fmt.Errorf("alias %q would hide the table %s: %w", name, q.m.table.Name, ErrUnknownColumn)
	}
	var err error
	j.alias, err = db.dialect.QuoteIdent(name)
	return j, err
}

// joinFilter collects the conditions of Join or Has options; OrderBy is
// not one.
func joinFilter(opts []LoadOption) (filter, error) {
	var lo loadOpts
	for _, o := range opts {
		if o == nil {
			return filter{}, fmt.Errorf("nil option: %w", ErrLoadArg)
		}
		o.applyLoad(&lo)
	}
	if len(lo.order) > 0 {
		return filter{}, fmt.Errorf("OrderBy is not an option here: %w", ErrLoadArg)
	}
	return lo.filter, nil
}

// renderJoins writes the query's JOIN clauses.
func (sc *scope) renderJoins(w *sqlw) error {
	for _, j := range sc.joins {
		if j.left {
			w.str(" LEFT JOIN ")
		} else {
			w.str(" JOIN ")
		}
		if j.r.Side != relation.FKOnSecondary {
			if err := sc.joinTarget(w, j); err != nil {
				return err
			}
			w.str(" ON " + pairs(j.alias, sc.cols(j.target, j.r.RemoteColumns), j.parent, sc.cols(j.owner, j.r.LocalColumns)))
			sc.live(w, j.target, j.alias)
			continue
		}
		sec, err := quoteTable(sc.db.dialect, j.r.Secondary)
		if err != nil {
			return err
		}
		link, err := sc.db.dialect.QuoteIdent(strings.Trim(j.alias, `"`) + "__link")
		if err != nil {
			return err
		}
		w.str("(" + sec + " AS " + link + " JOIN ")
		if err := sc.joinTarget(w, j); err != nil {
			return err
		}
		w.str(" ON " + pairs(j.alias, sc.cols(j.target, j.r.RemoteColumns), link, sc.quoteAll(j.r.SecondaryRemote)))
		sc.live(w, j.target, j.alias)
		w.str(") ON " + pairs(link, sc.quoteAll(j.r.SecondaryLocal), j.parent, sc.cols(j.owner, j.r.LocalColumns)))
	}
	return nil
}

// joinTarget writes a step's target table under its alias: the table, or
// a subquery of it when the Join options filter it, so that their
// conditions read its columns unqualified and a LEFT JOIN keeps the
// owners they leave without a match.
func (sc *scope) joinTarget(w *sqlw, j *qjoin) error {
	ts := sc.db.sql[j.target.id]
	if len(j.filter.conds) == 0 {
		w.str(ts.table + " AS " + j.alias)
		return nil
	}
	w.str("(SELECT * FROM " + ts.table)
	outer := w.sc
	w.sc = &scope{db: sc.db, m: j.target, qual: ts.table}
	_, err := w.conds(&j.filter, " WHERE ")
	w.sc = outer
	w.str(") AS " + j.alias)
	return err
}

// live writes " AND" the condition that leaves out the soft-deleted rows
// of a joined or Has target, unless the query sees them.
func (sc *scope) live(w *sqlw, m *model, qual string) {
	if cond := sc.db.liveCond(m, qual, sc.rows); cond != "" {
		w.str(" AND " + cond)
	}
}

// cols returns the quoted names of a model's schema columns.
func (sc *scope) cols(m *model, cols []*schema.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = sc.db.sql[m.id].cols[colOf(m, c).pos]
	}
	return out
}

// quoteAll quotes the names of columns of an unmapped table.
func (sc *scope) quoteAll(cols []*schema.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i], _ = sc.db.dialect.QuoteIdent(c.Name)
	}
	return out
}

// pairs renders "a.x1 = b.y1 AND a.x2 = b.y2".
func pairs(a string, xs []string, b string, ys []string) string {
	parts := make([]string, len(xs))
	for i := range xs {
		parts[i] = a + "." + xs[i] + " = " + b + "." + ys[i]
	}
	return strings.Join(parts, " AND ")
}

// addExists adds a Has (or HasNo) filter along the relationship path.
// existsKind says whether Has or HasNo asks for related rows.
type existsKind uint8

const (
	hasSome existsKind = iota // Has: EXISTS
	hasNone                   // HasNo: NOT EXISTS
)

func (q *selectCore) addExists(path string, kind existsKind, opts []LoadOption) {
	if q.m == nil {
		return
	}
	rels, err := q.s.db.reg.rels.Path(q.m.table, path)
	if err == nil {
		var f filter
		if f, err = joinFilter(opts); err == nil {
			q.exists = append(q.exists, existsCond{rels: rels, not: kind == hasNone, filter: f})
		}
	}
	if err != nil {
		q.keep(fmt.Errorf("has %s: %w", path, err))
	}
}

// renderExists writes one EXISTS (or NOT EXISTS) chain. Each step selects
// from its target under a fresh alias, correlated with the step before;
// the options' conditions read the last target's columns unqualified.
func (sc *scope) renderExists(w *sqlw, e *existsCond, n int) error {
	if e.not {
		w.str("NOT ")
	}
	parent, owner := sc.qual, sc.m
	for i, r := range e.rels {
		target := sc.db.reg.byTable[r.Target]
		if target == nil {
			return fmt.Errorf("%s: %w", r, ErrUnknownModel)
		}
		alias := `"has` + strconv.Itoa(n) + "_" + strconv.Itoa(i+1) + `"`
		w.str("EXISTS (SELECT 1 FROM " + sc.db.sql[target.id].table + " AS " + alias + " WHERE ")
		if err := sc.correlate(w, r, owner, target, parent, alias); err != nil {
			return err
		}
		sc.live(w, target, alias)
		if i < len(e.rels)-1 {
			w.str(" AND ")
		}
		parent, owner = alias, target
	}
	if len(e.filter.conds) > 0 {
		outer := w.sc
		w.sc = &scope{db: sc.db, m: owner, qual: parent}
		_, err := w.conds(&e.filter, " AND ")
		w.sc = outer
		if err != nil {
			return err
		}
	}
	w.str(strings.Repeat(")", len(e.rels)))
	return nil
}

// correlate writes the condition tying a step's target (alias) to its
// owner (parent): the join columns, through the association table for a
// many_to_many.
func (sc *scope) correlate(w *sqlw, r *relation.Relation, owner, target *model, parent, alias string) error {
	remote, local := sc.cols(target, r.RemoteColumns), sc.cols(owner, r.LocalColumns)
	if r.Side != relation.FKOnSecondary {
		w.str(pairs(alias, remote, parent, local))
		return nil
	}
	sec, err := quoteTable(sc.db.dialect, r.Secondary)
	if err != nil {
		return err
	}
	link := strings.TrimSuffix(alias, `"`) + `_link"`
	lhs := make([]string, len(remote))
	for i, c := range remote {
		lhs[i] = alias + "." + c
	}
	rhs := sc.quoteAll(r.SecondaryRemote)
	for i, c := range rhs {
		rhs[i] = link + "." + c
	}
	w.str("(" + strings.Join(lhs, ", ") + ") IN (SELECT " + strings.Join(rhs, ", ") + " FROM " + sec + " AS " + link +
		" WHERE " + pairs(link, sc.quoteAll(r.SecondaryLocal), parent, local) + ")")
	return nil
}
