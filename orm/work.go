package orm

// sessionWork is the storage a session needs only once it writes: its
// transaction and its flush (the flush carries inline room for the small
// flushes that are the common case, about a kilobyte). A session takes it
// from its DB's pool on its first write and gives it back when it is
// closed, so that the common short session — one request's inserts and
// one Commit — does not allocate it each time.
type sessionWork struct {
	tx    txn
	flush flush
}

// keptJournal is the journal capacity a pooled workspace keeps; a larger
// one (a flush of many rows) is dropped rather than held by the pool.
const keptJournal = 64

// workspace returns the session's workspace, taking one from the pool on
// first use.
func (s *Session) workspace() *sessionWork {
	if s.work == nil {
		s.work, _ = s.db.works.Get().(*sessionWork)
		if s.work == nil {
			s.work = new(sessionWork)
		}
	}
	return s.work
}

// releaseWork gives the workspace back to the pool, holding nothing of
// the session: no object, state or connection stays reachable from it.
func (s *Session) releaseWork() {
	w := s.work
	if w == nil {
		return
	}
	s.work = nil
	journal := w.tx.journal
	*w = sessionWork{}
	if cap(journal) <= keptJournal {
		clear(journal[:cap(journal)])
		w.tx.journal = journal[:0]
	} else {
		s.db.spares.journals.put(journal)
	}
	s.db.works.Put(w)
}
