package migrate

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// session is one locked connection of a runner command and the heads the
// database is at.
type session struct {
	r     *Runner
	conn  *pgx.Conn
	lock  *migrationLock
	heads []string
}

// open creates the version table if needed and reads the heads.
func (s *session) open(ctx context.Context) error {
	if err := ensureVersionTable(ctx, s.conn, s.r.ddl, s.r.versionTable); err != nil {
		return err
	}
	heads, err := readVersion(ctx, s.conn, s.r.ddl, s.r.versionTable)
	s.heads = heads
	return err
}

// segment is a run of ops executed together: in one transaction, or on
// its own outside any (a non-transactional op).
type segment struct {
	tx  bool
	ops []renderedOp
}

// renderedOp is an op with its position in the revision and its SQL.
type renderedOp struct {
	index int
	op    Op
	sql   []string
}

// segments renders the ops of one direction of rev and splits them at the
// non-transactional ones.
func (r *Runner) segments(rev *Revision, dir Direction) ([]segment, error) {
	ops := rev.Upgrade
	if dir == Down {
		ops = rev.Downgrade
	}
	var segs []segment
	for i, op := range ops {
		sql, err := op.statements(r.ddl)
		if ie, ok := err.(*IrreversibleError); ok {
			ie.Revision = rev.ID
			return nil, ie
		}
		if err != nil {
			return nil, &OpError{Revision: rev.ID, Direction: dir.String(), Index: i + 1, Op: op.String(), Err: err}
		}
		tx := Transactional(op)
		if len(segs) == 0 || !tx || !segs[len(segs)-1].tx {
			segs = append(segs, segment{tx: tx})
		}
		last := &segs[len(segs)-1]
		last.ops = append(last.ops, renderedOp{index: i + 1, op: op, sql: sql})
	}
	return segs, nil
}

// apply runs one revision in one direction and records the new heads in
// the transaction of its last ops.
func (s *session) apply(ctx context.Context, rev *Revision, dir Direction) error {
	segs, err := s.r.segments(rev, dir)
	if err != nil {
		return err
	}
	heads := s.r.set.after(s.heads, rev, dir)
	if len(segs) == 0 || !segs[len(segs)-1].tx {
		segs = append(segs, segment{tx: true})
	}
	for i, seg := range segs {
		last := i == len(segs)-1
		if err := s.run(ctx, rev, dir.String(), seg, last, heads); err != nil {
			return err
		}
	}
	s.heads = heads
	fmt.Fprintf(s.r.log, "%s %s: %s\n", dir, rev.ID, oneLine(rev.Message))
	return nil
}

// run executes one segment; the last one also writes the version table.
func (s *session) run(ctx context.Context, rev *Revision, dir string, seg segment, last bool, heads []string) error {
	if !seg.tx {
		if err := s.lock.check(ctx, s.conn); err != nil {
			return err
		}
		return execOps(ctx, s.conn, rev, dir, seg.ops)
	}
	return s.checked(ctx, func(tx pgx.Tx) error {
		if err := execOps(ctx, tx, rev, dir, seg.ops); err != nil {
			return err
		}
		if !last {
			return nil
		}
		return s.writeVersion(ctx, tx, heads)
	})
}

// checked runs fn in a transaction that first checks the migration lock
// is still held.
func (s *session) checked(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.conn, func(tx pgx.Tx) error {
		if err := s.lock.check(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// writeVersion re-reads the version table, then records heads in it.
func (s *session) writeVersion(ctx context.Context, tx pgx.Tx, heads []string) error {
	if err := s.recheck(ctx, tx); err != nil {
		return err
	}
	return writeVersion(ctx, tx, s.r.ddl, s.r.versionTable, heads)
}

// execer is what execOps runs statements on: a connection or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconnTag, error)
}

// goRunner is an op that runs Go code in the transaction (RunGo).
type goRunner interface {
	run(ctx context.Context, tx pgx.Tx) error
}

func execOps(ctx context.Context, db execer, rev *Revision, dir string, ops []renderedOp) error {
	for _, o := range ops {
		if g, ok := o.op.(goRunner); ok {
			tx, _ := db.(pgx.Tx) // RunGo is transactional: db is the revision's transaction
			if err := g.run(ctx, tx); err != nil {
				return &OpError{Revision: rev.ID, Direction: dir, Index: o.index, Op: o.op.String(), Err: err}
			}
			continue
		}
		if ds, ok := o.op.(DropSchema); ok {
			if err := schemaEmpty(ctx, db, ds.Name); err != nil {
				return &OpError{Revision: rev.ID, Direction: dir, Index: o.index, Op: o.op.String(), Err: err}
			}
		}
		for _, q := range o.sql {
			if _, err := db.Exec(ctx, q); err != nil {
				return &OpError{Revision: rev.ID, Direction: dir, Index: o.index, Op: o.op.String(), SQL: q, Err: err}
			}
		}
	}
	return nil
}

// writeHeads records heads as the database's version in a transaction.
func (s *session) writeHeads(ctx context.Context, heads []string) error {
	err := s.checked(ctx, func(tx pgx.Tx) error { return s.writeVersion(ctx, tx, heads) })
	if err == nil {
		s.heads = heads
	}
	return err
}

// Direction says which way a migration moves: [Up] applies revisions
// (their Upgrade ops), [Down] undoes them (their Downgrade ops).
type Direction uint8

const (
	// Up applies revisions towards the heads.
	Up Direction = iota
	// Down undoes revisions towards base.
	Down
)

// String returns "upgrade" or "downgrade".
func (d Direction) String() string {
	if d == Down {
		return "downgrade"
	}
	return "upgrade"
}

// schemaObjects lists what schema $1 holds, as PostgreSQL describes it:
// every object that belongs to the schema itself, not to another object
// (an index, a table's row type, a sequence a column owns) or to an
// extension (the extension is listed).
const schemaObjects = `SELECT o.type || ' ' || o.identity
FROM pg_depend d, pg_identify_object(d.classid, d.objid, d.objsubid) o
WHERE d.refclassid = 'pg_namespace'::regclass AND d.deptype = 'n'
  AND d.refobjid = (SELECT oid FROM pg_namespace WHERE nspname = $1)
  AND NOT EXISTS (SELECT FROM pg_depend p WHERE p.classid = d.classid AND p.objid = d.objid
                  AND p.deptype IN ('a', 'i', 'e', 'x'))
ORDER BY 1`

// schemaEmpty returns a *SchemaNotEmptyError when schema nsp holds
// anything, so that a DropSchema never fails with the server's bare
// "cannot drop schema" nor drops what it holds.
func schemaEmpty(ctx context.Context, db execer, nsp string) error {
	q, ok := db.(interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	})
	if !ok {
		return nil
	}
	rows, err := q.Query(ctx, schemaObjects, nsp)
	if err != nil {
		return err
	}
	objs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(objs) == 0 {
		return err
	}
	return &SchemaNotEmptyError{Schema: nsp, Objects: objs}
}
