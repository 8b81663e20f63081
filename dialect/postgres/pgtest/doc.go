// Package pgtest gives tests a fresh PostgreSQL database each, like
// net/http/httptest gives them a server. Tests talk to a real PostgreSQL:
// nothing of the database is mocked.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestInsert(t *testing.T) {
//		pool := pgtest.NewPool(t) // a database of its own, dropped in t.Cleanup
//		_, err := pool.Exec(ctx, "CREATE TABLE t (id int)")
//		...
//	}
//
// [New] returns the URL of a new database named crucible_<package>_<random>
// and drops it (WITH (FORCE)) when the test ends; [NewPool] also opens a
// pgxpool on it. Programs without a testing.T (a demo, an Example function)
// use [CreateDatabase] and [Shutdown].
//
// # Finding a server
//
// The server is found once per process (per [Helper]), on first use, in
// this order:
//
//  1. CRUCIBLE_TEST_DATABASE_URL, then DATABASE_URL: a URL (or keyword/value
//     string) of a server whose user may create databases. Databases are
//     created through it; the server itself is left alone.
//  2. The [Source]s of a Helper made by [NewHelper], in order, such as the
//     Docker container of
//     github.com/crucible-orm/crucible/dialect/postgres/pgtest/pgdocker, a
//     module of its own so that projects which do not use it never download
//     the Docker client libraries. The package-level functions have none.
//  3. Local PostgreSQL binaries: initdb and postgres on PATH, else under
//     /usr/lib/postgresql/*/bin (newest version first). A throwaway cluster
//     is created in a temporary directory and listens on a free port of
//     127.0.0.1 (its unix socket is in that directory), with fsync and the
//     like off for speed. As root, initdb and postgres run as the
//     "postgres" system user, else "nobody". A watchdog shell stops the
//     cluster and removes its directory when this process exits, whether
//     or not [Shutdown] is called, so a killed test run leaks nothing.
//
// With none of them, [New] fails the test (and [CreateDatabase] returns an
// error) with a message saying how to provide one. CRUCIBLE_PGTEST_FORCE
// set to env, local or the name of a Helper's source tries only that
// source.
//
// # Behind PgBouncer
//
// [NewBouncer] starts a PgBouncer (the pgbouncer binary on PATH or
// /usr/sbin/pgbouncer; Debian's package pgbouncer) on a free port of
// 127.0.0.1 in front of the server, in [TransactionPooling] or
// [SessionPooling] mode, with its configuration in a temporary directory
// and no client authentication (any user the server knows may connect),
// and returns the URL of a fresh database reached through it. The
// PgBouncer stops at the test's cleanup; without the binary the test is
// skipped, saying why.
//
// CRUCIBLE_PGTEST_PGBOUNCER=transaction (or 1, or session) routes every
// database of [New], [NewPool] and [CreateDatabase] through one PgBouncer
// of the process in that mode, so a package's whole suite runs behind the
// pooler; databases are still created and dropped directly on the server.
// Behind transaction pooling the URLs carry default_query_exec_mode=exec,
// a pgx exec mode that needs no session state;
// CRUCIBLE_PGTEST_EXEC_MODE=simple_protocol (or any mode pgx knows) puts
// that mode in every URL instead. A test that needs session state calls
// [NeedSession], which skips it behind transaction pooling.
//
// # A primary with a streaming replica
//
// [NewReplicated] gives a test a fresh database on a primary server and
// the URL of the same database on a hot standby streaming from it, for
// tests of read replica routing:
//
//	r := pgtest.NewReplicated(t)
//	// write through r.PrimaryURL, read through r.ReplicaURL
//	r.Pause(t)  // replay paused: the replica lags, deterministically
//	r.Resume(t) // replay resumed and caught up
//
// The pair is started from the local binaries only (initdb, postgres and
// pg_basebackup; a server from DATABASE_URL cannot be reconfigured for
// replication) on first use, once per process, and stopped by
// [Shutdown]; without the binaries NewReplicated skips the test. The
// primary runs with wal_level=replica and trusts replication connections
// from 127.0.0.1; the replica is made with pg_basebackup -R.
//
// # Concurrency
//
// All functions and [Helper] methods are safe for concurrent use. Test
// binaries of several packages may run at once: each finds its own server
// (or shares the one of DATABASE_URL), and random database names do not
// collide.
package pgtest
