package orm

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// joinPlan loads the to-one relationships a query asks for with the joined
// strategy in the query's own statement: the query becomes a subquery (its
// conditions keep their unqualified column names) LEFT OUTER JOINed with
// each target table, and each row's target columns are scanned into a
// target object (none when the join found no row). Consecutive to-one
// steps chain: each joins on the alias of the step before it, so
// comments → post → user → profile is one statement.
type joinPlan struct {
	s     *Session
	m     *model
	root  *loadNode
	joins []*joinStep // parents before their children
	dest  []any
	objs  []mem.Ptr // the current row's objects, by join
}

type joinStep struct {
	node   *loadNode
	parent int // index of the join whose target owns this step's rows, -1 for the query's
	ts     *tableSQL
	alias  string
	first  int // index of the step's first column in the row
	pkAt   int // index of the target's first key column in the row
	// per row whose owner exists: the owner and the target (nil when the
	// join found no row)
	owners  []mem.Ptr
	targets []*state
}

// planJoins returns the join plan of a query's loads, nil when no step is
// joined (or the table is schema-qualified, which the alias cannot be).
func planJoins(s *Session, m *model, loads []loadPath) (*joinPlan, error) {
	if len(loads) == 0 && !m.eager || m.table.Schema != "" {
		return nil, nil
	}
	root, err := loadTree(s.db.reg, m, loads, ownersFresh)
	if err != nil {
		return nil, err
	}
	jp := &joinPlan{s: s, m: m, root: root}
	jp.add(root, -1, len(m.cols))
	if len(jp.joins) == 0 {
		return nil, nil
	}
	last := jp.joins[len(jp.joins)-1]
	jp.dest = make([]any, last.first+len(last.node.ru.base().target.cols))
	jp.objs = make([]mem.Ptr, len(jp.joins))
	return jp, nil
}

// add plans the joined kids of n, whose rows are those of join parent,
// with their columns from position next; it returns the next free position.
func (jp *joinPlan) add(n *loadNode, parent, next int) int {
	for _, k := range n.kids {
		tm := k.ru.base().target
		if !k.joined || tm.table.Schema != "" {
			continue
		}
		j := &joinStep{node: k, parent: parent, ts: jp.s.db.sql[tm.id], first: next,
			alias: `"j` + strconv.Itoa(len(jp.joins)+1) + `"`}
		j.pkAt = next + tm.pk[0].pos
		jp.joins = append(jp.joins, j)
		next = jp.add(k, len(jp.joins)-1, next+len(tm.cols))
	}
	return next
}

// wrap turns the query's statement into the joined one; order is the
// query's ORDER BY, repeated outside.
func (jp *joinPlan) wrap(sql, order string) string {
	ts := jp.s.db.sql[jp.m.id]
	var b strings.Builder
	b.WriteString("SELECT " + ts.list)
	for _, j := range jp.joins {
		b.WriteString(", " + strings.ReplaceAll(j.ts.list, j.ts.table+".", j.alias+"."))
	}
	b.WriteString(" FROM (" + sql + ") AS " + ts.table)
	for _, j := range jp.joins {
		rb := j.node.ru.base()
		owner, ots := ts.table, ts
		if j.parent >= 0 {
			owner, ots = jp.joins[j.parent].alias, jp.joins[j.parent].ts
		}
		b.WriteString(" LEFT OUTER JOIN " + j.ts.table + " AS " + j.alias + " ON ")
		for i, c := range rb.remote {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(j.alias + "." + j.ts.cols[c.pos] + " = " + owner + "." + ots.cols[rb.local[i].pos])
		}
		if live := jp.s.db.loadCond(rb, j.alias); live != "" {
			b.WriteString(" AND " + live) // softdelete.go
		}
	}
	b.WriteString(order)
	return b.String()
}

// next scans one row: the owner as the query's scanner would, then each
// joined target, merged into the identity map.
func (jp *joinPlan) next(sc *scanner, rows pgx.Rows) (mem.Ptr, error) {
	s, m := jp.s, jp.m
	obj := s.objChunk(m).next()
	for i, c := range m.cols {
		jp.dest[i] = c.ptr(obj)
	}
	jp.targetDests(rows.RawValues())
	if err := rows.Scan(jp.dest...); err != nil {
		return mem.Ptr{}, fmt.Errorf("scan %s: %w", m.table.Name, err)
	}
	k := m.rowKey(obj)
	if st := s.lookup(k); st != nil {
		obj = s.merge(st, obj, sc.held)
	} else {
		s.addLoaded(m, obj, k, sc.copy)
	}
	jp.keepTargets(obj, sc.held)
	return obj, nil
}

// targetDests points the scan destinations of each joined target at a
// fresh object, or at nothing when the join found no row.
func (jp *joinPlan) targetDests(raw [][]byte) {
	for n, j := range jp.joins {
		tm := j.node.ru.base().target
		jp.objs[n] = mem.Ptr{}
		if raw[j.pkAt] == nil {
			clear(jp.dest[j.first : j.first+len(tm.cols)])
			continue
		}
		jp.objs[n] = jp.s.objChunk(tm).next()
		for i, c := range tm.cols {
			jp.dest[j.first+i] = c.ptr(jp.objs[n])
		}
	}
}

// keepTargets merges the row's joined targets into the session and
// records each with its owner: the row's object, or the target of the
// join before it.
func (jp *joinPlan) keepTargets(obj mem.Ptr, held onHeld) {
	for n, j := range jp.joins {
		owner := obj
		if j.parent >= 0 {
			owner = jp.objs[j.parent]
		}
		var ts *state
		if t := jp.objs[n]; !t.IsNil() {
			ts = jp.s.keepLoaded(j.node.ru.base().target, t, held, repeatedKeys)
			jp.objs[n] = ts.obj
		}
		if !owner.IsNil() {
			j.owners, j.targets = append(j.owners, owner), append(j.targets, ts)
		}
	}
}

// finish stores the joined targets in their owners' fields and runs the
// other steps: those below each joined one for its targets, the rest for
// the query's owners; held says what held objects and fields take.
func (jp *joinPlan) finish(ctx context.Context, owners []mem.Ptr, held onHeld) error {
	l := &loader{s: jp.s, held: held, fields: held}
	rootStates := ownerStates(jp.s, jp.m, owners)
	done := map[*loadNode]bool{}
	var targetsOf [][]*state
	for _, j := range jp.joins {
		done[j.node] = true
		targetsOf = append(targetsOf, j.settle(l))
	}
	if err := jp.rest(ctx, l, jp.root, rootStates, done); err != nil {
		return err
	}
	for n, j := range jp.joins {
		if err := jp.rest(ctx, l, j.node, targetsOf[n], done); err != nil {
			return err
		}
	}
	return nil
}

// rest runs the kids of n that were not joined, for owners.
func (jp *joinPlan) rest(ctx context.Context, l *loader, n *loadNode, owners []*state, done map[*loadNode]bool) error {
	if len(owners) == 0 {
		return nil
	}
	rest := &loadNode{}
	for _, k := range n.kids {
		if !done[k] {
			rest.kids = append(rest.kids, k)
		}
	}
	return runLoads(ctx, l, rest, owners)
}

// settle stores a join's targets in its owners' fields (each owner once)
// and returns the distinct targets.
func (j *joinStep) settle(l *loader) []*state {
	s, rb := l.s, j.node.ru.base()
	at := make(map[mem.Ptr]bool, len(j.owners))
	g := &keyGroups{}
	var rows []loadedRow
	for i, o := range j.owners {
		if at[o] {
			continue
		}
		at[o] = true
		id := int32(len(g.reps))
		g.reps, g.of = append(g.reps, s.stateOf(rb.owner, o)), append(g.of, id)
		if t := j.targets[i]; t != nil {
			rows = append(rows, loadedRow{id, t})
		}
	}
	l.setLoaded(rb, g.reps, g, rows, wholeField) // joined steps take no options
	return distinct(rows)
}

// getEager is Get's load of a row whose model has eager relationships:
// the row by key with its joined targets in one statement, then the other
// steps. It falls back to the plain Get and the loader when nothing is
// joined.
func getEager(ctx context.Context, s *Session, m *model, key []any) (mem.Ptr, error) {
	jp, err := planJoins(s, m, nil)
	if err != nil {
		return mem.Ptr{}, err
	}
	if jp == nil {
		p, err := s.get(ctx, m, key, keepChanges)
		if err != nil {
			return mem.Ptr{}, err
		}
		return p, s.afterQuery(ctx, m, []mem.Ptr{p}, nil, keepChanges)
	}
	if s.autoflush {
		if err := s.Flush(ctx); err != nil {
			return mem.Ptr{}, err
		}
	}
	sc := newScanner(s, m, keepChanges)
	var out mem.Ptr
	err = s.query(ctx, jp.wrap(s.db.sql[m.id].byKey, ""), key, func(rows pgx.Rows) error {
		if !rows.Next() {
			return nil
		}
		p, err := jp.next(&sc, rows)
		out = p
		return err
	})
	if err == nil && out.IsNil() {
		err = ErrNotFound
	}
	if err != nil {
		return mem.Ptr{}, err
	}
	return out, jp.finish(ctx, []mem.Ptr{out}, keepChanges)
}
