package orm

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// scanner turns rows of a model's full select list into objects merged
// into the session: per row it takes a zeroed struct from a slab, points
// the reused destination slice at its fields (no reflection, no
// allocation) and lets pgx scan.
//
// New objects go to the session's loaded list as they are scanned and,
// when the scan ends (done), join the identity map lazily in one sized
// batch (Session.lookup). Rows of one single-table query have distinct
// keys, so nothing is missed meanwhile.
type scanner struct {
	s       *Session
	m       *model
	dest    []any
	plan    rowPlan // decoders of the result set's columns, from its first row
	planned bool
	held    onHeld                 // what a row does to a held object
	track   bool                   // register new objects in the session
	copy    func(dst, src mem.Ptr) // whole-struct copy for snapshots
}

// typedCopy copies a T without reflection.
func typedCopy[T any](dst, src mem.Ptr) { mem.Copy[T](dst, src) }

// onHeld says what a loaded row does to an object the session already
// holds.
type onHeld uint8

const (
	// keepChanges: a held object with unflushed changes keeps them; a
	// clean one takes the row's values.
	keepChanges onHeld = iota
	// takeRow: the held object takes the row's values, discarding its
	// unflushed changes (Refresh, SelectQuery.Refresh, refresh-expire).
	takeRow
)

func newScanner(s *Session, m *model, held onHeld) scanner {
	s.indexFor(m) // rows of earlier queries must be found by this one
	return scanner{s: s, m: m, held: held, track: true, copy: m.copyRow}
}

// indexFor readies the identity map for looking up keys of model m: it
// indexes the loaded states (Session.index) when one not indexed yet is
// of m, and otherwise leaves them to the first lookup that needs them, so
// that loading one model after another builds no map.
func (s *Session) indexFor(m *model) {
	for _, st := range s.loaded[s.indexed:] {
		if st.m == m {
			s.index()
			return
		}
	}
}

// done ends a scan: the objects it added join the
// identity map when a key is first looked up (Session.lookup).
func (sc *scanner) done() {}

// next scans the current row and returns the session's object for it.
func (sc *scanner) next(rows pgx.Rows) (mem.Ptr, error) {
	obj := sc.s.objChunk(sc.m).next()
	if !sc.planned {
		sc.plan, sc.planned = planRows(rows, 0, sc.m.cols), true
		if sc.plan.slow {
			sc.dest = sc.s.arena.scanDest(len(sc.m.cols))
		}
	}
	if err := sc.plan.scan(rows, obj, sc.dest); err != nil {
		return mem.Ptr{}, fmt.Errorf("scan %s: %w", sc.m.table.Name, err)
	}
	if !sc.track {
		if st := sc.s.held(sc.m, obj); st != nil {
			return st.obj, nil
		}
		sc.s.loadedRow(sc.m, obj)
		return obj, nil
	}
	k := sc.m.rowKey(obj)
	if st := sc.s.idmap.get(k); st != nil {
		return sc.s.merge(st, obj, sc.held), nil
	}
	sc.s.addLoaded(sc.m, obj, k, sc.copy)
	return obj, nil
}

// held returns the state of the row the object at p was loaded from, when
// the session holds it.
func (s *Session) held(m *model, p mem.Ptr) *state {
	k, ok := m.ident.stored(p)
	if !ok {
		return nil
	}
	return s.lookup(k)
}

// query runs a statement whose rows fn consumes, in the session's
// transaction when one is open and either eager or already begun, else on
// a connection of its own: from a replica's pool or the primary's (read).
func (s *Session) query(ctx context.Context, sql string, args []any, fn func(pgx.Rows) error) error {
	if s.closed {
		return ErrSessionClosed
	}
	if s.tx == nil && ((s.cfg.isolation != "" && s.cfg.isolation != pgx.ReadCommitted) || s.cfg.readOnly || s.outer != nil) {
		s.ensureTx()
	}
	if s.tx != nil && (s.tx.eager || s.tx.begun) {
		p := &pipe{s: s}
		p.add(step{sql: sql, args: args, rows: fn, what: "query"})
		if err := p.run(ctx); err != nil && !errors.Is(err, errStop) {
			return s.queryFailed(err)
		} else if err != nil {
			return errStop
		}
		return nil
	}
	return withContext(ctx, s.read(ctx, sql, args, fn)) // replica.go
}

// queryFailed handles an error of a statement run in the transaction: the
// transaction is unusable after a server error, so it is rolled back (to
// the savepoint inside Nested) and the session restored to match.
func (s *Session) queryFailed(err error) error {
	var pg *pgconn.PgError
	if s.tx != nil && s.tx.begun && (errors.As(err, &pg) || s.tx.pg.IsClosed()) {
		return s.failTx(err)
	}
	return err
}

// loadRows runs sql, whose select list must be m's full column list in
// table order (the tableSQL list), and returns the session's objects for
// its rows, merged into the identity map like a query's. It is the
// relationship loaders' building block.
func (s *Session) loadRows(ctx context.Context, m *model, sql string, args []any) ([]mem.Ptr, error) {
	sc := newScanner(s, m, keepChanges)
	var out []mem.Ptr
	err := s.query(ctx, sql, args, func(rows pgx.Rows) error {
		for rows.Next() {
			p, err := sc.next(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	sc.done()
	return out, err
}
