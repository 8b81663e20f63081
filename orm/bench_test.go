package orm_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// BenchmarkCompare runs every workload through Crucible
// (…/<Workload>/impl=crucible) and through hand-written pgx doing the same
// work with the least effort a careful pgx programmer would spend
// (…/<Workload>/impl=pgx), in one process, one workload after the other.
// Both sides of a workload start from the same table state. The side that
// goes first alternates between rounds: CRUCIBLE_BENCH_FIRST=pgx puts pgx
// first. scripts/bench.sh runs the rounds; besides time, bytes and
// allocations, each side reports the client process's CPU time per
// operation (cpu-ns/op: user+sys from getrusage, so it also counts the GC
// and the driver's goroutines, and never the server's work).
//
// The workloads live in bench_read_test.go, bench_write_test.go and
// bench_relation_test.go; the session's memory per object in
// bench_memory_test.go.
func BenchmarkCompare(b *testing.B) {
	e := newBenchEnv(b)
	pgxFirst := os.Getenv("CRUCIBLE_BENCH_FIRST") == "pgx"
	for _, w := range e.workloads() {
		b.Run(w.name, func(b *testing.B) {
			if pgxFirst {
				b.Run("impl=pgx", w.pgx)
				b.Run("impl=crucible", w.crucible)
				return
			}
			b.Run("impl=crucible", w.crucible)
			b.Run("impl=pgx", w.pgx)
		})
	}
	queryBenchmarks(b, e) // bench_query_test.go
}

// workload is one comparison: the same result reached through a session
// and through plain pgx.
type workload struct {
	name          string
	crucible, pgx func(b *testing.B)
}

func (e *benchEnv) workloads() []workload {
	var ws []workload
	ws = append(ws, e.readWorkloads()...)
	ws = append(ws, e.writeWorkloads()...)
	return append(ws, e.relationWorkloads()...)
}

// benchEnv is the database the comparison benchmarks share: bench_items
// seeded with benchSeed rows for the reads and updates, empty tables for
// the inserts, and the relationship tables (bench_relation_test.go).
type benchEnv struct {
	ctx  context.Context
	db   *orm.DB
	pool *pgxpool.Pool
}

func newBenchEnv(b *testing.B) *benchEnv {
	ctx := context.Background()
	reg := orm.MustRegistry(&BenchItem{}, &BenchNew{}, &BenchUUID{},
		&BenchParent{}, &BenchChild{}, &BenchUser{}, &BenchPost{}, &BenchComment{})
	db, err := orm.Open(ctx, pgtest.New(b), reg, orm.WithMaxConns(2))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	if err := db.CreateAll(ctx); err != nil {
		b.Fatal(err)
	}
	e := &benchEnv{ctx: ctx, db: db, pool: db.Pool()}
	e.exec(b, seedItems)
	e.seedRelations(b)
	e.exec(b, "VACUUM ANALYZE")
	return e
}

// exec runs SQL outside the timed part.
func (e *benchEnv) exec(b *testing.B, sql string, args ...any) {
	b.Helper()
	if _, err := e.pool.Exec(e.ctx, sql, args...); err != nil {
		b.Fatal(sql, ": ", err)
	}
}

// meter measures one side of a workload: it turns on allocation reporting
// and adds the process's CPU time per operation to the result. Work done
// between pause and resume (resetting tables) is counted in neither time
// nor CPU.
type meter struct {
	b    *testing.B
	from time.Duration
	used time.Duration
}

// measure starts the meter; call it right before the b.Loop loop.
func measure(b *testing.B) *meter {
	b.ReportAllocs()
	return &meter{b: b, from: cpuTime()}
}

func (m *meter) pause() {
	m.b.StopTimer()
	m.used += cpuTime() - m.from
}

func (m *meter) resume() {
	m.from = cpuTime()
	m.b.StartTimer()
}

// done reports cpu-ns/op; call it right after the loop.
func (m *meter) done() {
	m.used += cpuTime() - m.from
	m.b.ReportMetric(float64(m.used.Nanoseconds())/float64(m.b.N), "cpu-ns/op")
}

// fatalIf stops the benchmark on an error or an unexpected count.
func fatalIf(b *testing.B, err error, got, want int) {
	b.Helper()
	if err != nil || got != want {
		b.Fatalf("err %v, got %d rows, want %d", err, got, want)
	}
}
