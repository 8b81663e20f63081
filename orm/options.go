package orm

import (
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect"
)

// Option configures a [DB] built by [Open] or [New].
type Option func(*config)

type config struct {
	maxConns        int32
	minConns        int32
	connectTimeout  time.Duration
	maxConnLifetime time.Duration
	maxConnIdle     time.Duration
	poolHook        func(*pgxpool.Config)
	execMode        pgx.QueryExecMode // 0: the URL's default_query_exec_mode, else pgx's default
	onCancel        func(*pgconn.PgConn) ctxwatch.Handler
	tracer          pgx.QueryTracer
	logger          *slog.Logger
	hideArgs        bool
	dialect         dialect.Dialect
	session         sessionConfig
	replicaURLs     []string
	replicaPools    []*pgxpool.Pool
	replicaRetry    time.Duration
}

// sessionConfig is what every session of a DB starts with.
type sessionConfig struct {
	autoflush bool
	isolation pgx.TxIsoLevel
	readOnly  bool
}

func defaultConfig() config {
	return config{session: sessionConfig{autoflush: true}, replicaRetry: defaultReplicaRetry,
		onCancel: cancelRequest(time.Second)}
}

// WithMaxConns sets the pool's maximum number of connections (Open only).
func WithMaxConns(n int32) Option { return func(c *config) { c.maxConns = n } }

// WithMinConns sets the number of connections the pool keeps open (Open
// only).
func WithMinConns(n int32) Option { return func(c *config) { c.minConns = n } }

// WithConnectTimeout bounds the time to establish a connection (Open only).
func WithConnectTimeout(d time.Duration) Option { return func(c *config) { c.connectTimeout = d } }

// WithMaxConnLifetime closes connections older than d (Open only).
func WithMaxConnLifetime(d time.Duration) Option { return func(c *config) { c.maxConnLifetime = d } }

// WithMaxConnIdleTime closes connections idle longer than d (Open only).
func WithMaxConnIdleTime(d time.Duration) Option { return func(c *config) { c.maxConnIdle = d } }

// WithPoolConfig lets fn adjust the parsed pool configuration before the
// pool is created, for any setting without an option of its own (TLS,
// AfterConnect, runtime parameters, …). It runs after the other options
// (Open only).
func WithPoolConfig(fn func(*pgxpool.Config)) Option { return func(c *config) { c.poolHook = fn } }

// WithExecMode sets how pgx sends statements (Open only), overriding the
// URL's default_query_exec_mode parameter. Without either, pgx's default
// QueryExecModeCacheStatement prepares each statement once per connection,
// the fastest mode on a direct connection. Behind PgBouncer in transaction
// pooling mode prepared statements do not survive from one transaction to
// the next: use QueryExecModeExec there (or QueryExecModeSimpleProtocol,
// which also suits poolers without extended-protocol support); see
// docs/deploy.md. Every Session feature works in every mode.
func WithExecMode(m pgx.QueryExecMode) Option { return func(c *config) { c.execMode = m } }

// WithCancelRequest sets what happens when the context of a running
// statement ends (Open only): Crucible sends PostgreSQL a cancel request
// at once, so that the statement fails (the transaction known not
// committed) and the connection survives; only a statement that has not
// ended grace later gets its connection closed. This is the default, with
// a grace of one second. The cancel request's connection is left for the
// server or pooler to close, which PgBouncer 1.18 needs. A non-positive
// grace is WithCloseOnCancel.
func WithCancelRequest(grace time.Duration) Option {
	return func(c *config) { c.onCancel = cancelRequest(grace) }
}

// WithCloseOnCancel makes an ended context close the statement's
// connection at once, without a cancel request (Open only). The server
// ends the statement and rolls back its transaction when it notices the
// closed connection. Use it where cancel requests do not reach the server
// (a pooler or proxy that does not forward them); see docs/deploy.md.
func WithCloseOnCancel() Option { return func(c *config) { c.onCancel = closeOnCancel } }

func cancelRequest(grace time.Duration) func(*pgconn.PgConn) ctxwatch.Handler {
	if grace <= 0 {
		return closeOnCancel
	}
	return func(pc *pgconn.PgConn) ctxwatch.Handler { return &cancelWatcher{conn: pc, grace: grace} }
}

// WithTracer installs a pgx query tracer on the pool's connections, for
// OpenTelemetry instrumentation such as otelpgx. It is kept alongside the
// statement logging of [WithLogger] (Open only; with [New], configure the
// tracer on your own pool).
func WithTracer(t pgx.QueryTracer) Option { return func(c *config) { c.tracer = t } }

// WithLogger logs every statement the DB's sessions send, at Debug level,
// with its duration, row count and arguments (see [WithHiddenArgs]); a
// failed statement is logged at Error level. It is the equivalent of
// SQLAlchemy's echo.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithHiddenArgs keeps statement arguments out of the log: only their count
// is logged. Use it when arguments may hold secrets or personal data.
func WithHiddenArgs() Option { return func(c *config) { c.hideArgs = true } }

// WithDialect replaces the SQL dialect (PostgreSQL by default).
func WithDialect(d dialect.Dialect) Option { return func(c *config) { c.dialect = d } }

// WithAutoflush sets whether sessions flush pending changes before running
// a query (on by default). A session can change it with
// [Session.SetAutoflush].
func WithAutoflush(on bool) Option { return func(c *config) { c.session.autoflush = on } }

// WithIsolation makes every session transaction use the given isolation
// level. With a level above ReadCommitted the transaction begins with the
// session's first statement, reads included, so that all of them share one
// snapshot.
func WithIsolation(level pgx.TxIsoLevel) Option {
	return func(c *config) { c.session.isolation = level }
}

// WithReplicas adds read replicas: hot standbys of the primary (streaming
// replication) at the given URLs. A read outside a transaction (a query,
// Get, Raw, Count, a relationship load) goes to one of them, in turn,
// unless its session has written (read-your-writes) or called
// [Session.UsePrimary], or its context comes from [OnPrimary]; writes and
// everything inside a transaction go to the primary. The DB opens a pool
// per URL, configured by the pool options like the primary's, without
// connecting yet, and Close closes them (with [New] too). An empty URL is
// skipped, so WithReplicas(os.Getenv("REPLICA_URL")) adds none when the
// variable is unset. A replica that cannot answer is left out for a while
// ([WithReplicaRetry]) and its reads go to the primary.
func WithReplicas(urls ...string) Option {
	return func(c *config) {
		for _, u := range urls {
			if u != "" {
				c.replicaURLs = append(c.replicaURLs, u)
			}
		}
	}
}

// WithReplicaPools adds read replicas as pools the caller opened and
// keeps: Close does not close them. See [WithReplicas].
func WithReplicaPools(pools ...*pgxpool.Pool) Option {
	return func(c *config) { c.replicaPools = append(c.replicaPools, pools...) }
}

// WithReplicaRetry sets how long a replica that could not answer (refused
// or lost connections, shutting down, starting up) is left out before
// reads try it again; 5 seconds by default.
func WithReplicaRetry(d time.Duration) Option { return func(c *config) { c.replicaRetry = d } }
