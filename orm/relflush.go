package orm

// relFlush is the relationship side of one flush, a typed field of the
// flush (flush.rel) that the unit of work calls at each step, as
// SQLAlchemy's UOWTransaction drives its dependency processors:
//
//   - before, when the flush starts and nothing is planned yet: the
//     save-update cascade picks up objects attached since Add; each rule
//     records the changes of its field since load (history.go); deletes
//     cascade (cascade.go); the claims are decided into keys to write and
//     orphans (new objects a parent let go before their first flush
//     included); the orphans' deletes cascade in turn;
//   - dependencies, once every object has its action: the child writing a
//     key waits for its parent's insert, a child taking a unique key waits
//     for the one leaving it, association rows are added as statements
//     (dependency.go);
//   - sync, right before an insert or update reads its values: the
//     parents' keys, generated or not, are copied into the foreign keys
//     (sync.go);
//   - after, once the flush succeeded and snapshots are taken: both sides
//     of every relationship agree again, deleted objects leave the fields
//     that held them, and each object's history is taken anew (sync.go);
//   - failed, when the flush failed: the deletion marks the cascades set
//     are taken back (the journal restores everything else).
//
// A flush of a registry without relationships has none (flush.rel is nil;
// the steps do nothing then).
type relFlush struct {
	f        *flush
	s        *Session
	visited  []*state // pending and persistent objects with relationships
	claims   []claim
	conflict *RelationConflictError // the first child attached to two parents
	pairs    []*pairWork            // association rows to write, by manyToMany rule id
	marked   []*state               // objects the flush marked for deletion
}

// relationships starts the relationship side of a flush when the
// registry has relationships; see relFlush.
func (f *flush) relationships() error {
	if len(f.s.db.reg.rules) == 0 || !f.s.db.reg.hooked && !f.s.holdsRelated() {
		return nil // no object of the flush has relationships, and no hook can add one
	}
	f.rel = &relFlush{f: f, s: f.s}
	return f.rel.before()
}

// holdsRelated reports whether the session holds an object whose model
// has relationships.
func (s *Session) holdsRelated() bool {
	for _, st := range s.pending {
		if len(st.m.rules) > 0 {
			return true
		}
	}
	for _, st := range s.loaded {
		if len(st.m.rules) > 0 {
			return true
		}
	}
	return false
}

// before runs when a flush starts; see relFlush.
func (fr *relFlush) before() error {
	if err := fr.cascadeSaves(); err != nil {
		return err
	}
	fr.visit()
	// Most flushes claim at most once per object: one allocation instead
	// of a growing slice.
	fr.claims = take(&fr.s.db.spares.claims, len(fr.visited))
	for _, st := range fr.visited {
		if !st.deleting {
			for _, ru := range st.m.rules {
				ru.changes(fr, st)
			}
		}
	}
	if err := fr.cascadeDeletes(fr.deletingStates()); err != nil {
		return err
	}
	mark := len(fr.marked)
	if err := fr.decide(); err != nil {
		return err
	}
	if err := fr.pendingOrphans(); err != nil {
		return err
	}
	return fr.cascadeDeletes(fr.marked[mark:])
}

// visit lists the pending and persistent objects that have relationships.
func (fr *relFlush) visit() {
	s := fr.s
	fr.visited = take(&s.db.spares.states, len(s.pending)+len(s.loaded))
	for _, list := range [][]*state{s.pending, s.loaded} {
		for _, st := range list {
			if len(st.m.rules) > 0 && (st.status == Pending || st.status == Persistent) {
				fr.visited = append(fr.visited, st)
			}
		}
	}
}

// deletingStates returns the persistent objects marked for deletion.
func (fr *relFlush) deletingStates() []*state {
	var out []*state
	for _, st := range fr.s.loaded {
		if st.deleting && st.status == Persistent {
			out = append(out, st)
		}
	}
	return out
}

// failed takes back the deletion marks the flush set, newest first.
// retract takes back what before decided, so that it can run again on
// what Before hooks changed: the deletion marks and the children's claims.
func (fr *relFlush) retract() {
	if fr == nil {
		return
	}
	fr.failed()
	for i := range fr.claims {
		fr.f.mark(fr.claims[i].child).claim = -1
	}
}

func (fr *relFlush) failed() {
	if fr == nil {
		return
	}
	for i := len(fr.marked) - 1; i >= 0; i-- {
		fr.marked[i].deleting = false
	}
	fr.marked = nil
}
