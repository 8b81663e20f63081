package orm_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/orm"
)

// BenchNew is BenchItem written into its own table, bench_inserts, which
// the insert workloads empty as they go.
type BenchNew BenchItem

func (BenchNew) TableName() string { return "bench_inserts" }

// BenchUUID is BenchItem with a uuid key the server draws
// (gen_random_uuid()).
type BenchUUID struct {
	ID [16]byte `orm:"pk,server_default:gen_random_uuid()"`
	BenchData
}

func (BenchUUID) TableName() string { return "bench_uuids" }

// maxFill is how many rows an insert workload writes before it empties its
// table (untimed), so that both sides write into tables of the same size.
const maxFill = 10000

const pgxUnnest = `SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::bool[], ` +
	`$6::text[], $7::text[], $8::timestamptz[], $9::bigint[]) RETURNING id`

func (e *benchEnv) writeWorkloads() []workload {
	ws := []workload{{"InsertOne", e.insertCrucible(1), e.insertOnePgx}}
	for _, n := range []int{100, 1000, 10000} {
		ws = append(ws, workload{"InsertBulk" + strconv.Itoa(n), e.insertCrucible(n), e.insertBulkPgx(n)})
	}
	return append(ws,
		workload{"InsertBulkUUID10000", e.insertUUIDCrucible(10000), e.insertUUIDPgx(10000)},
		workload{"UpdateOne", e.updateOneCrucible, e.updateOnePgx},
		workload{"UpdateBatch1000", e.updateBatchCrucible(1001, 1000), e.updateBatchPgx(3001, 1000)},
	)
}

// templates are the field values of n new objects, built once so that
// both sides pay only for copying them into fresh structs.
func templates(n int) []BenchItem {
	out := make([]BenchItem, n)
	for i := range out {
		out[i] = *newItem(i)
	}
	return out
}

// filler empties table at the start of a side and whenever maxFill rows
// were written since, outside the measurement.
type filler struct {
	e       *benchEnv
	m       *meter
	table   string
	written int
}

func (e *benchEnv) fill(b *testing.B, table string) *filler {
	e.exec(b, "TRUNCATE "+table+" RESTART IDENTITY")
	return &filler{e: e, table: table}
}

func (f *filler) wrote(n int) {
	if f.written += n; f.written < maxFill {
		return
	}
	f.m.pause()
	f.e.exec(f.m.b, "TRUNCATE "+f.table+" RESTART IDENTITY")
	f.written = 0
	f.m.resume()
}

func (e *benchEnv) insertCrucible(n int) func(b *testing.B) {
	return func(b *testing.B) {
		tpl := templates(n)
		f := e.fill(b, "bench_inserts")
		f.m = measure(b)
		for b.Loop() {
			items := make([]*BenchNew, n)
			s := e.db.Session()
			for i := range items {
				items[i] = new(BenchNew)
				*items[i] = BenchNew(tpl[i])
				s.Add(items[i])
			}
			fatalIf(b, s.Commit(e.ctx), 0, 0)
			s.Close()
			f.wrote(n)
		}
		f.m.done()
	}
}

func (e *benchEnv) insertOnePgx(b *testing.B) {
	const q = `INSERT INTO bench_inserts (` + benchCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`
	tpl := templates(1)
	f := e.fill(b, "bench_inserts")
	f.m = measure(b)
	for b.Loop() {
		it := new(BenchNew)
		*it = BenchNew(tpl[0])
		err := e.pool.QueryRow(e.ctx, q, it.Name, it.Email, it.Age, it.Score, it.Active, it.Note, it.Code, it.CreatedAt, it.Counter).Scan(&it.ID)
		fatalIf(b, err, 0, 0)
		f.wrote(1)
	}
	f.m.done()
}

// columns is one array per column of n rows: what a pgx programmer binds
// to an unnest INSERT, allocated once per call at its final size. Notes
// travel as []string (none is nil here), the cheapest array pgx encodes.
type columns struct {
	names, emails, notes, codes []string
	ages                        []int32
	scores                      []float64
	actives                     []bool
	created                     []time.Time
	counters                    []int64
}

func newColumns(n int) *columns {
	return &columns{
		names: make([]string, n), emails: make([]string, n), notes: make([]string, n), codes: make([]string, n),
		ages: make([]int32, n), scores: make([]float64, n), actives: make([]bool, n),
		created: make([]time.Time, n), counters: make([]int64, n),
	}
}

func (c *columns) set(i int, it *BenchItem) {
	c.names[i], c.emails[i], c.notes[i], c.codes[i] = it.Name, it.Email, *it.Note, it.Code
	c.ages[i], c.scores[i], c.actives[i] = it.Age, it.Score, it.Active
	c.created[i], c.counters[i] = it.CreatedAt, it.Counter
}

func (c *columns) args() []any {
	return []any{c.names, c.emails, c.ages, c.scores, c.actives, c.notes, c.codes, c.created, c.counters}
}

// insertBulkPgx inserts n rows with one unnest INSERT … RETURNING id and
// copies the keys into the objects in the order they come back.
func (e *benchEnv) insertBulkPgx(n int) func(b *testing.B) {
	return func(b *testing.B) {
		tpl := templates(n)
		f := e.fill(b, "bench_inserts")
		f.m = measure(b)
		for b.Loop() {
			items, cols := make([]*BenchNew, n), newColumns(n)
			for i := range items {
				items[i] = new(BenchNew)
				*items[i] = BenchNew(tpl[i])
				cols.set(i, (*BenchItem)(items[i]))
			}
			err := e.insertKeys(n, `INSERT INTO bench_inserts (`+benchCols+`) `+pgxUnnest, cols.args(),
				func(i int) any { return &items[i].ID })
			fatalIf(b, err, 0, 0)
			f.wrote(n)
		}
		f.m.done()
	}
}

// insertKeys runs an INSERT … RETURNING id of n rows and scans the i-th
// returned key into dest(i).
func (e *benchEnv) insertKeys(n int, sql string, args []any, dest func(i int) any) error {
	rows, err := e.pool.Query(e.ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scanKeys(rows, n, dest)
}

func (e *benchEnv) insertUUIDCrucible(n int) func(b *testing.B) {
	return func(b *testing.B) {
		tpl := templates(n)
		f := e.fill(b, "bench_uuids")
		f.m = measure(b)
		for b.Loop() {
			items := make([]*BenchUUID, n)
			s := e.db.Session()
			for i := range items {
				items[i] = uuidItem(&tpl[i])
				s.Add(items[i])
			}
			fatalIf(b, s.Commit(e.ctx), 0, 0)
			s.Close()
			f.wrote(n)
		}
		f.m.done()
	}
}

func uuidItem(t *BenchItem) *BenchUUID { return &BenchUUID{BenchData: t.BenchData} }

// insertUUIDPgx lets the server draw the keys in one unnest INSERT …
// RETURNING id and takes the returned keys in row order.
func (e *benchEnv) insertUUIDPgx(n int) func(b *testing.B) {
	return func(b *testing.B) {
		tpl := templates(n)
		f := e.fill(b, "bench_uuids")
		f.m = measure(b)
		for b.Loop() {
			items, cols := make([]*BenchUUID, n), newColumns(n)
			for i := range items {
				items[i] = uuidItem(&tpl[i])
				cols.set(i, &tpl[i])
			}
			err := e.insertKeys(n, `INSERT INTO bench_uuids (`+benchCols+`) `+pgxUnnest, cols.args(),
				func(i int) any { return &items[i].ID })
			fatalIf(b, err, 0, 0)
			f.wrote(n)
		}
		f.m.done()
	}
}

func (e *benchEnv) updateOneCrucible(b *testing.B) {
	e.exec(b, "VACUUM bench_items")
	s := e.db.Session()
	defer s.Close()
	it, err := orm.Get[BenchItem](e.ctx, s, int64(1))
	fatalIf(b, err, 0, 0)
	m := measure(b)
	for b.Loop() {
		it.Counter++
		fatalIf(b, s.Commit(e.ctx), 0, 0)
	}
	m.done()
}

func (e *benchEnv) updateOnePgx(b *testing.B) {
	e.exec(b, "VACUUM bench_items")
	it := newItem(1)
	it.ID = 2
	m := measure(b)
	for b.Loop() {
		it.Counter++
		tag, err := e.pool.Exec(e.ctx, `UPDATE bench_items SET counter = $1 WHERE id = $2`, it.Counter, it.ID)
		fatalIf(b, err, int(tag.RowsAffected()), 1)
	}
	m.done()
}

// change makes the update batch's edits to item i of a batch: a third of
// the rows change the counter, a third the score, a third the name and
// the counter.
func change(it *BenchItem, i int, names *[2]string) {
	switch i % 3 {
	case 0:
		it.Counter++
	case 1:
		it.Score++
	default:
		if it.Name == names[0] {
			it.Name = names[1]
		} else {
			it.Name = names[0]
		}
		it.Counter++
	}
}

var benchNames = [2]string{"renamed a", "renamed b"}

// updateBatchCrucible changes n loaded objects (keys first…first+n-1),
// different columns on different rows, and commits.
func (e *benchEnv) updateBatchCrucible(first, n int) func(b *testing.B) {
	return func(b *testing.B) {
		e.exec(b, "VACUUM bench_items")
		s := e.db.Session()
		defer s.Close()
		items, err := orm.Query[BenchItem](s).Where("id >= ? AND id < ?", first, first+n).OrderBy("id").All(e.ctx)
		fatalIf(b, err, len(items), n)
		names := benchNames
		m := measure(b)
		for b.Loop() {
			for i, it := range items {
				change(it, i, &names)
			}
			fatalIf(b, s.Commit(e.ctx), 0, 0)
		}
		m.done()
	}
}

// updateBatchPgx makes the same changes to its own n rows and sends one
// UPDATE … FROM unnest per changed column set, the three in one pipeline
// (an implicit transaction), each checked to touch its rows.
func (e *benchEnv) updateBatchPgx(first, n int) func(b *testing.B) {
	const (
		setCounter = `UPDATE bench_items SET counter = u.counter FROM unnest($1::bigint[], $2::bigint[]) AS u(id, counter) WHERE bench_items.id = u.id`
		setScore   = `UPDATE bench_items SET score = u.score FROM unnest($1::bigint[], $2::float8[]) AS u(id, score) WHERE bench_items.id = u.id`
		setName    = `UPDATE bench_items SET name = u.name, counter = u.counter FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(id, name, counter) WHERE bench_items.id = u.id`
	)
	return func(b *testing.B) {
		e.exec(b, "VACUUM bench_items")
		items := make([]BenchItem, 0, n)
		rows, err := e.pool.Query(e.ctx, benchSelect+` WHERE id >= $1 AND id < $2 ORDER BY id`, first, first+n)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			items = append(items, BenchItem{})
			fatalIf(b, scanItem(rows, &items[len(items)-1]), 0, 0)
		}
		fatalIf(b, rows.Err(), len(items), n)
		third := (n + 2) / 3
		ns := benchNames
		m := measure(b)
		for b.Loop() {
			ids := [3][]int64{make([]int64, 0, third), make([]int64, 0, third), make([]int64, 0, third)}
			counters := [2][]int64{make([]int64, 0, third), make([]int64, 0, third)}
			scores, names := make([]float64, 0, third), make([]string, 0, third)
			for i := range items {
				it := &items[i]
				change(it, i, &ns)
				k := i % 3
				ids[k] = append(ids[k], it.ID)
				switch k {
				case 0:
					counters[0] = append(counters[0], it.Counter)
				case 1:
					scores = append(scores, it.Score)
				default:
					names, counters[1] = append(names, it.Name), append(counters[1], it.Counter)
				}
			}
			var batch pgx.Batch
			for k, q := range []*pgx.QueuedQuery{
				batch.Queue(setCounter, ids[0], counters[0]),
				batch.Queue(setScore, ids[1], scores),
				batch.Queue(setName, ids[2], names, counters[1]),
			} {
				want := int64(len(ids[k]))
				q.Exec(func(tag pgconn.CommandTag) error { return rowCount(tag, want) })
			}
			fatalIf(b, e.pool.SendBatch(e.ctx, &batch).Close(), 0, 0)
		}
		m.done()
	}
}
