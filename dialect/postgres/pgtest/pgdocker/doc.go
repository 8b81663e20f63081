// Package pgdocker is a Docker source for the pgtest helper: tests get
// their databases on a PostgreSQL container when a Docker engine answers.
//
// It is a module of its own, so that projects which only import Crucible
// (or only pgtest) never download the Docker client libraries. Add it to
// the tests that want it and give pgtest a Helper that uses it:
//
//	go get github.com/crucible-orm/crucible/dialect/postgres/pgtest/pgdocker
//
//	var pg = pgtest.NewHelper(pgdocker.Source{})
//
//	func TestMain(m *testing.M) { pg.Main(m) }
//
//	func TestInsert(t *testing.T) {
//		pool := pg.NewPool(t) // a database of its own on the container
//		...
//	}
//
// The helper tries CRUCIBLE_TEST_DATABASE_URL and DATABASE_URL first, then
// the container, then local PostgreSQL binaries. [Source] satisfies
// pgtest.Source with standard types only and does not import pgtest.
//
// # The container
//
// [Source.Start] pings the engine named by DOCKER_HOST (or the default
// socket) and gives up within a second or two when none answers, so the
// helper moves on. It runs postgres:17-alpine (see [Source.Tag]) with the
// helper's settings (fsync off and the like), publishes port 5432 on a
// free host port and waits until the server accepts connections. The
// container is removed when it stops (the helper's Shutdown stops it); one
// left behind by a killed test process carries an expiry label, and the
// next Start removes it once that has passed.
package pgdocker
