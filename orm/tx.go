package orm

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// txn is the session's open transaction. Its BEGIN (and any SAVEPOINT) is
// not sent on its own: it waits in prefix and goes out in front of the next
// statement, in the same round trip.
type txn struct {
	conn       *pgxpool.Conn // taken from the pool; nil on a borrowed transaction (SessionOn)
	pg         *pgx.Conn     // the connection the transaction runs on, once known
	gen        uint64        // the session's transaction counter when it began
	handle     *sessionTx    // what Session.Tx handed out, if anything
	begun      bool          // BEGIN has been sent
	prefix     []string      // statements to send before the next one
	prefixBuf  [2]string
	eager      bool   // reads join the transaction too (Begin, isolation)
	journal    []undo // what the flushes of this transaction changed
	savepoints []savepoint
}

type savepoint struct {
	name string
	mark int    // journal length when it was taken
	seq  uint64 // Add counter when it was taken
	sent bool   // SAVEPOINT has gone out
}

// takePrefix returns the statements waiting to be sent and marks them sent.
func (t *txn) takePrefix() []string {
	if t == nil {
		return nil
	}
	p := t.prefix
	t.prefix = t.prefixBuf[:0]
	for i := range t.savepoints {
		t.savepoints[i].sent = true
	}
	return p
}

// beginSQL is the BEGIN statement for the session's settings; on a
// borrowed transaction, the session's savepoint.
func (s *Session) beginSQL() string {
	if s.outer != nil {
		return "SAVEPOINT " + s.outerSavepoint()
	}
	q := "BEGIN"
	if s.cfg.isolation != "" {
		q += " ISOLATION LEVEL " + string(s.cfg.isolation)
	}
	if s.cfg.readOnly {
		q += " READ ONLY"
	}
	return q
}

// ensureTx starts the session's transaction if none is open. Nothing is
// sent yet. From then on the session reads from the primary.
func (s *Session) ensureTx() *txn {
	if s.tx == nil {
		s.onPrimary = true // read-your-writes: later reads outside it too
		w := s.workspace()
		w.tx = txn{journal: w.tx.journal[:0]}
		s.tx = &w.tx
		s.tx.prefix = append(s.tx.prefixBuf[:0], s.beginSQL())
		s.tx.eager = s.cfg.isolation != "" && s.cfg.isolation != pgx.ReadCommitted || s.cfg.readOnly || s.outer != nil
		s.txSeq++
		s.tx.gen = s.txSeq
	}
	return s.tx
}

// conn returns the transaction's connection, acquiring one from the pool
// on first use (the borrowed transaction's, under SessionOn).
func (s *Session) conn(ctx context.Context) (*pgx.Conn, error) {
	t := s.ensureTx()
	switch {
	case t.pg != nil:
	case s.outer != nil:
		t.pg = s.outer.Conn()
	default:
		c, err := s.db.pool.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("acquire connection: %w", err)
		}
		t.conn, t.pg = c, c.Conn()
	}
	return t.pg, nil
}

// commitSQL ends the session's transaction: COMMIT, or on a borrowed
// transaction the release of the session's savepoint.
func (s *Session) commitSQL() string {
	if s.outer != nil {
		return "RELEASE SAVEPOINT " + s.outerSavepoint()
	}
	return "COMMIT"
}

// rollbackSQL undoes the session's transaction: ROLLBACK, or on a borrowed
// transaction a rollback to the session's savepoint, which is then
// released so that the caller's transaction goes on as before.
func (s *Session) rollbackSQL() string {
	if s.outer != nil {
		sp := s.outerSavepoint()
		return "ROLLBACK TO SAVEPOINT " + sp + "; RELEASE SAVEPOINT " + sp
	}
	return "ROLLBACK"
}

// Begin starts the session's transaction now, so that every later
// statement, reads included, runs in it. It sends nothing: the BEGIN goes
// out with the first statement. Beginning while a transaction is open is a
// no-op.
func (s *Session) Begin(ctx context.Context) error {
	if s.closed {
		return ErrSessionClosed
	}
	s.ensureTx().eager = true
	return ctx.Err()
}

// InTransaction reports whether the session has an open transaction.
func (s *Session) InTransaction() bool { return s.tx != nil }

// Commit flushes pending changes and commits the transaction; BEGIN, the
// flush's statements and COMMIT travel in one round trip when nothing in
// the flush waits on generated keys. Without a transaction and without
// changes it sends nothing. On failure the transaction is rolled back and
// the session is as it was before the transaction (see Rollback); when the
// COMMIT's reply is lost the error is an *UnknownOutcomeError.
func (s *Session) Commit(ctx context.Context) error {
	if err := s.flushCommit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Rollback rolls back the transaction, if one is open, and discards every
// change the session holds, flushed or not: pending objects leave the
// session (including those a flush of the transaction inserted), loaded
// objects get back the column values the database has, and marks for
// deletion are dropped. The session can be used again afterwards.
//
// This differs from a failed Flush or Commit, which also rolls back but
// keeps the changes so that they can be fixed and retried.
func (s *Session) Rollback(ctx context.Context) error {
	if s.closed {
		return ErrSessionClosed
	}
	var err error
	if s.tx != nil {
		err = s.rollbackTx(ctx)
	}
	s.discard(0)
	return err
}

// rollbackTx ends the transaction with ROLLBACK and replays the journal
// (a commit with nothing to flush is endTxChecked).
func (s *Session) rollbackTx(ctx context.Context) error {
	t := s.tx
	var err error
	if t.begun && t.pg != nil {
		start := s.db.log.start()
		_, err = t.pg.Exec(ctx, s.rollbackSQL())
		s.db.log.statement(ctx, start, s.rollbackSQL(), nil, -1, err)
	}
	s.restore(0)
	s.releaseTx()
	return err
}

// releaseTx returns the connection and forgets the transaction.
func (s *Session) releaseTx() {
	if s.tx != nil && s.tx.conn != nil {
		s.tx.conn.Release()
	}
	s.tx = nil
}

// failTx handles a failed flush or statement: it rolls back to the
// innermost sent savepoint when the connection is still usable, else the
// whole transaction, and replays the journal to match. It returns cause.
func (s *Session) failTx(cause error) error {
	t := s.tx
	if t == nil {
		return cause
	}
	ctx := context.Background()
	if sp := t.innermost(); sp != nil && t.pg != nil && !t.pg.IsClosed() {
		_, err := t.pg.Exec(ctx, "ROLLBACK TO SAVEPOINT "+sp.name)
		s.db.log.statement(ctx, s.db.log.start(), "ROLLBACK TO SAVEPOINT "+sp.name, nil, -1, err)
		if err == nil {
			s.restore(sp.mark)
			return cause
		}
	}
	if t.begun && t.pg != nil && !t.pg.IsClosed() {
		_, err := t.pg.Exec(ctx, s.rollbackSQL())
		s.db.log.statement(ctx, s.db.log.start(), s.rollbackSQL(), nil, -1, err)
	}
	s.restore(0)
	s.releaseTx()
	return cause
}

// innermost returns the innermost savepoint that has been sent, or nil.
func (t *txn) innermost() *savepoint {
	for i := len(t.savepoints) - 1; i >= 0; i-- {
		if t.savepoints[i].sent {
			return &t.savepoints[i]
		}
	}
	return nil
}

// Nested runs fn inside a savepoint of the session's transaction (started
// if needed). Pending changes are flushed first, so the savepoint covers
// only what fn does. When fn returns nil its changes are flushed and the
// savepoint released. When fn returns an error or panics, everything fn
// did is undone: the database goes back to the savepoint, objects fn added
// leave the session, objects it changed get back their values, its marks
// for deletion are dropped; the error (or panic) is passed on. The
// SAVEPOINT statement travels with fn's first statement; a fn that sends
// nothing costs nothing.
func (s *Session) Nested(ctx context.Context, fn func(s *Session) error) (err error) {
	if err := s.Flush(ctx); err != nil {
		return fmt.Errorf("nested: %w", err)
	}
	t := s.ensureTx()
	t.eager = true
	name := "crucible_sp_" + strconv.Itoa(len(t.savepoints)+1)
	t.prefix = append(t.prefix, "SAVEPOINT "+name)
	t.savepoints = append(t.savepoints, savepoint{name: name, mark: len(t.journal), seq: s.seq})
	depth := len(t.savepoints)
	defer func() {
		if r := recover(); r != nil {
			s.leaveSavepoint(ctx, depth, rollbackSavepoint)
			panic(r)
		}
	}()
	if err = fn(s); err == nil {
		err = s.Flush(ctx)
	}
	if err != nil {
		s.leaveSavepoint(ctx, depth, rollbackSavepoint)
		return err
	}
	return s.leaveSavepoint(ctx, depth, releaseSavepoint)
}

// savepointEnd says how a savepoint is left.
type savepointEnd uint8

const (
	releaseSavepoint  savepointEnd = iota // RELEASE: its changes stay in the transaction
	rollbackSavepoint                     // ROLLBACK TO: its changes are undone
)

// leaveSavepoint releases or rolls back to the savepoint at depth, as end
// says.
// A savepoint never sent needs no statement: its SAVEPOINT is dropped from
// the prefix. A RELEASE waits in the prefix for the next statement.
func (s *Session) leaveSavepoint(ctx context.Context, depth int, end savepointEnd) error {
	t := s.tx
	if t == nil || len(t.savepoints) < depth {
		if end == rollbackSavepoint {
			s.discard(0) // the whole transaction was rolled back meanwhile
		}
		return nil
	}
	sp := t.savepoints[depth-1]
	t.savepoints = t.savepoints[:depth-1]
	if end == rollbackSavepoint {
		defer s.discard(sp.seq)
	}
	if !sp.sent {
		t.prefix = removeString(t.prefix, "SAVEPOINT "+sp.name)
		if end == rollbackSavepoint {
			s.restore(sp.mark)
		}
		return nil
	}
	if end == releaseSavepoint {
		t.prefix = append(t.prefix, "RELEASE SAVEPOINT "+sp.name)
		return nil
	}
	_, err := t.pg.Exec(ctx, "ROLLBACK TO SAVEPOINT "+sp.name)
	s.db.log.statement(ctx, s.db.log.start(), "ROLLBACK TO SAVEPOINT "+sp.name, nil, -1, err)
	if err != nil {
		return s.failTx(err)
	}
	s.restore(sp.mark)
	t.prefix = append(t.prefix, "RELEASE SAVEPOINT "+sp.name)
	return nil
}

func removeString(list []string, v string) []string {
	for i, x := range list {
		if x == v {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// Transaction runs fn in a new session's transaction and commits it when fn
// returns nil; when fn returns an error or panics the transaction is rolled
// back and the error (or panic) is passed on. The session is closed
// afterwards. This is the unit of work as a closure.
func (db *DB) Transaction(ctx context.Context, fn func(s *Session) error) (err error) {
	s := db.Session()
	defer s.Close()
	if err := s.Begin(ctx); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			_ = s.Rollback(context.WithoutCancel(ctx))
			panic(r)
		}
	}()
	if err := fn(s); err != nil {
		if rerr := s.Rollback(context.WithoutCancel(ctx)); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	return s.Commit(ctx)
}
