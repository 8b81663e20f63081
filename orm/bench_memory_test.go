package orm_test

import (
	"runtime"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// memObjects is how many objects the session memory figures hold.
const memObjects = 10000

// BenchmarkSessionMemory reports the session's bookkeeping per object
// (B/obj): the live heap while a session holds memObjects objects, minus
// the live heap once the session is closed and dropped but the objects
// are still referenced — so the objects themselves (structs, strings) are
// not counted, only what the session keeps beside them (states,
// snapshots, identity map, lists, journal). Measured after GC (see
// liveHeap) with runtime.ReadMemStats:
//
//   - load: after Query.All of memObjects rows;
//   - flush: after adding memObjects new objects and Flush (the
//     transaction still open, so the journal that can undo it is held);
//   - commit: the same after Commit.
func BenchmarkSessionMemory(b *testing.B) {
	e := newBenchEnv(b)
	b.Run("load", func(b *testing.B) { e.memory(b, e.memLoad) })
	b.Run("flush", func(b *testing.B) { e.memory(b, e.memWrite(false)) })
	b.Run("commit", func(b *testing.B) { e.memory(b, e.memWrite(true)) })
}

// memory runs one figure's measurement per iteration and reports the mean.
func (e *benchEnv) memory(b *testing.B, measure func(b *testing.B) float64) {
	total := 0.0
	for b.Loop() {
		total += measure(b)
	}
	b.ReportMetric(total/float64(b.N), "B/obj")
}

// liveHeap is the heap still referenced after two full collections: the
// first leaves what sync.Pools cached (the DB's spare flush storage, pgx's
// buffers) to the second, and that cache is the DB's, not the session's.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// retained returns the bytes per object that s holds beside objs: the
// live heap with the session, minus the live heap without it.
func retained(s *orm.Session, objs any) float64 {
	with := liveHeap()
	s.Close()
	without := liveHeap()
	runtime.KeepAlive(objs)
	return float64(with-without) / memObjects
}

func (e *benchEnv) memLoad(b *testing.B) float64 {
	s := e.db.Session()
	items, err := orm.Query[BenchItem](s).Where("id <= ?", memObjects).All(e.ctx)
	fatalIf(b, err, len(items), memObjects)
	return retained(s, items)
}

func (e *benchEnv) memWrite(commit bool) func(b *testing.B) float64 {
	tpl := templates(memObjects)
	return func(b *testing.B) float64 {
		e.exec(b, "TRUNCATE bench_inserts RESTART IDENTITY")
		items := make([]*BenchNew, memObjects)
		s := e.db.Session()
		for i := range items {
			items[i] = new(BenchNew)
			*items[i] = BenchNew(tpl[i])
			s.Add(items[i])
		}
		var err error
		if commit {
			err = s.Commit(e.ctx)
		} else {
			err = s.Flush(e.ctx)
		}
		fatalIf(b, err, 0, 0)
		return retained(s, items)
	}
}
