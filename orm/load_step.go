package orm

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
)

// loader runs the steps of relationship loads for a session. With takeRow
// (Session.Refresh along refresh-expire) held objects take the loaded
// values even when they have unflushed changes, and to-one steps select
// what the session already holds.
type loader struct {
	s    *Session
	held onHeld
	// fields is what an owner's field takes when the program changed it
	// since its last load or flush: keepChanges keeps the change (a query),
	// takeRow the loaded targets (a refresh of the owner).
	fields onHeld
	all    bool // soft-deleted targets too (a delete cascade; softdelete.go)

	// spare is the rows of a finished step, given back (see release) for
	// the next step's scan to append to, so that a load of several steps
	// grows one buffer instead of one per step.
	spare []loadedRow
}

// release gives back the rows of a step once nothing reads them.
func (l *loader) release(rows []loadedRow) {
	if cap(rows) > cap(l.spare) {
		l.spare = rows[:0]
	}
}

// step loads relationship ru of owners with one statement (none when no
// owner has a key, or the rule can answer for every owner from the
// session), sets the fields, the history and the back references, and
// returns the rows (see distinct for the targets).
func (l *loader) step(ctx context.Context, ru rule, owners []*state, opts *loadOpts) ([]loadedRow, error) {
	rb := ru.base()
	g := groupOwners(l.s, &rb.localKey, owners)
	defer dropGroups(l.s, g)
	var rows []loadedRow
	reps := g.reps
	if opts == nil && l.held == keepChanges {
		rows, reps = ru.held(l, g)
	}
	if len(reps) > 0 {
		more, err := ru.fetch(ctx, l, g, reps, opts)
		if err != nil {
			return nil, err
		}
		if rows == nil {
			rows = more
		} else {
			rows = append(rows, more...)
		}
	}
	scope := wholeField
	if opts != nil && len(opts.filter.conds) > 0 {
		scope = filteredRows
	}
	l.setLoaded(rb, owners, g, rows, scope)
	return rows, nil
}

// held is the rule method of the kinds that never answer from the
// session: every group is selected.
func (rb *relBase) held(_ *loader, g *keyGroups) ([]loadedRow, []*state) { return nil, g.reps }

// fetch selects the targets of the owners reps (of groups g, which may be
// nil) with the relationship's statement.
func (rb *relBase) fetch(ctx context.Context, l *loader, g *keyGroups, reps []*state, opts *loadOpts) ([]loadedRow, error) {
	sql, args, err := l.s.db.rel[rb.id].stepSQL(rb, reps, opts, l.all, l.s.db.reg)
	if err != nil {
		return nil, err
	}
	return l.scan(ctx, rb, g, sql, args)
}

// loadedRow is a target with the group of the owner key it matched (-1
// for none).
type loadedRow struct {
	g  int32
	st *state
}

// scan runs a step's statement and merges its rows into the session: a
// held object keeps its unflushed changes unless the loader takes rows.
// Each row's owner key is read from the row as selected (for a
// many_to_many, from the association columns, scanned into the owner's
// key fields) and looked up in g.
func (l *loader) scan(ctx context.Context, rb *relBase, g *keyGroups, sql string, args []any) ([]loadedRow, error) {
	s, m := l.s, rb.target
	s.indexFor(m) // rows of earlier queries must be found by this one
	n, scratch, keys := 0, mem.Ptr{}, distinctKeys
	if rb.r.Side == relation.FKOnSecondary {
		n, scratch, keys = len(rb.local), mem.New(rb.owner.typ), repeatedKeys
	}
	var dest []any // a step's own columns come first; pgx scans into them
	if n > 0 {
		dest = make([]any, n+len(m.cols))
		for i, c := range rb.local[:n] {
			dest[i] = c.ptr(scratch)
		}
	}
	out := l.spare[:0]
	if l.spare == nil {
		out = s.db.spares.rows.get(0)
	}
	l.spare = nil
	objs := s.objChunk(m)
	err := s.query(ctx, sql, args, func(rows pgx.Rows) error {
		var plan rowPlan
		for i := 0; rows.Next(); i++ {
			obj := objs.next()
			var err error
			if n == 0 {
				if i == 0 {
					if plan = planRows(rows, 0, m.cols); plan.slow {
						dest = make([]any, len(m.cols))
					}
				}
				err = plan.scan(rows, obj, dest)
			} else {
				for i, c := range m.cols {
					dest[n+i] = c.ptr(obj)
				}
				err = rows.Scan(dest...)
			}
			if err != nil {
				return fmt.Errorf("scan %s: %w", m.table.Name, err)
			}
			id := int32(-1)
			if g != nil {
				var k idKey
				if n > 0 {
					k, _ = rb.localKey.stored(scratch)
				} else {
					k, _ = rb.remoteKey.stored(obj)
				}
				if gid, ok := g.id(k); ok {
					id = gid
				}
			}
			out = push(out, loadedRow{id, s.keepLoaded(m, obj, l.held, keys)})
		}
		return nil
	})
	return out, err
}

// loadScope says whether a load brought a field's whole contents.
type loadScope uint8

const (
	wholeField   loadScope = iota // every target of the field
	filteredRows                  // the targets a filter kept (LoadOption Where)
)

// rowKeys says whether the rows of a scan may repeat an object.
type rowKeys uint8

const (
	distinctKeys rowKeys = iota // a single-table select: one row per object
	repeatedKeys                // a join or a many_to_many: rows may repeat one
)

// keepLoaded merges an object scanned from a row of m into the session and
// returns its state: a held object takes the row's values unless it has
// unflushed changes (and held is keepChanges). With repeatedKeys, earlier
// rows of the scan may hold the same object, which must then be found.
func (s *Session) keepLoaded(m *model, obj mem.Ptr, held onHeld, keys rowKeys) *state {
	k := m.rowKey(obj)
	st := s.idmap.get(k)
	if keys == repeatedKeys {
		st = s.lookup(k)
	}
	if st != nil {
		s.merge(st, obj, held)
		return st
	}
	return s.addLoaded(m, obj, k, m.copyRow)
}

// keyGroups groups owners by the key of their join columns.
type keyGroups struct {
	of     []int32          // each owner's group, -1 when it has no key
	reps   []*state         // the first owner of each group
	intKey bool             // the keys are integers: ints, else strs
	ints   map[int64]int32  // group of an integer key
	strs   map[string]int32 // group of any other key
}

// groupOwners groups owners by their key of kc, in a keyGroups from the
// DB's spares (give it back with dropGroups once the step is done).
func groupOwners(s *Session, kc *keyCodec, owners []*state) *keyGroups {
	g, _ := s.db.spares.groups.Get().(*keyGroups)
	if g == nil {
		g = &keyGroups{}
	}
	g.intKey = kc.intKey
	if cap(g.of) < len(owners) {
		g.of, g.reps = make([]int32, len(owners)), make([]*state, 0, len(owners))
	}
	g.of = g.of[:len(owners)]
	switch {
	case g.intKey && g.ints == nil:
		g.ints = make(map[int64]int32, len(owners))
	case !g.intKey && g.strs == nil:
		g.strs = make(map[string]int32, len(owners))
	}
	for i, o := range owners {
		k, ok := idKey{}, o != nil
		if ok {
			k, ok = kc.keyIn(o, o.obj)
		}
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

// dropGroups gives g back to the DB's spares, holding no state.
func dropGroups(s *Session, g *keyGroups) {
	clear(g.reps[:cap(g.reps)])
	g.reps = g.reps[:0]
	clear(g.ints)
	clear(g.strs)
	s.db.spares.groups.Put(g)
}

// id returns the group of key k.
func (g *keyGroups) id(k idKey) (int32, bool) {
	if g.intKey {
		id, ok := g.ints[k.n]
		return id, ok
	}
	id, ok := g.strs[k.s]
	return id, ok
}

func (g *keyGroups) set(k idKey, id int32) {
	if g.intKey {
		g.ints[k.n] = id
		return
	}
	g.strs[k.s] = id
}

// distribute returns the targets of every group in row order, in one
// array, and where each group's list ends in it (group id's list is
// all[ends[id-1]:ends[id]], from 0 for the first; see targets). A to-one
// group keeps its first target; rows it leaves out get group -1.
func (g *keyGroups) distribute(rb *relBase, rows []loadedRow) (all []mem.Ptr, ends []int32) {
	ends = make([]int32, len(g.reps)+1)
	for i := range rows {
		id := rows[i].g
		if id >= 0 && !rb.r.Uselist && ends[id+1] > 0 {
			rows[i].g, id = -1, -1
		}
		if id >= 0 {
			ends[id+1]++
		}
	}
	for i := 1; i < len(ends); i++ {
		ends[i] += ends[i-1]
	}
	// ends[id] is where group id starts; placing its targets moves it to
	// where the group ends.
	all = make([]mem.Ptr, ends[len(ends)-1])
	for _, row := range rows {
		if id := row.g; id >= 0 {
			all[ends[id]] = row.st.obj
			ends[id]++
		}
	}
	return all, ends[:len(g.reps)]
}

// targetsOf returns group id's list from distribute's result; its capacity
// ends at its length, so that appending to a field never writes into the
// next group's.
func targetsOf(all []mem.Ptr, ends []int32, id int32) []mem.Ptr {
	lo := int32(0)
	if id > 0 {
		lo = ends[id-1]
	}
	hi := ends[id]
	return all[lo:hi:hi]
}

// stepTargets returns the targets of a load step's rows, each once: the
// rows of one SELECT of the target table are distinct rows already, only
// a many_to_many's (joined through the association table) repeat a
// target shared by several owners.
func stepTargets(rb *relBase, rows []loadedRow) []*state {
	if rb.r.Side == relation.FKOnSecondary {
		return distinct(rows)
	}
	out := make([]*state, len(rows))
	for i, r := range rows {
		out[i] = r.st
	}
	return out
}

// distinct returns the rows' targets, each once (only the rows of a
// many_to_many repeat a target, shared by several owners).
func distinct(rows []loadedRow) []*state {
	out := make([]*state, 0, len(rows))
	seen := make(map[*state]struct{}, len(rows))
	for _, r := range rows {
		if _, ok := seen[r.st]; !ok {
			seen[r.st] = struct{}{}
			out = append(out, r.st)
		}
	}
	return out
}

// setLoaded stores each owner's targets in its field and records them as
// loaded (the collections' lists copied, so that a change through the
// field is seen), and points the targets' to-one back references at the
// first owner of their group. A filtered load (filteredRows) records what it
// loaded as the field's history, so that removing a loaded target counts,
// but not the field as loaded: it may lack rows, and a reference it left
// nil says nothing.
func (l *loader) setLoaded(rb *relBase, owners []*state, g *keyGroups, rows []loadedRow, scope loadScope) {
	r, b := rb.r, rb.back
	all, ends := g.distribute(rb, rows)
	keep := r.Side != relation.FKOnOwner // a manyToOne's history is its key column
	n := len(rb.owner.rules)
	var seenBuf [][]mem.Ptr
	var hdrs []relSeen
	var copies []mem.Ptr
	if keep {
		seenBuf = make([][]mem.Ptr, len(owners)*n)
		hdrs = make([]relSeen, len(owners))
		copies = make([]mem.Ptr, 0, len(rows))
	}
	for i, st := range owners {
		if st == nil {
			continue
		}
		var targets []mem.Ptr
		if id := g.of[i]; id >= 0 {
			targets = targetsOf(all, ends, id)
		}
		field := targets
		switch {
		case l.fields != keepChanges:
		case !keep:
			if (&manyToOne{rb}).changed(l.s, st) {
				continue // the program pointed the reference elsewhere since: its change stands
			}
		default:
			if added, changed := programChanges(rb, st); changed && st.isLoaded(rb.idx) {
				continue // the program changed the loaded field since: its change stands
			} else if len(added) > 0 {
				field = withAdded(r.Uselist, targets, added)
			}
		}
		rb.setField(st.obj, field)
		partials.note(rb, st.obj, targets, scope)
		if st.relLoaded |= bit(rb.idx); scope == filteredRows && (r.Uselist || len(targets) == 0) {
			st.relLoaded &^= bit(rb.idx)
		}
		if keep {
			hdrs[i] = st.withSeen(seenBuf[i*n:], n)
			lo := len(copies)
			copies = append(copies, targets...)
			hdrs[i][rb.idx] = copies[lo:len(copies):len(copies)]
			st.relSeen = &hdrs[i]
		}
	}
	if b != nil && !b.r.Uselist {
		for _, row := range rows {
			if row.g >= 0 {
				l.pointBackTo(b, row.st, g.reps[row.g])
			}
		}
	}
}

// programChanges returns the targets the program attached to st's field
// since its last load or flush, and whether the field changed at all.
func programChanges(rb *relBase, st *state) ([]mem.Ptr, bool) {
	cur, seen := rb.targets(st.obj), st.seenOf(rb.idx)
	if slices.Equal(cur, seen) {
		return nil, false
	}
	return minus(cur, seen), true
}

// withAdded returns what a field not loaded before holds once loaded:
// the loaded targets and those the program attached (for a to-one field,
// the program's target, which replaces the loaded one at flush).
func withAdded(uselist bool, loaded, added []mem.Ptr) []mem.Ptr {
	if !uselist {
		return added[:1]
	}
	out := slices.Clone(loaded)
	for _, t := range added {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// setField stores targets in owner's field.
func (rb *relBase) setField(owner mem.Ptr, targets []mem.Ptr) {
	switch {
	case rb.r.Uselist:
		rb.setMany(owner, targets)
	case len(targets) > 0:
		rb.setOne(owner, targets[0])
	default:
		rb.setOne(owner, mem.Ptr{})
	}
}

// pointBackTo points target's to-one back reference b at owner: a
// reference holding the key (pointBack), or the parent side of a
// one_to_one, whose history is recorded too.
func (l *loader) pointBackTo(b *relBase, target, owner *state) {
	if b.r.Side == relation.FKOnOwner {
		l.pointBack(b, target, owner.obj)
		return
	}
	cur, loaded := b.one(target.obj), target.isLoaded(b.idx)
	if loaded && (cur == owner.obj || !cur.IsNil() && l.held == keepChanges) {
		return // as loaded, or changed by the program since
	}
	b.setOne(target.obj, owner.obj)
	target.relLoaded |= bit(b.idx)
	target.setSeen(b.idx, []mem.Ptr{owner.obj})
}

// ownerStates finds the states of owners, which a query just loaded,
// without building the identity map for them.
func ownerStates(s *Session, m *model, owners []mem.Ptr) []*state {
	out := make([]*state, len(owners))
	at := make(map[mem.Ptr]int, len(owners))
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
