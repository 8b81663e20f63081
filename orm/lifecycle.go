package orm

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Lifecycle hooks are methods a model implements, one small interface
// each, found when the model is registered: calling one is an interface
// method call, without reflection. Within a flush they run in this order:
//
//  1. the relationship cascades (objects added, deletes cascaded);
//  2. BeforeInsert of each pending object (in Add order), BeforeUpdate of
//     each changed persistent object and BeforeDelete of each object
//     marked for deletion (in load order), a child's reference and foreign
//     key set first from the parent 1 decided (showParents), the key only
//     when known (a new parent's generated key comes with its INSERT, in
//     3); the fields they set are part
//     of the changes, as the dirty check comes after them; when a hook ran
//     on an object with relationships, 1 and 2 again on what the hooks
//     left (relationshipsAndHooks), each object's hook running once;
//  3. the statements;
//  4. AfterInsert, AfterUpdate and AfterDelete of each object written, in
//     the same order, before the COMMIT of a Commit (a flush with After
//     hooks sends its COMMIT after them, once what they added or changed
//     through the session is flushed too: flushCommit).
//
// An error or a panic in a hook fails the flush: nothing is committed and
// the session is restored as for any failed flush, including the fields
// (columns and relationships) Before hooks assigned. AfterLoad runs once
// a query, Get, Refresh, Raw or LoadRelated has loaded its rows (and
// their relationships), for each object that took values from a row; its
// error fails the call. Hooks run inside the session's flush or query and
// must not query or send statements through it; After hooks may Add,
// Delete and change objects, which the Commit running them writes in the
// same transaction.

// BeforeInserter is implemented by models that act before their INSERT
// (fill a slug, validate).
type BeforeInserter interface {
	// BeforeInsert runs before the object's INSERT; its error fails the
	// flush. A child appended to a parent's collection already names the
	// parent (its reference, and its foreign key when the parent's key is
	// known: not a new parent's generated key, set by that INSERT later).
	BeforeInsert(ctx context.Context) error
}

// AfterInserter is implemented by models that act after their INSERT;
// keys and server defaults are read back by then.
type AfterInserter interface {
	// AfterInsert runs after the object's INSERT, before the COMMIT; its
	// error fails the flush.
	AfterInsert(ctx context.Context) error
}

// BeforeUpdater is implemented by models that act before an UPDATE of
// their changed columns.
type BeforeUpdater interface {
	// BeforeUpdate runs before the object's UPDATE, before the dirty check;
	// its error fails the flush.
	BeforeUpdate(ctx context.Context) error
}

// AfterUpdater is implemented by models that act after their UPDATE.
type AfterUpdater interface {
	// AfterUpdate runs after the object's UPDATE, before the COMMIT; its
	// error fails the flush.
	AfterUpdate(ctx context.Context) error
}

// BeforeDeleter is implemented by models that act before their DELETE.
type BeforeDeleter interface {
	// BeforeDelete runs before the object's DELETE (or soft delete); its
	// error fails the flush.
	BeforeDelete(ctx context.Context) error
}

// AfterDeleter is implemented by models that act after their DELETE.
type AfterDeleter interface {
	// AfterDelete runs after the object's DELETE (or soft delete), before
	// the COMMIT; its error fails the flush.
	AfterDelete(ctx context.Context) error
}

// AfterLoader is implemented by models that act once loaded from a row.
type AfterLoader interface {
	// AfterLoad runs once the call that loaded the object's row is done;
	// its error fails that call.
	AfterLoad(ctx context.Context) error
}

// ErrHookPanic is matched by the *HookError of a hook that panicked.
var ErrHookPanic = errors.New("hook panicked")

// HookError is a lifecycle hook's failure, returned (wrapped) by the
// flush or query it failed. It wraps the hook's error, or ErrHookPanic
// with the panic's value in Panic.
type HookError struct {
	Model string // the model's Go type
	Hook  string // "BeforeInsert", …
	Err   error  // the hook's error, or ErrHookPanic
	Panic any    // the value a panicking hook panicked with
}

// Error names the hook and what went wrong.
func (e *HookError) Error() string {
	if e.Panic != nil {
		return fmt.Sprintf("%s of %s: %v: %v", e.Hook, e.Model, e.Err, e.Panic)
	}
	return fmt.Sprintf("%s of %s: %v", e.Hook, e.Model, e.Err)
}

// Unwrap returns the hook's error (ErrHookPanic for a panic).
func (e *HookError) Unwrap() error { return e.Err }

// hookSet is the set of hooks a model implements.
type hookSet uint8

const (
	hookBeforeInsert hookSet = 1 << iota
	hookAfterInsert
	hookBeforeUpdate
	hookAfterUpdate
	hookBeforeDelete
	hookAfterDelete
	hookAfterLoad
)

var hookTypes = [...]struct {
	h    hookSet
	name string
	typ  reflect.Type
}{
	{hookBeforeInsert, "BeforeInsert", reflect.TypeFor[BeforeInserter]()},
	{hookAfterInsert, "AfterInsert", reflect.TypeFor[AfterInserter]()},
	{hookBeforeUpdate, "BeforeUpdate", reflect.TypeFor[BeforeUpdater]()},
	{hookAfterUpdate, "AfterUpdate", reflect.TypeFor[AfterUpdater]()},
	{hookBeforeDelete, "BeforeDelete", reflect.TypeFor[BeforeDeleter]()},
	{hookAfterDelete, "AfterDelete", reflect.TypeFor[AfterDeleter]()},
	{hookAfterLoad, "AfterLoad", reflect.TypeFor[AfterLoader]()},
}

// methods finds, at registration, the hooks and the Upserter clause of
// the model.
func (m *model) methods() error {
	pt := reflect.PointerTo(m.typ)
	for _, h := range hookTypes {
		if pt.Implements(h.typ) {
			m.hooks |= h.h
		}
	}
	if err := m.findSoftDelete(); err != nil {
		return err
	}
	return m.upserter()
}

// call runs one hook of the object at p, turning an error or a panic into
// a *HookError.
func (h hookSet) call(ctx context.Context, m *model, p mem.Ptr) (err error) {
	obj := mem.Any(m.ptrWord, p)
	name := h.name()
	defer func() {
		if r := recover(); r != nil {
			err = &HookError{Model: m.typ.String(), Hook: name, Err: ErrHookPanic, Panic: r}
		}
	}()
	switch h {
	case hookBeforeInsert:
		err = obj.(BeforeInserter).BeforeInsert(ctx)
	case hookAfterInsert:
		err = obj.(AfterInserter).AfterInsert(ctx)
	case hookBeforeUpdate:
		err = obj.(BeforeUpdater).BeforeUpdate(ctx)
	case hookAfterUpdate:
		err = obj.(AfterUpdater).AfterUpdate(ctx)
	case hookBeforeDelete:
		err = obj.(BeforeDeleter).BeforeDelete(ctx)
	case hookAfterDelete:
		err = obj.(AfterDeleter).AfterDelete(ctx)
	case hookAfterLoad:
		err = obj.(AfterLoader).AfterLoad(ctx)
	}
	if err != nil {
		err = &HookError{Model: m.typ.String(), Hook: name, Err: err}
	}
	return err
}

func (h hookSet) name() string {
	for _, t := range hookTypes {
		if t.h == h {
			return t.name
		}
	}
	return "hook"
}

// relationshipsAndHooks runs the relationship side of the flush (the
// cascades, the histories) and then the Before hooks. A Before hook of an
// object with relationships may change them (set a reference, append a
// child), so the relationship side then runs again, from scratch, on what
// the hooks left, and the objects it brings in get their Before hooks in
// turn; each object's hook runs once a flush.
func (f *flush) relationshipsAndHooks() error {
	for round := 0; ; round++ {
		if err := f.relationships(); err != nil {
			return err
		}
		again, err := f.runBefore()
		if err != nil || !again {
			return err
		}
		if round == maxHookRounds {
			return fmt.Errorf("before hooks still changed relationships after %d rounds", maxHookRounds)
		}
		f.rel.retract()
	}
}

// runBefore runs the Before hooks of the flush's objects that have not
// run theirs, after the cascades and before the dirty check. Each
// object's columns and relationship fields are journaled first, so that a
// failed flush puts back what its hook assigned. again reports that a
// hook ran on an object with relationships, which the relationship side
// must then see.
func (f *flush) runBefore() (again bool, err error) {
	s := f.s
	if err := s.afterLoad(f.ctx); err != nil { // rows the cascades loaded
		return false, err
	}
	if !s.db.reg.hooked {
		return false, nil
	}
	for _, st := range s.pending {
		if again, err = f.before(st, hookBeforeInsert, again); err != nil {
			return false, err
		}
	}
	for _, st := range s.loaded {
		switch {
		case st.status != Persistent:
		case st.deleting:
			again, err = f.before(st, hookBeforeDelete, again)
		case st.m.hooks&hookBeforeUpdate != 0 && !f.ranBefore[st] && st.dirty():
			again, err = f.before(st, hookBeforeUpdate, again)
		}
		if err != nil {
			return false, err
		}
	}
	return again, nil
}

// before runs hook h of st unless st has none or ran one this flush;
// again is or-ed with whether st has relationships the hook may change.
func (f *flush) before(st *state, h hookSet, again bool) (bool, error) {
	if st.m.hooks&h == 0 || f.ranBefore[st] {
		return again, nil
	}
	if !f.hooked {
		f.hooked = true
		f.hookMark = len(f.s.ensureTx().journal)
		f.ranBefore = map[*state]bool{}
	}
	f.ranBefore[st] = true
	for _, c := range st.m.cols {
		f.overwrite(st, c)
	}
	f.keepRelations(st)
	if h&(hookBeforeInsert|hookBeforeUpdate) != 0 {
		f.rel.showParents(st)
	}
	return again || len(st.m.rules) > 0, h.call(f.ctx, st.m, st.obj)
}

// showParents gives child st, right before its Before hook, the parents
// the flush decided for it along the foreign keys it writes (a collection
// it was appended to, a parent it moves to, a key the program set): its
// references name the parent, and its key columns hold the parent's key
// when that is known (a stored parent, or a new one whose key the program
// set; a generated key is copied after the parent's INSERT, as ever). The
// hook's journal entry, taken before, puts both back if the flush fails.
func (fr *relFlush) showParents(st *state) {
	if fr == nil {
		return
	}
	fr.claimsOf(st, func(c *claim) {
		if !c.link || c.to.IsNil() {
			return
		}
		g := c.fk
		for _, rb := range g.childSides {
			rb.setOne(st.obj, c.to)
		}
		if _, ok := g.parentKeyOf(fr.s, c.to); ok && !c.keyed {
			g.assign(st.obj, c.to)
		}
	})
}

// undoBefore puts back what the Before hooks assigned, when the flush
// fails before sending anything.
func (f *flush) undoBefore() {
	if f.hooked && f.s.tx != nil {
		f.s.restore(f.hookMark)
	}
}

// afterHooks reports whether an object of the flush has an After hook.
func (f *flush) afterHooks() bool {
	if !f.s.db.reg.hooked {
		return false
	}
	for _, a := range f.actions {
		if a.st != nil && a.st.m.hooks&(hookAfterInsert|hookAfterUpdate|hookAfterDelete) != 0 {
			return true
		}
	}
	return false
}

// runAfter runs the After hooks of the objects written.
func (f *flush) runAfter() error {
	for _, a := range f.actions {
		st := a.st
		if st == nil || f.skipped[st] {
			continue
		}
		var h hookSet
		switch a.kind {
		case actInsert:
			h = hookAfterInsert
		case actUpdate:
			h = hookAfterUpdate
		case actDelete:
			h = hookAfterDelete
		}
		if st.m.hooks&h != 0 {
			if err := h.call(f.ctx, st.m, st.obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadedObj is an object that took values from a row, waiting for its
// AfterLoad.
type loadedObj struct {
	m *model
	p mem.Ptr
}

// loadedRow records that the object at p took values from a row.
func (s *Session) loadedRow(m *model, p mem.Ptr) {
	if m.hooks&hookAfterLoad != 0 {
		s.toLoad = append(s.toLoad, loadedObj{m, p})
	}
}

// afterLoad runs the AfterLoad hooks of the objects loaded since the last
// call.
func (s *Session) afterLoad(ctx context.Context) error {
	if len(s.toLoad) == 0 {
		return nil
	}
	objs := s.toLoad
	s.toLoad = nil
	for _, o := range objs {
		if err := hookAfterLoad.call(ctx, o.m, o.p); err != nil {
			return err
		}
	}
	return nil
}

// hookedModels reports whether any model has a Before or After hook of
// the flush, so that flushes of registries without any skip the scans.
func hookedModels(models []*model) bool {
	for _, m := range models {
		if m.hooks&^hookAfterLoad != 0 {
			return true
		}
	}
	return false
}
