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
	id      uint64
	actions []*action
	batches []*batch
	single  *model // the only table written, nil when several
	final   bool   // the flush ends the transaction (its pipeline commits)

	// rel is the relationship side of the flush (relflush.go), nil when
	// the registry has no relationships.
	rel *relFlush

	skipped  map[*state]bool // upserted objects whose row was skipped (DO NOTHING)
	bulk     bool            // a statement-level Insert, not a flush of the session
	hooked   bool            // Before hooks ran (lifecycle.go)
	hookMark int             // the journal's length before they did

	// Inline storage for the small flushes that are the common case.
	pipe      pipe
	stepBuf   [2]step
	slab      []action // actions are taken from here
	batchBuf  [3]batch
	batchPtrs [3]*batch
	actBuf    [4]*action
	actionBuf [2]action
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
	if err := s.flush(ctx, false); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// flushCommit is Commit: a flush whose pipeline ends with COMMIT.
func (s *Session) flushCommit(ctx context.Context) error {
	if err := s.flush(ctx, true); err != nil {
		return err
	}
	if s.tx == nil {
		return nil
	}
	// Nothing to flush, but a transaction is open (reads, bulk
	// statements, an earlier Flush): commit it on its own.
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
		var unknown *UnknownOutcomeError
		if errors.As(err, &unknown) {
			s.restore(0)
			s.releaseTx()
			return err
		}
		return s.failTx(err)
	}
	s.committed()
	s.releaseTx()
	return nil
}

// flush runs the unit of work; with commit, a successful flush also ends
// the transaction with a pipelined COMMIT.
func (s *Session) flush(ctx context.Context, commit bool) error {
	if err := s.takeErr(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.flushing {
		return errReentrant
	}
	s.flushing = true
	defer func() { s.flushing = false }()
	if len(s.pending) == 0 && len(s.loaded) == 0 {
		return nil // nothing the session holds could need writing
	}
	f, err := s.plan(ctx)
	if err != nil {
		f.undoBefore()
		f.rel.failed()
		return err
	}
	if len(f.actions) == 0 {
		return nil
	}
	// A Commit whose transaction holds nothing yet needs no BEGIN and no
	// COMMIT when the flush fits one pipeline: the pipeline (one Sync) is
	// an implicit transaction, all or nothing.
	// (Only at the default isolation: a stricter level needs its BEGIN.)
	// After hooks run between the statements and the COMMIT.
	after := f.afterHooks()
	implicit := commit && !after && (s.tx == nil || !s.tx.begun && len(s.tx.savepoints) == 0) &&
		s.beginSQL() == "BEGIN" && f.oneWave()
	s.ensureTx()
	f.final = commit
	s.tx.journal = slices.Grow(s.tx.journal, len(f.actions))
	if implicit {
		s.tx.prefix = s.tx.prefix[:0]
	}
	err = f.execute(commit && !implicit && !after, implicit)
	if err == nil && after {
		err = f.runAfter(commit)
	}
	if err != nil {
		defer f.rel.failed() // after the journal has put states back
		var unknown *UnknownOutcomeError
		if errors.As(err, &unknown) {
			s.restore(0)
			s.releaseTx()
			return err
		}
		return s.failTx(err)
	}
	f.finalize()
	if commit {
		s.committed()
		s.releaseTx()
	}
	return nil
}

// plan collects the actions and orders them; it changes nothing in the
// session but what the cascades do.
func (s *Session) plan(ctx context.Context) (*flush, error) {
	s.flushSeq++
	clear(s.argArena)
	s.argArena = s.argArena[:0]
	f := &s.flushBuf
	*f = flush{s: s, ctx: ctx, id: s.flushSeq}
	f.actions = f.actBuf[:0]
	if n := len(s.pending) + len(s.loaded); n > len(f.actBuf) {
		f.actions = make([]*action, 0, len(s.pending)+min(len(s.loaded), 64))
	}
	f.batches = f.batchPtrs[:0]
	if n := len(s.pending) + min(len(s.loaded), 64); n <= len(f.actionBuf) {
		f.slab = f.actionBuf[:0]
	} else {
		f.slab = make([]action, 0, n)
	}
	if err := f.relationships(); err != nil {
		return f, err
	}
	if err := f.runBefore(); err != nil {
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

// collect makes one action per pending, changed or deleted object.
func (f *flush) collect() error {
	for _, st := range f.s.pending {
		f.newAction(actInsert, st)
	}
	for _, st := range f.s.loaded {
		if st.status != Persistent {
			continue
		}
		if k, ok := st.m.keyOf(st.obj); !ok || k != st.key {
			return fmt.Errorf("%s: %w", rowName(st), ErrKeyChanged)
		}
		switch {
		case st.deleting:
			f.newAction(actDelete, st)
		case st.dirty():
			f.newAction(actUpdate, st)
		}
	}
	return nil
}

// execute queues the batches in order, sending the pipeline early only
// when a batch needs values (generated keys) from a queued one.
func (f *flush) execute(commit, implicit bool) error {
	p := &f.pipe
	p.s, p.implicit, p.steps = f.s, implicit, f.stepBuf[:0]
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
	p.commit = commit
	return p.run(f.ctx)
}

// oneWave reports whether the whole flush can go in one pipeline: no
// action copies values from another's results.
func (f *flush) oneWave() bool {
	for _, a := range f.actions {
		if len(a.values) > 0 {
			return false
		}
	}
	return true
}

// waits reports whether some action of b copies values from a batch that
// is queued but whose results have not been read.
func (f *flush) waits(b *batch) bool {
	for _, a := range b.actions {
		for _, v := range a.values {
			if v.batch != nil && v.batch.queued && !v.batch.done {
				return true
			}
		}
	}
	return false
}

// queue adds the statements of a batch to the pipeline.
func (f *flush) queue(p *pipe, b *batch) error {
	for _, a := range b.actions {
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
	if f.single != nil {
		s.idmap.reserve(f.single, len(f.actions))
	}
	s.loaded = slices.Grow(s.loaded, len(f.actions))
	for _, a := range f.actions {
		st := a.st
		if st == nil {
			continue
		}
		if !f.final {
			f.journal(st) // every touched state can be restored
		}
		switch a.kind {
		case actInsert:
			inserted = true
			if f.skipped[st] {
				st.status = detached // DO NOTHING: it stands for no row
				continue
			}
			st.status, st.explicit = Persistent, nil
			st.key, _ = st.m.keyOf(st.obj)
			s.snapshot(st)
			s.idmap.put(st.key, st)
			s.loaded = append(s.loaded, st)
		case actUpdate:
			s.snapshot(st)
		case actDelete:
			deleted = true
			st.status, st.deleting = Deleted, false
			s.idmap.del(st.key, st)
		}
	}
	if inserted {
		s.pending = slices.DeleteFunc(s.pending, func(st *state) bool { return st.status != Pending })
		s.reindexPending()
	}
	if deleted {
		s.filterLoaded(func(st *state) bool { return st.status != Persistent })
	}
	f.rel.after()
}
