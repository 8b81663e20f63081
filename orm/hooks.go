package orm

import (
	"context"
	"unsafe"
)

// The unit of work's seams for relationships, in SQLAlchemy's split
// (unitofwork.py, dependency.py, sync.py): the flush itself knows tables,
// rows and their foreign-key order; what follows from a relationship is
// added through the hooks below. Each defaults to a no-op; the init
// function further down installs the implementations (cascade.go, sync.go,
// dependency.go, load.go), and tests may swap them (hooks_test.go).
//
// What the hooks may use:
//
//   - Session.add(obj) adds an object and returns its *state (save-update
//     cascade); Session.stateOf(model, ptr) finds the state of an object;
//     st.deleting = true marks a persistent object for deletion (delete
//     cascade, delete-orphan); Registry.byTable maps a *schema.Table to its
//     *model, model.rels lists its relations, relation.Relation has the
//     offset-based field accessors.
//   - flush.actionOf(st) returns the object's insert, update or delete
//     action in this flush (nil when it has none); flush.ensureUpdate(st)
//     creates an update action for an object whose foreign key the sync will
//     change; flush.dependsOn(after, before, sync) adds a row-level edge
//     (sync=true when after's values are copied from before's results, such
//     as a generated key: the flush then sends the pipeline before after's
//     statement is built); flush.statement(table, deps, build) adds a
//     statement that is not an object's own row (association rows of a
//     many_to_many), built when its deps have run.
//   - flush.overwrite(st, col) must be called before the sync writes into
//     an object's column, so that a failed flush puts the old value back
//     (flush.filled(st, col) when the column is known to be zero).
//   - Session.loadRows(ctx, m, sql, args) runs a SELECT of m's select list
//     (tableSQL.list, from s.db.sql[m.id]) and returns the session's objects
//     for the rows, merged into the identity map: the loaders' building
//     block (selectin, lazy loads, loading children to cascade a delete).
//   - state.related is free for per-object relationship bookkeeping (such
//     as the collections as of the last flush, for delete-orphan); set it
//     in afterLoad and afterFlush. Replace it rather than mutate it: a
//     rollback restores the previous value by copying the state.
//   - hooks_test.go drives every seam with a parent/child pair.
type relationHooks struct {
	// onAdd runs after Session.Add has made st pending (save-update
	// cascade along the new object's relationships).
	onAdd func(s *Session, st *state) error

	// beforeFlush runs at the start of every flush, before anything is
	// planned: pick up objects attached to relationships since Add, cascade
	// deletes, find orphans. It may add states and mark states deleting.
	beforeFlush func(f *flush) error

	// dependencies runs after the flush has made one action per object: it
	// adds row-level edges (a child row after its parent row) and extra
	// statements. Table-level foreign key order is already in the plan.
	dependencies func(f *flush) error

	// beforeWrite runs for each insert and update action right before its
	// values are read for the statement, when every action it depends on
	// has run and returned its generated values: copy parent keys into
	// child foreign keys here (sync.go).
	beforeWrite func(f *flush, a *action) error

	// afterFlush runs after a flush succeeded and snapshots are taken
	// (update per-object history kept in state.related).
	afterFlush func(f *flush)

	// failed runs when a flush fails after beforeFlush ran: undo what the
	// hooks changed in objects and states before the statements were
	// sent, so that the session is as it was before the flush.
	failed func(f *flush)

	// afterLoad runs after a query has merged its objects into the
	// session: load the relationships named by Load paths and the eager
	// lazy: strategies (load.go). objs are pointers to model structs.
	afterLoad func(ctx context.Context, s *Session, m *model, objs []unsafe.Pointer, loads []loadPath) error
}

// loadPath is one Load or LoadJoined argument of a query.
type loadPath struct {
	path   string       // dotted field path, "Posts.Comments"
	joined bool         // LoadJoined
	opts   []LoadOption // filter and order of the path's last step
}

// The implementations: cascade.go (save-update, delete, delete-orphan),
// sync.go (keys copied at write time), dependency.go (row order and
// association rows), load.go (the loading strategies).
func init() {
	relHooks = relationHooks{
		onAdd:        cascadeOnAdd,
		beforeFlush:  cascadeBeforeFlush,
		dependencies: relDependencies,
		beforeWrite:  syncBeforeWrite,
		afterFlush:   relAfterFlush,
		failed:       relFailed,
		afterLoad:    loadAfterQuery,
	}
}

// relState is what state.related holds: per relationship of the object's
// model (by index in model.rels), whether it was loaded (or the object was
// created in this session, so the field is all there is) and the targets
// it held as of the last load or flush. It is replaced, never mutated.
// Loaded bits cover a model's first 64 relationships; later ones always
// count as not loaded.
type relState struct {
	loaded uint64
	seen   [][]unsafe.Pointer
}

func relOf(st *state) *relState {
	rs, _ := st.related.(*relState)
	return rs
}

// isLoaded reports whether relationship i of st was loaded or flushed.
func (rs *relState) isLoaded(i int) bool { return rs != nil && rs.loaded&(1<<uint(i)) != 0 }

// seenOf returns the targets of relationship i as of the last load or
// flush.
func (rs *relState) seenOf(i int) []unsafe.Pointer {
	if rs == nil || i >= len(rs.seen) {
		return nil
	}
	return rs.seen[i]
}

// relHooks holds the installed hooks; see relationHooks.
var relHooks = relationHooks{
	onAdd:        func(*Session, *state) error { return nil },
	beforeFlush:  func(*flush) error { return nil },
	dependencies: func(*flush) error { return nil },
	beforeWrite:  func(*flush, *action) error { return nil },
	afterFlush:   func(*flush) {},
	failed:       func(*flush) {},
	afterLoad: func(context.Context, *Session, *model, []unsafe.Pointer, []loadPath) error {
		return nil
	},
}
