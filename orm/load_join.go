package orm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/jackc/pgx/v5"
)

// joinPlan loads the to-one relationships a query asks for with the joined
// strategy in the query's own statement: the query becomes a subquery
// (its conditions keep their unqualified column names) LEFT OUTER JOINed
// with each target table, and each row's target columns are scanned into
// a target object (none when the join found no row).
type joinPlan struct {
	s     *Session
	m     *model
	root  *loadNode
	joins []*joinStep
	dest  []any
}

type joinStep struct {
	node    *loadNode
	ts      *tableSQL
	alias   string
	first   int // index of the step's first column in the row
	pkAt    int // index of the target's first key column in the row
	targets []unsafe.Pointer
}

// planJoins returns the join plan of a query's loads, nil when no step is
// joined (or the table is schema-qualified, which the alias cannot be).
func planJoins(s *Session, m *model, loads []loadPath) (*joinPlan, error) {
	if len(loads) == 0 && !m.eager || m.table.Schema != "" {
		return nil, nil
	}
	root, err := loadTree(s.db.reg, m, loads, true)
	if err != nil {
		return nil, err
	}
	jp := &joinPlan{s: s, m: m, root: root}
	next := len(m.cols)
	for _, k := range root.kids {
		if !k.joined || k.rm.target.table.Schema != "" {
			continue
		}
		tm := k.rm.target
		j := &joinStep{node: k, ts: s.db.sql[tm.id], alias: `"j` + strconv.Itoa(len(jp.joins)+1) + `"`, first: next}
		j.pkAt = next + tm.pk[0].pos
		next += len(tm.cols)
		jp.joins = append(jp.joins, j)
	}
	if len(jp.joins) == 0 {
		return nil, nil
	}
	jp.dest = make([]any, next)
	return jp, nil
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
		rm := j.node.rm
		b.WriteString(" LEFT OUTER JOIN " + j.ts.table + " AS " + j.alias + " ON ")
		for i, c := range rm.remote {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(j.alias + "." + j.ts.cols[c.pos] + " = " + ts.table + "." + ts.cols[rm.local[i].pos])
		}
	}
	b.WriteString(order)
	return b.String()
}

// next scans one row: the owner as the query's scanner would, then each
// joined target, merged into the identity map.
func (jp *joinPlan) next(sc *scanner, rows pgx.Rows) (unsafe.Pointer, error) {
	s, m := jp.s, jp.m
	raw := rows.RawValues()
	obj := s.objChunk(m).next()
	for i, c := range m.cols {
		jp.dest[i] = c.ptr(obj)
	}
	objs := make([]unsafe.Pointer, len(jp.joins))
	for n, j := range jp.joins {
		tm := j.node.rm.target
		if raw[j.pkAt] == nil {
			clear(jp.dest[j.first : j.first+len(tm.cols)])
			continue
		}
		objs[n] = s.objChunk(tm).next()
		for i, c := range tm.cols {
			jp.dest[j.first+i] = c.ptr(objs[n])
		}
	}
	if err := rows.Scan(jp.dest...); err != nil {
		return nil, fmt.Errorf("scan %s: %w", m.table.Name, err)
	}
	k, _ := m.keyOf(obj)
	if st := s.lookup(k); st != nil {
		obj = s.merge(st, obj, sc.refresh)
	} else {
		s.addLoaded(m, obj, k, sc.copy)
	}
	for n, j := range jp.joins {
		t := objs[n]
		if t != nil {
			tm := j.node.rm.target
			tk, _ := tm.keyOf(t)
			if st := s.lookup(tk); st != nil {
				t = s.merge(st, t, sc.refresh)
			} else {
				s.addLoaded(tm, t, tk, tm.copyStruct)
			}
		}
		j.targets = append(j.targets, t)
	}
	return obj, nil
}

// finish stores the joined targets in the owners' fields and runs the
// other steps: those below each joined one for its targets, the rest for
// the owners.
func (jp *joinPlan) finish(ctx context.Context, owners []unsafe.Pointer) error {
	done := map[*loadNode]bool{}
	for _, j := range jp.joins {
		done[j.node] = true
		of := make([]int32, len(owners))
		lists := make([][]unsafe.Pointer, len(owners))
		var targets []unsafe.Pointer
		seen := map[unsafe.Pointer]bool{}
		for i, t := range j.targets {
			of[i] = int32(i)
			if t != nil {
				lists[i] = []unsafe.Pointer{t}
				if !seen[t] {
					seen[t] = true
					targets = append(targets, t)
				}
			}
		}
		setLoaded(jp.s, j.node.rm, owners, of, lists)
		if len(j.node.kids) > 0 && len(targets) > 0 {
			if err := runLoads(ctx, jp.s, j.node, targets); err != nil {
				return err
			}
		}
	}
	rest := &loadNode{}
	for _, k := range jp.root.kids {
		if !done[k] {
			rest.kids = append(rest.kids, k)
		}
	}
	return runLoads(ctx, jp.s, rest, owners)
}

// getEager is Get's load of a row whose model has eager relationships:
// the row by key with its joined targets in one statement, then the other
// steps. It falls back to the plain Get and the loader when nothing is
// joined.
func getEager(ctx context.Context, s *Session, m *model, key []any) (unsafe.Pointer, error) {
	jp, err := planJoins(s, m, nil)
	if err != nil {
		return nil, err
	}
	if jp == nil {
		p, err := s.get(ctx, m, key, false)
		if err != nil {
			return nil, err
		}
		return p, relHooks.afterLoad(ctx, s, m, []unsafe.Pointer{p}, nil)
	}
	if s.autoflush {
		if err := s.Flush(ctx); err != nil {
			return nil, err
		}
	}
	sc := newScanner(s, m, false)
	var out unsafe.Pointer
	err = s.query(ctx, jp.wrap(s.db.sql[m.id].byKey, ""), key, func(rows pgx.Rows) error {
		if !rows.Next() {
			return nil
		}
		p, err := jp.next(&sc, rows)
		out = p
		return err
	})
	if err == nil && out == nil {
		err = ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return out, jp.finish(ctx, []unsafe.Pointer{out})
}
