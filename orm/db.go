package orm

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres"
)

// DB is a connection pool bound to a [Registry] and a dialect. It is safe
// for concurrent use by many goroutines; each goroutine works through its
// own [Session], which is cheap to create. Close it once at shutdown.
type DB struct {
	pool     *pgxpool.Pool
	reg      *Registry
	dialect  dialect.Dialect
	sql      []*tableSQL // per model id; immutable maps of statement text
	rel      []relSQL    // per relationship rule id: its statements (load_sql.go)
	log      *logger     // nil unless WithLogger
	session  sessionConfig
	owned    bool      // Close closes the pool
	replicas *replicas // nil without replicas (replica.go)

	works  sync.Pool   // *sessionWork of closed sessions, for reuse (arena.go)
	spares flushSpares // large flush storage, for reuse (spares.go)
}

// Open parses url (a PostgreSQL URL or key=value DSN), creates a pgx pool
// with the options applied and pings the server. pgx's own URL parameters
// apply too (pool_max_conns, default_query_exec_mode, …); an option given
// here wins over its URL parameter. The DB owns the pool: Close closes it.
func Open(ctx context.Context, url string, reg *Registry, opts ...Option) (*DB, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	applyPool(pc, &cfg)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open: %w", err)
	}
	db, err := newDB(ctx, pool, reg, cfg)
	if err != nil {
		pool.Close()
		return nil, err
	}
	db.owned = true
	return db, nil
}

func applyPool(pc *pgxpool.Config, cfg *config) {
	if cfg.maxConns > 0 {
		pc.MaxConns = cfg.maxConns
	}
	if cfg.minConns > 0 {
		pc.MinConns = cfg.minConns
	}
	if cfg.connectTimeout > 0 {
		pc.ConnConfig.ConnectTimeout = cfg.connectTimeout
	}
	if cfg.maxConnLifetime > 0 {
		pc.MaxConnLifetime = cfg.maxConnLifetime
	}
	if cfg.maxConnIdle > 0 {
		pc.MaxConnIdleTime = cfg.maxConnIdle
	}
	if cfg.tracer != nil {
		pc.ConnConfig.Tracer = cfg.tracer
	}
	if cfg.execMode != 0 {
		pc.ConnConfig.DefaultQueryExecMode = cfg.execMode
	}
	// WithCancelRequest (the default) or WithCloseOnCancel.
	pc.ConnConfig.BuildContextWatcherHandler = cfg.onCancel
	if cfg.poolHook != nil {
		cfg.poolHook(pc)
	}
}

// New wraps a pool the caller already has. The caller keeps ownership:
// Close on the DB does not close the pool. Pool options (WithMaxConns,
// WithTracer, …) do not apply; configure the pool itself.
func New(pool *pgxpool.Pool, reg *Registry, opts ...Option) (*DB, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	return newDB(context.Background(), pool, reg, cfg)
}

func newDB(ctx context.Context, pool *pgxpool.Pool, reg *Registry, cfg config) (*DB, error) {
	if reg == nil {
		return nil, fmt.Errorf("new db: nil registry: %w", ErrUnknownModel)
	}
	d := cfg.dialect
	if d == nil {
		d = defaultDialect()
	}
	db := &DB{pool: pool, reg: reg, dialect: d, session: cfg.session}
	if cfg.logger != nil {
		db.log = &logger{l: cfg.logger, hideArgs: cfg.hideArgs}
	}
	for _, m := range reg.models {
		ts, err := newTableSQL(d, m)
		if err != nil {
			return nil, fmt.Errorf("new db: %s: %w", m, err)
		}
		db.sql = append(db.sql, ts)
	}
	rel, err := newRelSQLs(d, reg, db.sql)
	if err != nil {
		return nil, fmt.Errorf("new db: %w", err)
	}
	db.rel = rel
	if db.replicas, err = openReplicas(ctx, &cfg); err != nil {
		return nil, fmt.Errorf("new db: %w", err)
	}
	return db, nil
}

// Close closes the pool if [Open] created it, and the replicas' pools
// opened from URLs ([WithReplicas]); the pools the caller passed to [New]
// or [WithReplicaPools] stay open.
func (db *DB) Close() {
	if db.owned {
		db.pool.Close()
	}
	db.replicas.close()
}

// Pool returns the underlying pgx pool (the primary's), for work outside
// the ORM.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// ExecMode returns the pgx exec mode the pool's connections send
// statements with: the one of [WithExecMode], else the URL's
// default_query_exec_mode, else pgx's default (QueryExecModeCacheStatement).
// It prints in pgx's words, the URL value with a space for the underscore:
// "cache statement", "cache describe", "describe exec", "exec", "simple
// protocol".
func (db *DB) ExecMode() pgx.QueryExecMode { return db.pool.Config().ConnConfig.DefaultQueryExecMode }

// Registry returns the DB's registry.
func (db *DB) Registry() *Registry { return db.reg }

// Session returns a new session. It costs a few small allocations and no
// I/O: a connection is taken from the pool only when the session sends a
// statement, and held while its transaction is open. A Session must be
// used by one goroutine at a time; Close it when done.
func (db *DB) Session() *Session { return newSession(db) }

// CreateAll creates every enum, table, constraint and index of the
// registry's metadata, in one transaction: all or nothing.
func (db *DB) CreateAll(ctx context.Context) error {
	stmts, err := db.dialect.CreateAll(db.reg.meta)
	if err != nil {
		return fmt.Errorf("create all: %w", err)
	}
	return db.execDDL(ctx, "create all", stmts)
}

// DropAll drops everything CreateAll creates, in one transaction.
func (db *DB) DropAll(ctx context.Context) error {
	stmts, err := db.dialect.DropAll(db.reg.meta)
	if err != nil {
		return fmt.Errorf("drop all: %w", err)
	}
	return db.execDDL(ctx, "drop all", stmts)
}

func (db *DB) execDDL(ctx context.Context, what string, stmts []string) error {
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		for _, s := range stmts {
			start := db.log.start()
			_, err := tx.Exec(ctx, s)
			db.log.statement(ctx, start, s, nil, -1, err)
			if err != nil {
				return fmt.Errorf("%s: %w", firstLine(s), err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || i == 60 {
			return s[:i] + "…"
		}
	}
	return s
}

// defaultDialect is PostgreSQL.
func defaultDialect() dialect.Dialect { return postgres.New() }
