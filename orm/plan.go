package orm

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/crucible-orm/crucible/schema"
)

// The flush plan is a graph of actions, one per object to write (insert,
// update or delete) plus extra statements from the relationship rules.
// Table-level foreign key order enters through barrier nodes (one per table
// and phase) so that it costs O(rows) edges; row-level edges come from
// self-referencing foreign key values and from the rules. A longest-path
// layering of the graph gives each action a level; actions of one level,
// table and kind form a batch, sent as one statement where the form allows.

type actionKind uint8

const (
	actInsert actionKind = iota + 1
	actUpdate
	actDelete
	actExtra
	actBarrier
)

var actionNames = [...]string{actInsert: "insert", actUpdate: "update", actDelete: "delete", actExtra: "statement"}

// action is one node of the plan. It is kept small (one per object
// written): a flush of n rows holds n of them.
type action struct {
	kind   actionKind
	mark   uint8 // DFS colour: 0 new, 1 on stack, 2 done
	del    bool  // a barrier: of deletes (else of saves)
	cut    bool  // every dependency from the 64th on is a value dependency
	level  int32
	st     *state // the object, nil for extras and barriers
	m      *model // the table's model; nil for extras on unmapped tables
	batch  *batch
	deps   []*action
	valued uint64 // bit i: deps[i] is a value dependency (see dependsOn)
	extra  *extraStmt
	// cols are, for an update, the columns it writes, known from the
	// dirty check and then from the statement (colSet.low): what
	// prepareUpdate need not compare again and what a final flush copies
	// into the snapshot (patchSnapshot); 0 when unknown.
	cols uint64
}

// extraStmt is a statement a rule adds: build runs when the statement is
// about to be queued, after every action it depends on has run.
type extraStmt struct {
	table *schema.Table
	build func(f *flush) (sql string, args []any, err error)
}

// batch is the actions of one level, table and kind.
type batch struct {
	kind    actionKind
	m       *model
	level   int32
	actions []*action
	queued  bool // in the pipeline
	done    bool // results read
	inline  [2]*action
}

// String names the action for messages ("insert users(new #3)").
func (a *action) String() string {
	switch {
	case a.kind == actBarrier && a.del:
		return "deletes of " + a.m.table.Name
	case a.kind == actBarrier:
		return "saves of " + a.m.table.Name
	case a.st == nil:
		return "statement"
	}
	return actionNames[a.kind] + " " + rowName(a.st)
}

// rowName names a row for messages: "users(42)", "tags(\"go\")" or
// "users(new #3)".
func rowName(st *state) string {
	if _, ok := st.m.ident.keyIn(st, st.obj); ok && st.status != Pending {
		return st.m.table.Name + "(" + st.m.ident.keyText(st.obj) + ")"
	}
	return st.m.table.Name + "(new #" + strconv.FormatUint(uint64(st.ord), 10) + ")"
}

// depKind says what a dependency between two actions carries.
type depKind uint8

const (
	// orderOnly: the one runs after the other.
	orderOnly depKind = iota
	// copiesValues: the one's values are copied from the other's results,
	// so they cannot share a pipeline when the other returns generated
	// values.
	copiesValues
)

// dependsOn makes after run after before, as kind says.
func (f *flush) dependsOn(after, before *action, kind depKind) {
	if after == nil || before == nil || after == before {
		return
	}
	f.addDep(after, before)
	switch i := len(after.deps) - 1; {
	case kind == orderOnly:
	case i < 64:
		after.valued |= 1 << i
	default:
		after.cut = true
	}
}

// valueDep reports whether a's values are copied from the results of its
// i-th dependency.
func (a *action) valueDep(i int) bool {
	if i < 64 {
		return a.valued&(1<<i) != 0
	}
	return a.cut
}

// actionOf returns st's action in this flush, or nil.
func (f *flush) actionOf(st *state) *action {
	return f.markOf(st).act
}

// ensureUpdate returns st's action, creating an update action for a
// persistent object that had none.
func (f *flush) ensureUpdate(st *state) *action {
	if a := f.actionOf(st); a != nil {
		return a
	}
	return f.newAction(actUpdate, st)
}

// statement adds an extra statement on table t after deps.
func (f *flush) statement(t *schema.Table, deps []*action, build func(f *flush) (string, []any, error)) *action {
	a := &action{kind: actExtra, extra: &extraStmt{table: t, build: build}, m: f.s.db.reg.byTable[t]}
	a.deps = append(a.deps, deps...)
	f.actions = append(f.actions, a)
	f.single = nil
	return a
}

func (f *flush) newAction(kind actionKind, st *state) *action {
	if len(f.slab) == cap(f.slab) {
		f.newSlab(min(max(8, 2*cap(f.slab)), maxKeptActions))
	}
	f.slab = append(f.slab, action{kind: kind, st: st, m: st.m})
	a := &f.slab[len(f.slab)-1]
	if len(f.actions) == 0 {
		f.single = st.m
	} else if f.single != st.m {
		f.single = nil
	}
	if len(f.actions) == cap(f.actions) && cap(f.actions) >= maxKeptActions {
		grown := append(f.s.db.spares.lists.get(2*cap(f.actions)), f.actions...)
		f.s.db.spares.lists.keep(f.actions)
		f.actions = grown
	}
	f.actions = append(f.actions, a)
	f.mark(st).act = a
	return a
}

// newSlab makes room for n more actions: a slab of its own, from the
// DB's spares when it is large. Actions already taken stay where they
// are (the flush holds pointers to them); trim gives the large slabs back.
func (f *flush) newSlab(n int) {
	if n < maxKeptActions {
		f.slab = make([]action, 0, n)
		return
	}
	f.slab = f.s.db.spares.slabs.get(n)
	f.spent = append(f.spent, f.slab)
}

// tableEdges adds the table-level foreign key order through barriers:
// saves of a table after the saves of the tables it references; deletes of
// a table after the saves and deletes of the tables referencing it.
func (f *flush) tableEdges() {
	saves, deletes := map[*model][]*action{}, map[*model][]*action{}
	for _, a := range f.actions {
		switch a.kind {
		case actInsert, actUpdate:
			saves[a.m] = append(saves[a.m], a)
		case actDelete:
			deletes[a.m] = append(deletes[a.m], a)
		}
	}
	saveDone := barriers(false, saves)
	delDone := barriers(true, deletes)
	for _, a := range f.actions {
		switch a.kind {
		case actDelete:
			for _, c := range a.m.children {
				f.addDep(a, saveDone[c])
				f.addDep(a, delDone[c])
			}
		case actInsert, actUpdate:
			for _, p := range a.m.parents {
				f.addDep(a, saveDone[p])
			}
		}
	}
}

func barriers(del bool, groups map[*model][]*action) map[*model]*action {
	out := make(map[*model]*action, len(groups))
	for m, list := range groups {
		out[m] = &action{kind: actBarrier, deps: list, m: m, del: del}
	}
	return out
}

// depRoom is how many dependencies an action gets room for at once: a
// child's parent row and the barrier of the parents' table.
const depRoom = 2

// addDep appends d (when not nil) to a's dependencies. An action's first
// depRoom dependencies are cut from storage the flush shares, so that a
// flush of many related rows does not allocate a tiny slice per row.
func (f *flush) addDep(a, d *action) {
	if d == nil {
		return
	}
	if a.deps == nil {
		if len(f.deps)+depRoom > cap(f.deps) {
			f.deps = make([]*action, 0, 256*depRoom)
		}
		i := len(f.deps)
		f.deps = f.deps[:i+depRoom]
		a.deps = f.deps[i : i : i+depRoom]
	}
	a.deps = append(a.deps, d)
}

// layer gives every action its level (longest path from the sources) and
// fails with a *CycleError naming the rows of a cycle.
func (f *flush) layer() error {
	if f.single != nil && !f.anyDeps() {
		return nil // every action at level 0
	}
	for _, a := range f.actions {
		if err := visit(a, nil); err != nil {
			return err
		}
	}
	return nil
}

func (f *flush) anyDeps() bool {
	for _, a := range f.actions {
		if len(a.deps) > 0 {
			return true
		}
	}
	return false
}

func visit(a *action, stack []*action) error {
	switch a.mark {
	case 2:
		return nil
	case 1:
		return cycleError(stack, a)
	}
	a.mark = 1
	stack = append(stack, a)
	level := int32(0)
	for _, d := range a.deps {
		if err := visit(d, stack); err != nil {
			return err
		}
		l := d.level
		if d.kind != actBarrier {
			l++
		}
		level = max(level, l)
	}
	a.level, a.mark = level, 2
	return nil
}

func cycleError(stack []*action, a *action) error {
	i := slices.Index(stack, a)
	e := &CycleError{}
	for _, x := range append(stack[i:], a) {
		if x.kind != actBarrier {
			e.Rows = append(e.Rows, x.String())
		}
	}
	return e
}

// group puts the actions into batches in execution order: by level, then
// inserts, updates, deletes and extra statements, then table order.
func (f *flush) group() {
	type key struct {
		level int32
		kind  actionKind
		m     *model
	}
	if f.single != nil && f.flat() {
		f.groupFlat()
		return
	}
	byKey := map[key]*batch{}
	for _, a := range f.actions {
		if a.kind == actExtra {
			b := &batch{kind: actExtra, m: a.m, level: a.level, actions: []*action{a}}
			a.batch, f.batches = b, append(f.batches, b)
			continue
		}
		k := key{a.level, a.kind, a.m}
		b := byKey[k]
		if b == nil {
			b = &batch{kind: a.kind, m: a.m, level: a.level}
			byKey[k] = b
			f.batches = append(f.batches, b)
		}
		b.actions = append(b.actions, a)
		a.batch = b
	}
	slices.SortStableFunc(f.batches, func(x, y *batch) int {
		return cmp.Or(cmp.Compare(x.level, y.level), cmp.Compare(x.kind, y.kind), cmp.Compare(orderOf(x.m), orderOf(y.m)))
	})
	for _, b := range f.batches {
		sortRows(b)
	}
}

func orderOf(m *model) int {
	if m == nil {
		return -1
	}
	return m.order
}

// flat reports whether every action is at level 0 (no edges at all).
func (f *flush) flat() bool {
	for _, a := range f.actions {
		if a.level != 0 {
			return false
		}
	}
	return true
}

// groupFlat is group for the common flush of one table without row
// dependencies: at most one batch per kind.
func (f *flush) groupFlat() {
	var byKind [actExtra]*batch
	for _, a := range f.actions {
		b := byKind[a.kind]
		if b == nil {
			b = &f.room.batches[a.kind-1]
			*b = batch{kind: a.kind, m: a.m}
			b.actions = b.inline[:0]
			byKind[a.kind] = b
		}
		b.actions = append(b.actions, a)
		a.batch = b
	}
	for _, b := range byKind {
		if b != nil {
			f.batches = append(f.batches, b)
			if len(b.actions) > 1 {
				sortRows(b)
			}
		}
	}
}

// sortRows orders a batch's rows: inserts in Add order, updates and deletes
// by primary key (a stable order across transactions, which avoids
// deadlocks between concurrent flushes).
func sortRows(b *batch) {
	var order func(x, y *action) int
	switch {
	case b.kind == actInsert:
		order = func(x, y *action) int { return cmp.Compare(x.st.ord, y.st.ord) }
	case b.kind != actUpdate && b.kind != actDelete:
		return
	case b.m.ident.intKey:
		order = func(x, y *action) int { return cmp.Compare(x.st.kn, y.st.kn) }
	default:
		order = func(x, y *action) int { return cmp.Compare(x.st.id().s, y.st.id().s) }
	}
	// Rows usually arrive in order already (added, or loaded by key): one
	// pass says so, cheaper than the sort's own.
	if !slices.IsSortedFunc(b.actions, order) {
		slices.SortFunc(b.actions, order)
	}
}
