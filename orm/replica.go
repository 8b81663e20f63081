package orm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// defaultReplicaRetry is how long a replica that failed is left out when
// WithReplicaRetry does not say.
const defaultReplicaRetry = 5 * time.Second

// replicas are the read-only servers that reads outside a transaction go
// to (WithReplicas, WithReplicaPools), in turn.
type replicas struct {
	list  []*replica
	next  atomic.Uint32 // round robin position
	retry time.Duration // how long a failed replica is left out
}

// replica is one server of the set.
type replica struct {
	pool  *pgxpool.Pool
	owned bool         // opened from a URL: DB.Close closes it
	down  atomic.Int64 // until this time (Unix nanoseconds) the replica is left out
}

// openReplicas builds the DB's replica set from cfg: a pool per URL,
// configured like the primary's by the pool options (nothing is sent
// yet, so a replica that is down at start only costs a fallback later),
// then the caller's pools. It returns nil without replicas.
func openReplicas(ctx context.Context, cfg *config) (*replicas, error) {
	if len(cfg.replicaURLs)+len(cfg.replicaPools) == 0 {
		return nil, nil
	}
	rs := &replicas{retry: cfg.replicaRetry}
	for i, url := range cfg.replicaURLs {
		pc, err := pgxpool.ParseConfig(url)
		var pool *pgxpool.Pool
		if err == nil {
			applyPool(pc, cfg)
			pool, err = pgxpool.NewWithConfig(ctx, pc)
		}
		if err != nil {
			rs.close()
			return nil, fmt.Errorf("replica %d: %w", i+1, err)
		}
		rs.list = append(rs.list, &replica{pool: pool, owned: true})
	}
	for _, pool := range cfg.replicaPools {
		rs.list = append(rs.list, &replica{pool: pool})
	}
	return rs, nil
}

// close closes the pools the set opened.
func (rs *replicas) close() {
	if rs == nil {
		return
	}
	for _, r := range rs.list {
		if r.owned {
			r.pool.Close()
		}
	}
}

// pick returns the next replica in turn that is not left out, or nil. A
// replica left out moves the turn on, so that the others share its reads
// evenly.
func (rs *replicas) pick() *replica {
	n := uint32(len(rs.list))
	start := rs.next.Add(1)
	var now int64
	for i := range n {
		r := rs.list[(start+i)%n]
		if until := r.down.Load(); until != 0 {
			if now == 0 {
				now = time.Now().UnixNano()
			}
			if now < until {
				rs.next.Add(1)
				continue
			}
		}
		return r
	}
	return nil
}

// primaryKey is the context key of OnPrimary.
type primaryKey struct{}

// OnPrimary returns a context whose reads go to the primary server: a
// query, Get, Raw, Count or relationship load called with it reads what
// was committed there, however far the replicas lag. Without replicas
// ([WithReplicas]) every read goes to the primary anyway.
func OnPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// UsePrimary sends all the session's later reads to the primary server,
// as its first write does (read-your-writes): use it for a session whose
// reads must see the latest commits. Without replicas it changes nothing.
func (s *Session) UsePrimary() { s.onPrimary = true }

// replica returns the replica a read of the session outside a transaction
// goes to, or nil for the primary.
func (s *Session) replica(ctx context.Context) *replica {
	rs := s.db.replicas
	if rs == nil || s.onPrimary || ctx.Value(primaryKey{}) != nil {
		return nil
	}
	return rs.pick()
}

// read runs a statement outside a transaction, whose rows fn consumes:
// on a replica (see Session.replica), else on the primary; on the primary
// too when the replica fails in a way that allows it (see fallBack).
func (s *Session) read(ctx context.Context, sql string, args []any, fn func(pgx.Rows) error) error {
	if r := s.replica(ctx); r != nil {
		start := s.db.log.start()
		seen := &seenRows{}
		n, err := readOn(ctx, r.pool, sql, args, fn, seen)
		if !s.fallBack(ctx, r, err, seen.any) {
			s.db.log.read(ctx, start, sql, args, n, err)
			return err
		}
		s.db.log.fallback(ctx, start, sql, err)
	}
	start := s.db.log.start()
	n, err := readOn(ctx, s.db.pool, sql, args, fn, nil)
	s.db.log.read(ctx, start, sql, args, n, err)
	return err
}

// fallBack reports whether a read that replica r failed with err runs on
// the primary instead: when no row reached the caller yet, and r cannot
// answer now (see unavailable), which also leaves r out for the retry
// period, or failed only because it is behind (see behind), which does
// not.
func (s *Session) fallBack(ctx context.Context, r *replica, err error, seen bool) bool {
	switch {
	case err == nil || seen || ctx.Err() != nil:
		return false
	case behind(err):
		return true
	case unavailable(err):
		r.down.Store(time.Now().Add(s.db.replicas.retry).UnixNano())
		return true
	}
	return false
}

// readOn runs the statement on a connection of pool and returns the
// number of rows (-1: unknown); fn reads the rows through seen, when
// given, which records whether it had one. The server's error, or a lost
// connection, comes before fn's: fn may have failed only because the
// result it expected never came (no columns, say).
func readOn(ctx context.Context, pool *pgxpool.Pool, sql string, args []any, fn func(pgx.Rows) error, seen *seenRows) (int64, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return -1, err
	}
	if seen != nil {
		seen.Rows = rows
		err = fn(seen)
	} else {
		err = fn(rows)
	}
	rows.Close()
	if rerr := rows.Err(); rerr != nil && (err == nil || fromServer(rerr)) {
		err = rerr
	}
	return rows.CommandTag().RowsAffected(), err
}

// seenRows records whether the caller has been given a row, after which
// a failure can no longer be retried elsewhere.
type seenRows struct {
	pgx.Rows
	any bool
}

// Next moves to the next row.
func (r *seenRows) Next() bool {
	ok := r.Rows.Next()
	r.any = r.any || ok
	return ok
}

// unavailable reports whether err says that the server cannot answer now,
// rather than that the statement failed: no connection, a connection
// lost, a server shutting down, starting up or out of resources.
func unavailable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// connection exception, insufficient resources, operator
		// intervention other than query_canceled (statement_timeout, a
		// cancel request)
		class := pg.Code[:min(2, len(pg.Code))]
		return pg.Code != "57014" && (class == "08" || class == "53" || class == "57")
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// fromServer reports whether err is the server's or a failed connection's.
func fromServer(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) || unavailable(err)
}

// behind reports an error a replica gives because it is behind the
// primary, which the primary would not give: a statement cancelled
// because replay needed what it used (recovery conflict: 40001, 40P01),
// or a table, column, type or function that a migration just created
// and the replica has not replayed yet (42P01, 42703, 42704, 42883).
func behind(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	switch pg.Code {
	case "40001", "40P01", "42P01", "42703", "42704", "42883":
		return true
	}
	return false
}
