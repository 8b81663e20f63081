package orm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// relSQL is the statement text of one relationship for one DB, quoted by
// its dialect when the DB is created.
type relSQL struct {
	ts    *tableSQL // the target's
	sec   secSQL    // a many_to_many's association table
	step  string    // SELECT of the targets whose join columns are among the owners' keys: one array parameter per key column, no ORDER BY
	all   string    // the same, soft-deleted targets included (softdelete.go)
	order []string  // the order_by keys
}

// secSQL is the quoted text of an association table and its statements.
type secSQL struct {
	table         string
	local, remote []string // quoted columns referencing the owner, the target
	lcast, rcast  []string
	insertPairs   string // INSERT … SELECT * FROM unnest(owner keys…, target keys…) ON CONFLICT DO NOTHING
	deletePairs   string // DELETE … WHERE (cols) IN (SELECT * FROM unnest(…))
	deleteOwners  string // DELETE … WHERE the owner columns match the arrays from $1
}

// newRelSQLs builds the statement text of every relationship of the
// registry; sqls are the DB's per-model texts.
func newRelSQLs(d dialect.Dialect, reg *Registry, sqls []*tableSQL) ([]relSQL, error) {
	out := make([]relSQL, len(reg.rules))
	for i, ru := range reg.rules {
		rs, err := newRelSQL(d, sqls, ru.base())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ru.base(), err)
		}
		out[i] = rs
	}
	return out, nil
}

func newRelSQL(d dialect.Dialect, sqls []*tableSQL, rb *relBase) (relSQL, error) {
	ts := sqls[rb.target.id]
	rs := relSQL{ts: ts}
	var match, casts []string
	if rb.r.Side == relation.FKOnSecondary {
		sq, err := newSecSQL(d, rb.r)
		if err != nil {
			return rs, err
		}
		rs.sec = sq
		var b strings.Builder
		b.WriteString("SELECT ")
		for _, c := range sq.local {
			b.WriteString(sq.table + "." + c + ", ")
			match = append(match, sq.table+"."+c)
		}
		b.WriteString(ts.list + " FROM " + ts.table + " JOIN " + sq.table + " ON ")
		for i, c := range sq.remote {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(sq.table + "." + c + " = " + ts.table + "." + ts.cols[rb.remote[i].pos])
		}
		rs.step, casts = b.String(), sq.lcast
	} else {
		rs.step = "SELECT " + ts.list + " FROM " + ts.table
		for _, c := range rb.remote {
			match = append(match, ts.table+"."+ts.cols[c.pos])
			casts = append(casts, ts.casts[c.pos])
		}
	}
	rs.step += " WHERE " + matchArrays(match, casts, 1)
	rs.all = rs.step
	if rb.hidesDeleted() {
		rs.step += " AND " + ts.table + "." + ts.cols[rb.target.softDelete.pos] + " IS NULL"
	}
	var err error
	rs.order, err = orderKeys(d, ts, &rs.sec, rb)
	return rs, err
}

// matchArrays renders "the columns are among the arrays from $n": = ANY
// for one column, IN (unnest) for several.
func matchArrays(cols, casts []string, n int) string {
	if len(cols) == 1 {
		return cols[0] + " = ANY($" + strconv.Itoa(n) + ")"
	}
	return "(" + strings.Join(cols, ", ") + ") IN (SELECT * FROM " + unnestArgs(casts, n) + ")"
}

// orderKeys renders a collection's order_by.
func orderKeys(d dialect.Dialect, ts *tableSQL, sq *secSQL, rb *relBase) ([]string, error) {
	var keys []string
	for _, o := range rb.r.OrderBy {
		key := ""
		if o.Secondary {
			q, err := d.QuoteIdent(o.Column.Name)
			if err != nil {
				return nil, err
			}
			key = sq.table + "." + q
		} else {
			key = ts.table + "." + ts.cols[colOf(rb.target, o.Column).pos]
		}
		if o.Desc {
			key += " DESC"
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// newSecSQL quotes an association table and renders its statements.
func newSecSQL(d dialect.Dialect, r *relation.Relation) (secSQL, error) {
	var sq secSQL
	var err error
	if sq.table, err = quoteTable(d, r.Secondary); err != nil {
		return sq, err
	}
	if sq.local, sq.lcast, err = quoteColumns(d, r.SecondaryLocal); err != nil {
		return sq, err
	}
	if sq.remote, sq.rcast, err = quoteColumns(d, r.SecondaryRemote); err != nil {
		return sq, err
	}
	cols := strings.Join(append(append([]string{}, sq.local...), sq.remote...), ", ")
	all := unnestArgs(append(append([]string{}, sq.lcast...), sq.rcast...), 1)
	sq.insertPairs = "INSERT INTO " + sq.table + " (" + cols + ") SELECT * FROM " + all + " ON CONFLICT DO NOTHING"
	sq.deletePairs = "DELETE FROM " + sq.table + " WHERE (" + cols + ") IN (SELECT * FROM " + all + ")"
	qual := make([]string, len(sq.local))
	for i, c := range sq.local {
		qual[i] = sq.table + "." + c
	}
	sq.deleteOwners = "DELETE FROM " + sq.table + " WHERE " + matchArrays(qual, sq.lcast, 1)
	return sq, nil
}

func quoteColumns(d dialect.Dialect, cols []*schema.Column) (names, casts []string, err error) {
	for _, c := range cols {
		q, err := d.QuoteIdent(c.Name)
		if err != nil {
			return nil, nil, err
		}
		cast, err := castType(d, c.Type)
		if err != nil {
			return nil, nil, err
		}
		names, casts = append(names, q), append(casts, cast)
	}
	return names, casts, nil
}

// stepSQL renders a step's SELECT for the owners reps, filtered and ordered
// by the Load options, then by order_by.
func (rs *relSQL) stepSQL(rb *relBase, reps []*state, opts *loadOpts, all bool, reg *Registry) (string, []any, error) {
	objs := make([]mem.Ptr, len(reps))
	for i, st := range reps {
		objs[i] = st.obj
	}
	args := keyArgs(rb.local, objs)
	step := rs.step
	if all {
		step = rs.all
	}
	if opts == nil {
		if len(rs.order) == 0 {
			return step, args, nil
		}
		return step + " ORDER BY " + strings.Join(rs.order, ", "), args, nil
	}
	var b strings.Builder
	b.WriteString(step)
	if len(opts.filter.conds) > 0 {
		buf, more, _, err := opts.filter.render(nil, len(args)+1, reg)
		if err != nil {
			return "", nil, err
		}
		b.WriteString(" AND" + strings.TrimPrefix(string(buf), " WHERE"))
		args = append(args, more...)
	}
	keys, err := rs.optionOrder(rb, opts)
	if err != nil {
		return "", nil, err
	}
	if keys = append(keys, rs.order...); len(keys) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(keys, ", "))
	}
	return b.String(), args, nil
}

// optionOrder renders a Load option's order keys, checked against the
// target.
func (rs *relSQL) optionOrder(rb *relBase, opts *loadOpts) ([]string, error) {
	var keys []string
	for _, k := range opts.order {
		name, desc := strings.CutPrefix(k, "-")
		c := rb.target.lookup(name)
		if c == nil {
			return nil, fmt.Errorf("order by %q: %w", name, ErrUnknownColumn)
		}
		key := rs.ts.table + "." + rs.ts.cols[c.pos]
		if desc {
			key += " DESC"
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// keyArgs builds one array per column with the objects' values.
func keyArgs(cols []*column, objs []mem.Ptr) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		out[i] = c.values(objs)
	}
	return out
}

// unnestArgs renders unnest($n::t1[], $n+1::t2[], …).
func unnestArgs(casts []string, n int) string {
	parts := make([]string, len(casts))
	for i, c := range casts {
		parts[i] = "$" + strconv.Itoa(n+i) + "::" + arrayOf(c) + "[]"
	}
	return "unnest(" + strings.Join(parts, ", ") + ")"
}
