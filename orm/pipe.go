package orm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipe collects statements and sends them in one round trip (a pgx batch,
// which pipelines Bind/Execute messages behind a single Sync). A pending
// BEGIN or SAVEPOINT of the session's transaction goes first and a COMMIT
// last, so a whole Commit usually costs one round trip. When any statement
// fails, the server skips the rest up to the Sync, COMMIT included.
type pipe struct {
	s        *Session
	steps    []step
	commit   bool // COMMIT goes last
	implicit bool // no BEGIN: the pipeline is its own (implicit) transaction
	stage    stage
}

// stage is how far the reading of a round trip's results got, which
// decides what an error there says about the transaction's outcome (see
// classify).
type stage uint8

const (
	stageFirst     stage = iota // no result read yet: maybe nothing was sent
	stageSteps                  // reading the statements' results
	stageCommit                 // reading COMMIT's reply
	stageDone                   // every result read, the ReadyForQuery not yet
	stageCommitted              // COMMIT's reply read: the transaction committed
)

// step is one statement of a pipe and what to do with its result.
type step struct {
	sql   string
	args  []any
	rows  func(pgx.Rows) error          // consumes returned rows; nil for Exec
	exec  func(pgconn.CommandTag) error // checks an Exec result; may be nil
	what  string                        // "insert users", for errors
	batch *batch                        // marked done once read

	// An UPDATE or DELETE that must touch expect rows. When the pipeline
	// commits and holds other statements, asserted (the statement wrapped
	// by assertRows, taking expect as one more argument) is sent so that
	// the server itself refuses the commit; otherwise sql is sent and the
	// count checked here.
	expect   int
	asserted string
	stale    *StaleDataError
}

func (p *pipe) add(st step) { p.steps = append(p.steps, st) }

// run sends the queued statements and reads every result, calling the
// steps' handlers in order. The pipe is empty afterwards.
func (p *pipe) run(ctx context.Context) error {
	if len(p.steps) == 0 && !p.commit {
		return nil
	}
	s := p.s
	conn, err := s.conn(ctx)
	if err != nil {
		return err
	}
	p.chooseForms()
	prefix := s.tx.takePrefix()
	p.stage = stageFirst
	defer func() { p.steps, p.commit = p.steps[:0], false }()
	if len(prefix) == 0 && len(p.steps) == 1 && !p.commit {
		return withContext(ctx, p.runOne(ctx, conn))
	}
	var b pgx.Batch
	for _, q := range prefix {
		b.Queue(q)
	}
	for _, st := range p.steps {
		b.Queue(st.sql, st.args...)
	}
	if p.commit {
		b.Queue(s.commitSQL())
	}
	start := s.db.log.start()
	br := conn.SendBatch(ctx, &b)
	err = p.read(ctx, br, prefix, start)
	cerr := br.Close()
	switch {
	case err != nil && p.implicit && cerr != nil && errors.As(err, new(*CommittedError)):
		// The implicit transaction commits at the Sync, whose reply is lost.
		err = &UnknownOutcomeError{Err: cerr}
	case err != nil:
	case p.stage == stageCommitted:
		// COMMIT's reply was read: the transaction committed, whatever the
		// connection did after it (a FATAL in place of ReadyForQuery, a
		// broken socket). pgx has closed a connection that broke.
		if cerr != nil {
			s.db.log.statement(ctx, start, "(after COMMIT)", nil, -1, cerr)
		}
	case cerr != nil:
		err = p.classify(cerr, "", nil)
	}
	return withContext(ctx, err)
}

// withContext makes an error caused by the context's end (a statement the
// server cancelled on request) match context.Canceled or
// DeadlineExceeded as well.
func withContext(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w: %w", ctx.Err(), err)
}

// chooseForms picks, for each counted step, the asserted statement when
// the pipeline commits other statements along with it, else the plain one
// checked here.
func (p *pipe) chooseForms() {
	assert := p.commit || (p.implicit && len(p.steps) > 1)
	for i := range p.steps {
		st := &p.steps[i]
		if st.asserted != "" && assert {
			st.sql, st.args, st.expect = st.asserted, append(st.args, st.expect), 0
		}
		st.asserted = ""
	}
}

// runOne sends a lone statement without a batch: the cheapest path, and
// with no BEGIN pending it is its own transaction.
func (p *pipe) runOne(ctx context.Context, conn *pgx.Conn) error {
	st := &p.steps[0]
	start := p.s.db.log.start()
	var err error
	var n int64 = -1
	if st.rows != nil {
		var rows pgx.Rows
		if rows, err = conn.Query(ctx, st.sql, st.args...); err == nil {
			p.stage = stageSteps
			var own bool
			n, err, own = p.consume(rows, st.rows)
			if own && p.implicit {
				// The rows were read to the ReadyForQuery: the statement's
				// implicit transaction committed.
				p.s.db.log.statement(ctx, start, st.sql, st.args, n, err)
				return &CommittedError{Err: fmt.Errorf("%s: %w", st.what, err)}
			}
		}
	} else {
		var tag pgconn.CommandTag
		tag, err = conn.Exec(ctx, st.sql, st.args...)
		n = tag.RowsAffected()
		if err == nil && st.exec != nil {
			p.stage = stageSteps
			err = st.exec(tag)
		}
	}
	return p.finish(ctx, st, start, n, err)
}

// consume passes rows to fn, closes them and returns the row count.
func consume(rows pgx.Rows, fn func(pgx.Rows) error) (int64, error) {
	err := fn(rows)
	rows.Close()
	if err == nil {
		err = rows.Err()
	}
	return rows.CommandTag().RowsAffected(), err
}

// consume is consume for a step of p; own reports an error of fn's own
// (a value that does not fit its field, rows that do not match the
// objects) while the server's result was read without error. In a round
// trip that commits, the rows scan through pgx.ScanRow (keptRows), so that
// such an error leaves the results after them readable.
func (p *pipe) consume(rows pgx.Rows, fn func(pgx.Rows) error) (n int64, err error, own bool) {
	if p.commits() {
		rows = keptRows{rows}
	}
	n, err = consume(rows, fn)
	return n, err, err != nil && rows.Err() == nil
}

// commits reports whether the round trip ends the session's own
// transaction: with its COMMIT, or as an implicit transaction.
func (p *pipe) commits() bool { return (p.commit || p.implicit) && p.s.outer == nil }

// keptRows scans each row through pgx.ScanRow: a value that fails to scan
// fails only that Scan, where pgx's own Scan would also end the rows and
// every result of the batch after them.
type keptRows struct{ pgx.Rows }

// Scan implements pgx.Rows.
func (r keptRows) Scan(dest ...any) error {
	return pgx.ScanRow(r.Conn().TypeMap(), r.FieldDescriptions(), r.RawValues(), dest...)
}

// finish logs a step, checks its row count and classifies its error.
func (p *pipe) finish(ctx context.Context, st *step, start time.Time, n int64, err error) error {
	p.s.db.log.statement(ctx, start, st.sql, st.args, n, err)
	if err == nil && st.expect > 0 && n != int64(st.expect) {
		e := *st.stale
		return &e
	}
	if err != nil {
		return p.classify(err, st.what, st.stale)
	}
	if st.batch != nil {
		st.batch.done = true
	}
	return nil
}

// read consumes the results of prefix, steps and commit in order.
func (p *pipe) read(ctx context.Context, br pgx.BatchResults, prefix []string, start time.Time) error {
	log := p.s.db.log
	for _, q := range prefix {
		_, err := br.Exec()
		log.statement(ctx, start, q, nil, -1, err)
		if err != nil {
			return p.classify(err, "", nil)
		}
		p.stage = stageSteps
	}
	if len(prefix) > 0 {
		p.s.tx.begun = true
	}
	for i := range p.steps {
		if err := p.readStep(ctx, br, i, start); err != nil {
			return err
		}
	}
	p.stage = stageDone
	if !p.commit {
		return nil
	}
	p.stage = stageCommit
	tag, err := br.Exec()
	log.statement(ctx, start, p.s.commitSQL(), nil, -1, err)
	if err == nil && p.s.outer == nil && tag.String() != "COMMIT" {
		// The server answered: the transaction is over, not committed.
		p.stage = stageDone
		err = fmt.Errorf("commit: transaction was rolled back (%s)", tag)
	}
	if err != nil {
		return p.classify(err, "commit", nil)
	}
	p.stage = stageCommitted
	return nil
}

func (p *pipe) readStep(ctx context.Context, br pgx.BatchResults, i int, start time.Time) error {
	st := &p.steps[i]
	var err error
	var n int64 = -1
	own := false
	if st.rows != nil {
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			p.stage = stageSteps
			n, err, own = p.consume(rows, st.rows)
		}
	} else {
		var tag pgconn.CommandTag
		tag, err = br.Exec()
		n = tag.RowsAffected()
		if err == nil {
			p.stage = stageSteps
			if st.exec != nil {
				err = st.exec(tag)
				own = err != nil
			}
		}
	}
	if own && p.commits() {
		p.s.db.log.statement(ctx, start, st.sql, st.args, n, err)
		return p.readOn(ctx, br, i+1, start, fmt.Errorf("%s: %w", st.what, err))
	}
	return p.finish(ctx, st, start, n, err)
}

// readOn reads the results after a step whose result the session failed
// to handle (cause) in a round trip that commits. The server goes on to
// the commit all the same, so the outcome is what follows: COMMIT's reply
// read (for an implicit transaction, the Sync's, which run reads) means
// the transaction committed, a *CommittedError; a later statement's error,
// or COMMIT answered by ROLLBACK, means it rolled back, a plain error; a
// broken connection leaves it open, as classify says.
func (p *pipe) readOn(ctx context.Context, br pgx.BatchResults, next int, start time.Time, cause error) error {
	log := p.s.db.log
	for i := next; i < len(p.steps); i++ {
		st := &p.steps[i]
		tag, err := br.Exec()
		log.statement(ctx, start, st.sql, st.args, tag.RowsAffected(), err)
		if err != nil {
			return p.failedAfter(cause, p.classify(err, st.what, st.stale))
		}
	}
	p.stage = stageDone
	if !p.commit {
		return &CommittedError{Err: cause}
	}
	p.stage = stageCommit
	tag, err := br.Exec()
	log.statement(ctx, start, p.s.commitSQL(), nil, -1, err)
	if err == nil && tag.String() != "COMMIT" {
		p.stage = stageDone
		err = fmt.Errorf("commit: transaction was rolled back (%s)", tag)
	}
	if err != nil {
		return p.failedAfter(cause, p.classify(err, "commit", nil))
	}
	p.stage = stageCommitted
	return &CommittedError{Err: cause}
}

// failedAfter is the error of a round trip that failed with err after
// the session failed to handle a result (cause): the outcome err leaves
// open, or a plain error carrying both.
func (p *pipe) failedAfter(cause, err error) error {
	var unknown *UnknownOutcomeError
	if errors.As(err, &unknown) {
		unknown.Err = errors.Join(cause, unknown.Err)
		return unknown
	}
	return fmt.Errorf("%w; then %w", cause, err)
}

// classify turns a statement error into the session's typed errors: a
// failed row-count assertion into *StaleDataError, constraint violations
// through the dialect, and an error that leaves a committing round trip's
// outcome open into *UnknownOutcomeError. The outcome is known when:
//   - nothing was sent (an argument that fails to encode, a context done
//     before sending): the error is plain and nothing was written;
//   - the server reported an ERROR: it rolled the transaction back (or,
//     in an explicit transaction, marked it failed);
//   - the server reported a FATAL in place of a statement's result before
//     COMMIT (or before the last statement of an implicit transaction):
//     it never got to commit.
//
// It is open when the connection broke, or the server went away (FATAL)
// in place of COMMIT's reply or, in an implicit transaction, after the
// last statement's result (the commit happens at the Sync, before its
// ReadyForQuery).
func (p *pipe) classify(err error, what string, stale *StaleDataError) error {
	var pg *pgconn.PgError
	isPg := errors.As(err, &pg)
	// After the last result of a committing round trip. A lone statement
	// (runOne) is read to its ReadyForQuery in one call, so a FATAL there
	// may follow its commit.
	final := p.stage == stageCommit || p.stage == stageDone || p.implicit && len(p.steps) == 1
	switch {
	case isPg && stale != nil && pg.Code == staleSQLState:
		e := *stale
		e.Err = err
		return &e
	case isPg && (!fatal(pg) || !final):
		err = p.s.db.classify(err)
	case !(p.commit || p.implicit) || p.unsent(err):
	case p.stage == stageDone && p.commit:
		// The server answered COMMIT with ROLLBACK.
	default:
		return &UnknownOutcomeError{Err: err}
	}
	if what == "" {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// unsent reports whether err came before anything of the round trip
// reached the server: pgx prepares and encodes a whole pipeline before it
// writes (ErrPreprocessingBatch), and an error it returns in place of the
// first result while the connection stays open was raised before sending
// (an argument that fails to encode, a context already done). A broken
// connection counts as sent even when pgx calls the error safe to retry:
// after a lost reply pgx's non-pipelined batches (exec and simple
// protocol modes) report "conn closed", which claims exactly that.
func (p *pipe) unsent(err error) bool {
	var pre pgx.ErrPreprocessingBatch
	switch {
	case errors.As(err, &pre):
		return true
	case p.stage != stageFirst:
		return false
	}
	return p.s.tx != nil && p.s.tx.pg != nil && !p.s.tx.pg.IsClosed()
}

// fatal reports whether the server ended the session with the error.
func fatal(pg *pgconn.PgError) bool {
	sev := pg.SeverityUnlocalized
	if sev == "" {
		sev = pg.Severity
	}
	return sev == "FATAL" || sev == "PANIC"
}
