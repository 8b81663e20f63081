package orm

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/relation"
)

// Loading relationships: Go cannot intercept a field read, so nothing is
// loaded behind the caller's back. A query loads the relationships its
// Load paths name and those whose lazy: strategy is eager; each step is
// one SELECT for all the owners of the previous step, matching their keys
// with one array parameter (= ANY($1)), so a query with N steps costs
// 1 + N statements however many rows come back. Loaded rows go through the
// identity map, and back_populates fills the other side without a query.

// LoadOption narrows or orders what the last step of a Load path loads;
// see [Where] and [OrderBy].
type LoadOption interface{ applyLoad(*loadOpts) }

type loadOpts struct {
	filter filter
	order  []string
}

type loadOptFunc func(*loadOpts)

func (f loadOptFunc) applyLoad(o *loadOpts) { f(o) }

// Where is a Load option: only targets matching cond (SQL with ?
// placeholders, as [SelectQuery.Where]) are loaded.
func Where(cond SQL, args ...any) LoadOption {
	return loadOptFunc(func(o *loadOpts) {
		o.filter.conds = append(o.filter.conds, cond)
		o.filter.args = append(o.filter.args, args)
	})
}

// OrderBy is a Load option: the targets' order (fields or columns of the
// target, "-name" for descending), before the relationship's order_by.
// Names are checked against the model (ErrUnknownColumn).
func OrderBy(keys ...string) LoadOption {
	return loadOptFunc(func(o *loadOpts) { o.order = append(o.order, keys...) })
}

// parseLoads turns Load's arguments into paths: each string starts a
// path, each LoadOption applies to the path before it.
func parseLoads(args []any, joined bool) ([]loadPath, error) {
	var out []loadPath
	for _, a := range args {
		switch a := a.(type) {
		case string:
			out = append(out, loadPath{path: a, joined: joined})
		case LoadOption:
			if len(out) == 0 {
				return out, fmt.Errorf("option before any path: %w", ErrLoadArg)
			}
			out[len(out)-1].opts = append(out[len(out)-1].opts, a)
		default:
			return out, fmt.Errorf("%T: %w", a, ErrLoadArg)
		}
	}
	return out, nil
}

// loadNode is one step of a load tree.
type loadNode struct {
	rm     *relMeta
	opts   *loadOpts
	kids   []*loadNode
	joined bool // a to-one first step a query may join (joinPlan)
}

func (n *loadNode) child(rm *relMeta) *loadNode {
	for _, k := range n.kids {
		if k.rm == rm {
			return k
		}
	}
	k := &loadNode{rm: rm}
	n.kids = append(n.kids, k)
	return k
}

// loadAfterQuery is the afterLoad hook.
func loadAfterQuery(ctx context.Context, s *Session, m *model, objs []unsafe.Pointer, loads []loadPath) error {
	root, err := loadTree(s.db.reg, m, loads, true)
	if err != nil {
		return err
	}
	return runLoads(ctx, s, root, objs)
}

// loadTree builds the steps of the paths plus the eager lazy: strategies
// of every model reached. Eager defaults do not follow a relationship back
// along its partner, nor repeat one already on the path (a
// self-referential relationship loads one level). Without rootEager the
// owners' own eager relationships are left alone (LoadRelated: the owners
// were loaded before).
func loadTree(reg *Registry, m *model, loads []loadPath, rootEager bool) (*loadNode, error) {
	root := &loadNode{}
	for _, lp := range loads {
		rels, err := reg.rels.Path(m.table, lp.path)
		if err != nil {
			return nil, err
		}
		n := root
		for _, r := range rels {
			n = n.child(metaOf(reg, r))
		}
		first := root.child(metaOf(reg, rels[0]))
		if !rels[0].Uselist && (lp.joined || rels[0].EagerStrategy == relation.Joined) && (len(rels) > 1 || len(lp.opts) == 0) {
			first.joined = true
		}
		if len(lp.opts) > 0 {
			n.opts = &loadOpts{}
			for _, o := range lp.opts {
				o.applyLoad(n.opts)
			}
		}
	}
	if rootEager {
		eager(reg, root, m, nil)
		return root, nil
	}
	for _, k := range root.kids {
		eager(reg, k, k.rm.target, []*relation.Relation{k.rm.r})
	}
	return root, nil
}

func eager(reg *Registry, n *loadNode, m *model, path []*relation.Relation) {
	for _, r := range m.rels {
		if !r.Lazy.Eager() || onPath(path, r) || (len(path) > 0 && path[len(path)-1].Back == r) {
			continue
		}
		k := n.child(metaOf(reg, r))
		k.joined = k.joined || len(path) == 0 && r.Lazy == relation.Joined && !r.Uselist && k.opts == nil
	}
	for _, k := range n.kids {
		if k.rm.target != nil && len(path) < 16 {
			eager(reg, k, k.rm.target, append(path, k.rm.r))
		}
	}
}

func onPath(path []*relation.Relation, r *relation.Relation) bool {
	for _, p := range path {
		if p == r {
			return true
		}
	}
	return false
}

// runLoads runs the steps below n for owners, depth first.
func runLoads(ctx context.Context, s *Session, n *loadNode, owners []unsafe.Pointer) error {
	for _, k := range n.kids {
		targets, err := loadStep(ctx, s, k.rm, owners, k.opts)
		if err != nil {
			return fmt.Errorf("load %s: %w", k.rm.r, err)
		}
		if len(k.kids) > 0 && len(targets) > 0 {
			if err := runLoads(ctx, s, k, targets); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadStep loads relationship rm of owners with one statement (none when
// no owner has a key, or every to-one target is already held), sets the
// fields and the back references, and returns the distinct targets.
func loadStep(ctx context.Context, s *Session, rm *relMeta, owners []unsafe.Pointer, opts *loadOpts) ([]unsafe.Pointer, error) {
	g := groupOwners(rm.local, owners)
	var rows []loadedRow
	reps := g.reps
	if rm.r.Side == relation.FKOnOwner && opts == nil {
		rows, reps = g.held(s, rm)
	}
	if len(reps) > 0 {
		more, err := selectTargets(ctx, s, rm, reps, opts)
		if err != nil {
			return nil, err
		}
		rows = append(rows, more...)
	}
	lists := g.distribute(rm, rows)
	setLoaded(s, rm, owners, g.of, lists)
	return distinct(rows, rm.r.Side == relation.FKOnSecondary), nil
}

// keyGroups groups owners by the values of their join columns.
type keyGroups struct {
	of   []int32          // each owner's group, -1 when it has no key
	reps []unsafe.Pointer // the first owner of each group
	ints map[int64]int32  // group of an integer key (vkey.s empty)
	strs map[string]int32 // group of any other key
}

func groupOwners(cols []*column, owners []unsafe.Pointer) *keyGroups {
	g := &keyGroups{of: make([]int32, len(owners)), ints: make(map[int64]int32, len(owners))}
	for i, o := range owners {
		k, ok := readKey(cols, o)
		if !ok {
			g.of[i] = -1
			continue
		}
		id, seen := g.id(k)
		if !seen {
			id = int32(len(g.reps))
			g.set(k, id)
			g.reps = append(g.reps, o)
		}
		g.of[i] = id
	}
	return g
}

// id returns the group of key k.
func (g *keyGroups) id(k vkey) (int32, bool) {
	if k.s == "" {
		id, ok := g.ints[k.n]
		return id, ok
	}
	id, ok := g.strs[k.s]
	return id, ok
}

func (g *keyGroups) set(k vkey, id int32) {
	if k.s == "" {
		g.ints[k.n] = id
		return
	}
	if g.strs == nil {
		g.strs = map[string]int32{}
	}
	g.strs[k.s] = id
}

// held resolves to-one targets the identity map already holds and returns
// them with the owners whose target must still be selected.
func (g *keyGroups) held(s *Session, rm *relMeta) ([]loadedRow, []unsafe.Pointer) {
	tm := rm.target
	if len(tm.pk) != 1 || rm.remote[0] != tm.pk[0] || tm.key == keyOther {
		return nil, g.reps
	}
	var rows []loadedRow
	rest := g.reps[:0:0]
	for _, o := range g.reps {
		k, _ := readKey(rm.local, o)
		if st := s.lookup(idKey{m: tm, n: k.n, s: k.s}); st != nil && !st.deleting {
			rows = append(rows, loadedRow{k, st.obj})
			continue
		}
		rest = append(rest, o)
	}
	return rows, rest
}

// distribute returns each group's targets in row order, carved from one
// array (a to-one group keeps its first target); each list's capacity
// ends at its length, so appending to a field never writes into the next.
func (g *keyGroups) distribute(rm *relMeta, rows []loadedRow) [][]unsafe.Pointer {
	gid := make([]int32, len(rows))
	counts := make([]int32, len(g.reps)+1)
	for i, row := range rows {
		id, ok := g.id(row.key)
		if !ok || (!rm.r.Uselist && counts[id+1] > 0) {
			gid[i] = -1
			continue
		}
		gid[i] = id
		counts[id+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	all := make([]unsafe.Pointer, counts[len(counts)-1])
	next := append([]int32(nil), counts[:len(counts)-1]...)
	for i, row := range rows {
		if id := gid[i]; id >= 0 {
			all[next[id]] = row.obj
			next[id]++
		}
	}
	lists := make([][]unsafe.Pointer, len(g.reps))
	for id := range lists {
		lo, hi := counts[id], counts[id+1]
		lists[id] = all[lo:hi:hi]
	}
	return lists
}

// loadedRow is a target row with the key it matched.
type loadedRow struct {
	key vkey
	obj unsafe.Pointer
}

// distinct returns the rows' objects, each once: only the rows of a
// many_to_many can repeat a target (shared by several owners).
func distinct(rows []loadedRow, repeats bool) []unsafe.Pointer {
	out := make([]unsafe.Pointer, 0, len(rows))
	if !repeats {
		for _, r := range rows {
			out = append(out, r.obj)
		}
		return out
	}
	seen := make(map[unsafe.Pointer]struct{}, len(rows))
	for _, r := range rows {
		if _, ok := seen[r.obj]; !ok {
			seen[r.obj] = struct{}{}
			out = append(out, r.obj)
		}
	}
	return out
}

// setLoaded stores each owner's targets (lists[of[i]], none when of[i] is
// -1) in its field, records them as loaded, and points the targets' to-one
// back reference at their owner.
func setLoaded(s *Session, rm *relMeta, owners []unsafe.Pointer, of []int32, lists [][]unsafe.Pointer) {
	r, b := rm.r, rm.r.Back
	states := ownerStates(s, rm.owner, owners)
	n := len(rm.owner.rels)
	rsBuf := make([]relState, len(owners))
	seenBuf := make([][]unsafe.Pointer, len(owners)*n)
	var total int
	for _, l := range lists {
		total += len(l)
	}
	copies := make([]unsafe.Pointer, 0, total)
	for i, o := range owners {
		var targets []unsafe.Pointer
		if of[i] >= 0 {
			targets = lists[of[i]]
		}
		switch {
		case r.Uselist:
			r.SetMany(o, targets)
		case len(targets) > 0:
			r.SetOne(o, targets[0])
		default:
			r.SetOne(o, nil)
		}
		if b != nil && !b.Uselist {
			for _, t := range targets {
				b.SetOne(t, o)
			}
		}
		st := states[i]
		if st == nil {
			continue
		}
		rs := &rsBuf[i]
		rs.seen = seenBuf[i*n : (i+1)*n : (i+1)*n]
		if old := relOf(st); old != nil {
			rs.loaded = old.loaded
			copy(rs.seen, old.seen)
		}
		rs.loaded |= 1 << uint(rm.idx)
		lo := len(copies)
		copies = append(copies, targets...)
		rs.seen[rm.idx] = copies[lo:len(copies):len(copies)]
		st.related = rs
	}
}

// ownerStates finds the states of owners, which a query or an earlier
// step just loaded, without building the identity map for them.
func ownerStates(s *Session, m *model, owners []unsafe.Pointer) []*state {
	out := make([]*state, len(owners))
	at := make(map[unsafe.Pointer]int, len(owners))
	for i, o := range owners {
		at[o] = i
	}
	missing := len(owners)
	for i := len(s.loaded) - 1; i >= 0 && missing > 0; i-- {
		st := s.loaded[i]
		if st.m != m {
			continue
		}
		if j, ok := at[st.obj]; ok && out[j] == nil && st.status != detached {
			out[j] = st
			missing--
		}
	}
	for i, o := range owners {
		if out[i] == nil {
			out[i] = s.stateOf(m, o)
		}
	}
	return out
}

// selectTargets sends the step's SELECT for the owners reps (one per
// distinct key) and returns the targets with the owner key each matched.
func selectTargets(ctx context.Context, s *Session, rm *relMeta, reps []unsafe.Pointer, opts *loadOpts) ([]loadedRow, error) {
	sql, args, err := stepSQL(s.db, rm, reps, opts)
	if err != nil {
		return nil, err
	}
	if rm.r.Side != relation.FKOnSecondary {
		objs, err := s.loadRows(ctx, rm.target, sql, args)
		if err != nil {
			return nil, err
		}
		match := rm.remote
		rows := make([]loadedRow, len(objs))
		for i, o := range objs {
			k, _ := readKey(match, o)
			rows[i] = loadedRow{k, o}
		}
		return rows, nil
	}
	return s.loadPairs(ctx, rm.target, len(rm.local), sql, args)
}

// stepSQL renders a step's SELECT: the target rows whose join columns are
// among the owners' keys, through the association table for a
// many_to_many, filtered and ordered by the Load options and order_by.
func stepSQL(db *DB, rm *relMeta, reps []unsafe.Pointer, opts *loadOpts) (string, []any, error) {
	ts := db.sql[rm.target.id]
	r := rm.r
	var b strings.Builder
	b.WriteString("SELECT ")
	var match []string
	var casts []string
	if r.Side == relation.FKOnSecondary {
		sq := secSQLOf(db, rm)
		for _, c := range sq.local {
			b.WriteString(sq.table + "." + c + ", ")
		}
		b.WriteString(ts.list + " FROM " + ts.table + " JOIN " + sq.table + " ON ")
		for i, c := range sq.remote {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(sq.table + "." + c + " = " + ts.table + "." + ts.cols[rm.remote[i].pos])
		}
		for _, c := range sq.local {
			match = append(match, sq.table+"."+c)
		}
		casts = sq.lcast
	} else {
		b.WriteString(ts.list + " FROM " + ts.table)
		for _, c := range rm.remote {
			match = append(match, ts.table+"."+ts.cols[c.pos])
			casts = append(casts, ts.casts[c.pos])
		}
	}
	b.WriteString(" WHERE ")
	if len(match) == 1 {
		b.WriteString(match[0] + " = ANY($1)")
	} else {
		b.WriteString("(" + strings.Join(match, ", ") + ") IN (SELECT * FROM " + unnestArgs(casts, 1) + ")")
	}
	args := keyArgs(rm.local, reps)
	order, err := stepOrder(db, rm, opts)
	if err != nil {
		return "", nil, err
	}
	if opts != nil && len(opts.filter.conds) > 0 {
		buf, more, _, err := opts.filter.render(nil, len(args)+1)
		if err != nil {
			return "", nil, err
		}
		b.WriteString(" AND" + strings.TrimPrefix(string(buf), " WHERE"))
		args = append(args, more...)
	}
	b.WriteString(order)
	return b.String(), args, nil
}

// stepOrder renders the ORDER BY of a step: the Load option's keys
// (checked against the target), then the relationship's order_by.
func stepOrder(db *DB, rm *relMeta, opts *loadOpts) (string, error) {
	ts := db.sql[rm.target.id]
	var keys []string
	if opts != nil {
		for _, k := range opts.order {
			name := strings.TrimPrefix(k, "-")
			c := rm.target.lookup(name)
			if c == nil {
				return "", fmt.Errorf("order by %q: %w", name, ErrUnknownColumn)
			}
			key := ts.table + "." + ts.cols[c.pos]
			if strings.HasPrefix(k, "-") {
				key += " DESC"
			}
			keys = append(keys, key)
		}
	}
	for _, o := range rm.r.OrderBy {
		var key string
		if o.Secondary {
			key = secSQLOf(db, rm).table + "." + quoteName(db, o.Column.Name)
		} else {
			key = ts.table + "." + ts.cols[colOf(rm.target, o.Column).pos]
		}
		if o.Desc {
			key += " DESC"
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return "", nil
	}
	return " ORDER BY " + strings.Join(keys, ", "), nil
}

func quoteName(db *DB, name string) string {
	q, _ := db.dialect.QuoteIdent(name)
	return q
}

// loadPairs runs a many_to_many step's SELECT, whose first n columns are
// the association row's owner key, and returns each target (merged into
// the identity map; a target shared by several owners is one object) with
// the owner key it came with.
func (s *Session) loadPairs(ctx context.Context, m *model, n int, sql string, args []any) ([]loadedRow, error) {
	sc := newScanner(s, m, false)
	var out []loadedRow
	keys := make([]any, n)
	err := s.query(ctx, sql, args, func(rows pgx.Rows) error {
		dest := make([]any, n+len(m.cols))
		for i := range keys {
			dest[i] = &keys[i]
		}
		for rows.Next() {
			obj := s.objChunk(m).next()
			for i, c := range m.cols {
				dest[n+i] = c.ptr(obj)
			}
			if err := rows.Scan(dest...); err != nil {
				return fmt.Errorf("scan %s: %w", m.table.Name, err)
			}
			k, _ := m.keyOf(obj)
			if st := s.lookup(k); st != nil {
				obj = s.merge(st, obj, false)
			} else {
				s.addLoaded(m, obj, k, sc.copy) // indexed by the next lookup
			}
			out = append(out, loadedRow{pairKey(keys), obj})
		}
		return nil
	})
	return out, err
}

// pairKey is the vkey of scanned association key values, built like
// readKey's.
func pairKey(vals []any) vkey {
	if len(vals) == 1 {
		return anyKey(vals[0])
	}
	var b []byte
	for _, v := range vals {
		k := anyKey(v)
		b = strconv.AppendInt(b, k.n, 10)
		b = append(b, 0)
		b = append(append(b, k.s...), 0)
	}
	return vkey{s: string(b)}
}

// LoadRelated loads a relationship path ("Posts", "Posts.Comments") of an
// object the session holds, with the same statements a query's Load would
// send for it, and fills the fields. Options filter and order the last
// step. Pending changes are flushed first unless autoflush is off.
func (s *Session) LoadRelated(ctx context.Context, obj any, path string, opts ...LoadOption) error {
	m, p, err := s.object(obj)
	if err == nil && s.stateOf(m, p) == nil {
		err = fmt.Errorf("%s: %w", m, ErrNotPersistent)
	}
	if err == nil && s.autoflush {
		err = s.flush(ctx, false)
	}
	if err == nil {
		var root *loadNode
		root, err = loadTree(s.db.reg, m, []loadPath{{path: path, opts: opts}}, false)
		if err == nil {
			err = runLoads(ctx, s, root, []unsafe.Pointer{p})
		}
		if err == nil {
			err = s.afterLoad(ctx) // lifecycle.go
		}
	}
	if err != nil {
		return fmt.Errorf("load related %s: %w", path, err)
	}
	return nil
}

// Related returns obj's relationship field name (a *T or []*T) through
// the session, which knows what was loaded: a loaded relationship (or one
// of an object created in this session) is returned as it is; an unloaded
// lazy:select one is loaded first (LoadRelated); an unloaded lazy:raise
// one fails with a *NotLoadedError (ErrNotLoaded); lazy:noload returns the
// field as it is.
func (s *Session) Related(ctx context.Context, obj any, name string) (any, error) {
	m, p, err := s.object(obj)
	if err != nil {
		return nil, fmt.Errorf("related %s: %w", name, err)
	}
	r := s.db.reg.rels.Field(m.table, name)
	st := s.stateOf(m, p)
	switch {
	case r == nil:
		return nil, fmt.Errorf("related %s: %s has no relationship %q: %w", name, m, name, ErrNoRelation)
	case st == nil:
		return nil, fmt.Errorf("related %s: %w", name, ErrNotPersistent)
	}
	rm := metaOf(s.db.reg, r)
	if st.status == Persistent && !relOf(st).isLoaded(rm.idx) {
		switch r.Lazy {
		case relation.Raise:
			return nil, fmt.Errorf("related: %w", &NotLoadedError{Model: m.typ.String(), Relation: name, Need: "read"})
		case relation.NoLoad:
		default:
			if err := s.LoadRelated(ctx, obj, name); err != nil {
				return nil, err
			}
		}
	}
	return reflect.NewAt(m.typ, p).Elem().FieldByIndex(r.Field.Index).Interface(), nil
}
