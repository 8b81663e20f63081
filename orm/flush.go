package orm

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// flush is one unit-of-work run: cascade → collect → plan → execute →
// finalise, or restore on failure.
type flush struct {
	s       *Session
	ctx     context.Context
	id      uint32 // stamped on the states it marks (marks)
	actions []*action
	batches []*batch
	single  *model    // the only table written, nil when several
	final   bool      // the flush ends the transaction (its pipeline commits)
	deps    []*action // room for the actions' first dependencies (addDep)

	// rel is the relationship side of the flush (relflush.go), nil when
	// the registry has no relationships.
	rel *relFlush

	skipped   map[*state]bool // upserted objects whose row was skipped (DO NOTHING)
	bulk      bool            // a statement-level Insert, not a flush of the session
	hooked    bool            // Before hooks ran (lifecycle.go)
	hookMark  int             // the journal's length before they did
	ranBefore map[*state]bool // the objects whose Before hook ran (each runs once a flush)

	pipe  pipe
	marks []flushMark // what the flush records on the objects it touches (state.slot)
	slab  []action    // actions are taken from here
	spent [][]action  // slabs from the DB's spares, given back by trim
	room  flushRoom
}

var errReentrant = errors.New("flush called from inside a flush")

// Flush writes every pending change (inserts, updates of changed columns,
// deletes) in the session's transaction, which it begins if needed, in
// foreign key order. It does not commit. When nothing changed it sends
// nothing. A failed flush rolls the transaction back (or, inside Nested,
// back to the savepoint) and leaves the session as it was before: pending
// objects still pending, keys assigned by the failed flush cleared,
// snapshots unchanged; fix the cause and flush again.
func (s *Session) Flush(ctx context.Context) error {
	if err := s.flush(ctx, keepTx); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// maxHookRounds bounds the flushes one Commit runs for what After hooks
// add or change.
const maxHookRounds = 100

// flushCommit is Commit: a flush whose pipeline ends with COMMIT. A flush
// whose After hooks ran leaves the COMMIT to it: what the hooks added,
// changed or deleted through the session (an audit row) is flushed
// first, in the same transaction, as SQLAlchemy's commit flushes until
// the session is clean.
func (s *Session) flushCommit(ctx context.Context) error {
	for round := 0; ; round++ {
		hooked, err := s.flushOnce(ctx, commitTx)
		if err != nil {
			return err
		}
		if !hooked {
			break
		}
		if round == maxHookRounds {
			return s.failTx(fmt.Errorf("after hooks still added or changed objects after %d flushes", maxHookRounds))
		}
	}
	if s.tx == nil {
		return nil
	}
	// Nothing (more) to flush, but a transaction is open (reads, bulk
	// statements, an earlier Flush, a flush with After hooks): commit it
	// on its own.
	return s.endTxChecked(ctx)
}

// endTxChecked commits the open transaction with nothing to flush.
func (s *Session) endTxChecked(ctx context.Context) error {
	t := s.tx
	if !t.begun {
		s.committed()
		s.releaseTx()
		return nil
	}
	p := &pipe{s: s, commit: true}
	if err := p.run(ctx); err != nil {
		return s.sendFailed(err)
	}
	s.committed()
	s.releaseTx()
	return nil
}

// txEnd says how the statements a flush sends end the transaction.
type txEnd uint8

const (
	// keepTx leaves the transaction open (Flush, autoflush).
	keepTx txEnd = iota
	// commitTx ends it with a pipelined COMMIT (Commit), unless After
	// hooks ran.
	commitTx
	// implicitTx sends the statements with no BEGIN nor COMMIT: the
	// pipeline, one Sync, is the transaction (execute only).
	implicitTx
)

// flush runs the unit of work; with commitTx, a successful flush also ends
// the transaction with a pipelined COMMIT, unless After hooks ran.
func (s *Session) flush(ctx context.Context, end txEnd) error {
	_, err := s.flushOnce(ctx, end)
	return err
}

// flushOnce is flush; hooked reports that After hooks ran, in which case
// the transaction stays open and the COMMIT is the caller's (flushCommit).
func (s *Session) flushOnce(ctx context.Context, end txEnd) (hooked bool, err error) {
	if err := s.takeErr(); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if s.flushing {
		return false, errReentrant
	}
	s.flushing = true
	defer func() { s.flushing = false }()
	if len(s.pending) == 0 && len(s.loaded) == 0 {
		return false, nil // nothing the session holds could need writing
	}
	f, err := s.plan(ctx)
	if err != nil {
		f.undoBefore()
		f.rel.failed()
		return false, err
	}
	if len(f.actions) == 0 {
		return false, nil
	}
	after := f.afterHooks()
	err = f.execute(s.openFor(f, end, after))
	if err == nil && after {
		err = f.runAfter()
	}
	if errors.As(err, new(*CommittedError)) {
		s.committedUnread(f)
		return false, err
	}
	if err != nil {
		return false, s.flushFailed(f, err)
	}
	f.finalize()
	if f.final {
		s.committed()
		s.releaseTx()
	}
	f.trim()
	return after, nil
}

// committedUnread ends flush f, whose transaction committed although the
// session failed to handle some of the results (a *CommittedError): the
// states are finalized as written, then the objects written detached,
// since some may lack what the server returned.
func (s *Session) committedUnread(f *flush) {
	f.finalize()
	s.committed()
	s.releaseTx()
	s.index() // the inserted states, before expunge takes them out
	for _, a := range f.actions {
		if a.st != nil && a.st.status != detached {
			s.expunge(a.st)
		}
	}
	f.trim()
}

// maxKeptActions is the action storage a session keeps from one flush for
// the next; a larger flush's is dropped, so that a session does not hold
// per-object flush bookkeeping once the flush is done.
const maxKeptActions = 256

// trim ends a successful flush: nothing of it stays reachable (statements,
// arguments, batches, the objects' links to their actions) but small
// storage for the next one.
func (f *flush) trim() {
	acts, slab, spent, marks := f.actions, f.slab, f.spent, f.marks
	spares := &f.s.db.spares
	if cap(marks) < maxKeptActions {
		clear(marks)
		marks = marks[:0]
	} else {
		spares.marks.keep(marks)
		marks = nil
	}
	if fr := f.rel; fr != nil {
		if cap(fr.claims) >= maxKeptActions {
			spares.claims.keep(fr.claims)
		}
		if cap(fr.visited) >= maxKeptActions {
			spares.states.keep(fr.visited)
		}
	}
	*f = flush{marks: marks}
	if cap(acts) < maxKeptActions {
		f.actions = acts[:0]
	} else {
		spares.lists.keep(acts)
	}
	if cap(slab) < maxKeptActions {
		f.slab = slab[:0]
	}
	for _, sl := range spent {
		spares.slabs.keep(sl)
	}
	clear(spent)
	f.spent = spent[:0]
}

// plan collects the actions and orders them; it changes nothing in the
// session but what the cascades do.
func (s *Session) plan(ctx context.Context) (*flush, error) {
	id := s.nextFlushID()
	w := s.workspace()
	w.endFlush()
	f := &w.flush
	// The previous flush's storage is reused: a session flushing the same
	// work again (a batch job, a loop of commits) allocates none of it.
	acts, slab, spent, marks := f.actions, f.slab, f.spent, f.marks
	*f = flush{s: s, ctx: ctx, id: id, spent: spent[:0], marks: marks[:0]}
	// Room for a mark on every object the session holds, up to what the
	// spares keep: a flush that writes them all does not regrow it.
	if want := min(len(s.pending)+len(s.loaded), maxFlushSpare); cap(marks) < want {
		f.marks = take(&s.db.spares.marks, want)
	}
	n := len(s.pending) + min(len(s.loaded), 64)
	if f.actions = reuse(acts, f.room.actPtrs[:0], n); f.actions == nil {
		f.actions = s.db.spares.lists.get(n)
	}
	f.batches = f.room.batchPtrs[:0]
	if f.slab = reuse(slab, f.room.actions[:0], n); f.slab == nil {
		f.newSlab(n)
	}
	if err := f.relationshipsAndHooks(); err != nil {
		return f, err
	}
	if err := f.collect(); err != nil {
		return f, err
	}
	// The relationships may add statements (association rows) to a flush
	// without row actions.
	if f.rel.dependencies(); len(f.actions) == 0 {
		return f, nil
	}
	f.selfEdges()
	if f.single == nil {
		f.tableEdges()
	}
	if err := f.layer(); err != nil {
		return f, err
	}
	f.group()
	return f, nil
}

// nextFlushID returns the id of a new flush. Ids are 32 bits (a state's
// flushID); when they wrap, the states the session holds forget their
// marks, so that none reads an old flush's mark as the new one's.
func (s *Session) nextFlushID() uint32 {
	if s.flushSeq++; s.flushSeq == 0 {
		s.flushSeq = 1
		forget := func(st *state) { st.flushID = 0 }
		for _, list := range [][]*state{s.pending, s.loaded} {
			for _, st := range list {
				forget(st)
			}
		}
		if s.tx != nil {
			for i := range s.tx.journal {
				u := &s.tx.journal[i]
				u.each(forget)
				if u.prev != nil {
					forget(u.prev)
				}
			}
		}
	}
	return s.flushSeq
}

// reuse returns an empty slice with room for n: old's storage when it is
// big enough, else inline's when that is, else a new one when n is small,
// else nil.
func reuse[E any](old, inline []E, n int) []E {
	switch {
	case cap(old) >= n && cap(old) > cap(inline):
		return old[:0]
	case n <= cap(inline):
		return inline
	case n >= maxKeptActions:
		return nil // the caller takes a large one from the DB's spares
	}
	return make([]E, 0, n)
}

// collect makes one action per pending, changed or deleted object.
func (f *flush) collect() error {
	for _, st := range f.s.pending {
		f.newAction(actInsert, st)
	}
	for _, st := range f.s.loaded {
		if st.status != Persistent {
			continue
		}
		if k, ok := st.m.ident.stored(st.obj); !ok || k != st.id() {
			return fmt.Errorf("%s: %w", rowName(st), ErrKeyChanged)
		}
		if st.deleting {
			f.newAction(actDelete, st)
		} else if set := st.changed(); !set.empty() {
			f.newAction(actUpdate, st).cols = set.low()
		}
	}
	return nil
}

// openFor opens the transaction for flush f and returns how its pipeline
// ends: with COMMIT when the flush ends the transaction (end is commitTx
// and no After hook runs: their COMMIT waits for what they do, see
// flushCommit). A Commit whose transaction holds nothing yet needs no
// BEGIN and no COMMIT when the flush fits one pipeline: the pipeline (one
// Sync) is an implicit transaction, all or nothing (only at the default
// isolation: a stricter level needs its BEGIN).
func (s *Session) openFor(f *flush, end txEnd, after bool) txEnd {
	f.final = end == commitTx && !after
	implicit := f.final && (s.tx == nil || !s.tx.begun && len(s.tx.savepoints) == 0) &&
		s.beginSQL() == "BEGIN" && f.oneWave()
	s.ensureTx()
	switch {
	case implicit:
		s.tx.prefix = s.tx.prefix[:0]
		return implicitTx
	case f.final:
		return commitTx
	}
	return keepTx
}

// flushFailed puts the session back after flush f failed with err
// (sendFailed), then its relationship bookkeeping.
func (s *Session) flushFailed(f *flush, err error) error {
	defer f.rel.failed() // after the journal has put states back
	return s.sendFailed(err)
}

// sendFailed puts the session back after its statements failed with err:
// to where the transaction's database state is (failTx), or, when the
// outcome of a COMMIT is unknown, to before the transaction.
func (s *Session) sendFailed(err error) error {
	var unknown *UnknownOutcomeError
	if errors.As(err, &unknown) {
		s.restore(0)
		s.releaseTx()
		return err
	}
	return s.failTx(err)
}

// execute queues the batches in order, sending the pipeline early only
// when a batch needs values (generated keys) from a queued one; end says
// how the last pipeline ends.
func (f *flush) execute(end txEnd) error {
	p := &f.pipe
	p.s, p.implicit, p.steps = f.s, end == implicitTx, f.room.steps[:0]
	for _, b := range f.batches {
		if f.waits(b) {
			if err := p.run(f.ctx); err != nil {
				return err
			}
		}
		if err := f.queue(p, b); err != nil {
			return err
		}
		b.queued = true
	}
	p.commit = end == commitTx
	return p.run(f.ctx)
}

// oneWave reports whether the whole flush can go in one pipeline: no
// action copies values from another's results.
func (f *flush) oneWave() bool {
	for _, a := range f.actions {
		if a.valued != 0 || a.cut {
			return false
		}
	}
	return true
}

// waits reports whether some action of b copies values from a batch that
// is queued but whose results have not been read.
func (f *flush) waits(b *batch) bool {
	for _, a := range b.actions {
		for i, d := range a.deps {
			if a.valueDep(i) && d.batch != nil && d.batch.queued && !d.batch.done {
				return true
			}
		}
	}
	return false
}

// queue adds the statements of a batch to the pipeline.
func (f *flush) queue(p *pipe, b *batch) error {
	for _, a := range b.actions {
		if f.skipped != nil {
			if err := f.needsSkipped(a); err != nil {
				return err
			}
		}
		if a.st != nil && a.kind != actDelete {
			f.rel.sync(a)
		}
	}
	switch b.kind {
	case actInsert:
		return f.queueInserts(p, b)
	case actUpdate:
		return f.queueUpdates(p, b)
	case actDelete:
		return f.queueDeletes(p, b)
	}
	return f.queueExtra(p, b)
}

func (f *flush) queueExtra(p *pipe, b *batch) error {
	for _, a := range b.actions {
		sql, args, err := a.extra.build(f)
		if err != nil {
			return err
		}
		p.add(step{sql: sql, args: args, what: "statement on " + a.extra.table.Name, batch: b})
	}
	return nil
}

// finalise makes the flushed objects' new state official: inserted objects
// become persistent, snapshots are retaken, deleted objects leave the
// identity map.
func (f *flush) finalize() {
	s := f.s
	inserted, deleted := false, false
	s.loaded = slices.Grow(s.loaded, len(f.actions))
	var keys keyBlock // the inserted rows' uuid keys
	for i, a := range f.actions {
		st := a.st
		if st == nil {
			continue
		}
		if !f.final && f.markOf(st).jidx != groupJournaled {
			f.journal(st) // every touched state can be restored
		}
		switch a.kind {
		case actInsert:
			inserted = true
			if f.skipped[st] {
				st.status = detached // DO NOTHING: it stands for no row
				continue
			}
			st.status = Persistent
			if st.explicit() != nil {
				st.setMore(func(m stateMore) stateMore { m.explicit = nil; return m })
			}
			st.setID(st.m.ident.storedIn(st.obj, &keys, len(f.actions)-i))
			s.snapshot(st)
			s.loaded = append(s.loaded, st) // indexed by key on first lookup
		case actUpdate:
			if !f.final || !st.patchSnapshot(a.cols) {
				s.resnapshot(st, f.final)
			}
		case actDelete:
			deleted = true
			st.status, st.deleting = Deleted, false
			s.idmap.del(st.id(), st)
		}
	}
	if inserted {
		s.pending = slices.DeleteFunc(s.pending, func(st *state) bool { return st.status != Pending })
		if len(s.pending) == 0 {
			// Not kept at the size of the batch just inserted: the DB's
			// spares keep it for the next session (or Add) that needs room.
			giveBack(&s.db.spares.states, s.pending)
			s.pending = nil
		}
		s.reindexPending()
	}
	if deleted {
		s.filterLoaded(func(st *state) bool { return st.status != Persistent })
	}
	f.rel.after()
}
