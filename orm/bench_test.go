package orm_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// BenchItem is the ~10-column model of the comparison benchmarks.
type BenchItem struct {
	ID        int64 `orm:"pk"`
	Name      string
	Email     string
	Age       int32
	Score     float64
	Active    bool
	Note      *string
	Code      string
	CreatedAt time.Time
	Counter   int64
}

const (
	benchCols   = `name, email, age, score, active, note, code, created_at, counter`
	benchSelect = `SELECT id, ` + benchCols + ` FROM bench_items`
	benchSeed   = 10000
)

func newItem(i int) *BenchItem {
	note := "note " + strconv.Itoa(i)
	return &BenchItem{
		Name: "name " + strconv.Itoa(i), Email: "user" + strconv.Itoa(i) + "@example.com",
		Age: int32(20 + i%50), Score: float64(i) / 3, Active: i%2 == 0, Note: &note,
		Code: "C" + strconv.Itoa(i%1000), CreatedAt: time.Unix(1700000000+int64(i), 0).UTC(), Counter: int64(i),
	}
}

func scanItem(rows pgx.Rows, it *BenchItem) error {
	return rows.Scan(&it.ID, &it.Name, &it.Email, &it.Age, &it.Score, &it.Active, &it.Note, &it.Code, &it.CreatedAt, &it.Counter)
}

// benchEnv is one database shared by the comparison benchmarks, seeded
// with benchSeed rows that the read workloads select.
type benchEnv struct {
	ctx  context.Context
	db   *orm.DB
	pool *pgxpool.Pool
}

func newBenchEnv(b *testing.B) *benchEnv {
	ctx := context.Background()
	reg := orm.MustRegistry(&BenchItem{})
	db, err := orm.Open(ctx, pgtest.New(b), reg, orm.WithMaxConns(2))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	if err := db.CreateAll(ctx); err != nil {
		b.Fatal(err)
	}
	s := db.Session()
	for i := range benchSeed {
		s.Add(newItem(i))
	}
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	s.Close()
	if _, err := db.Pool().Exec(ctx, "VACUUM ANALYZE bench_items"); err != nil {
		b.Fatal(err)
	}
	return &benchEnv{ctx: ctx, db: db, pool: db.Pool()}
}

// BenchmarkCompare runs each workload through a session (crucible) and
// through plain pgx doing the same work (pgx), in the same run, so that
// `make bench` can print their ratio. Reads come first, on the seeded
// table, before the inserts make it grow.
func BenchmarkCompare(b *testing.B) {
	e := newBenchEnv(b)
	b.Run("GetByPK", func(b *testing.B) {
		b.Run("crucible", e.getCrucible)
		b.Run("pgx", e.getPgx)
	})
	for _, n := range []int{100, 1000, 10000} {
		b.Run("ReadSlice"+strconv.Itoa(n), func(b *testing.B) {
			b.Run("crucible", e.readCrucible(n))
			b.Run("pgx", e.readPgx(n))
		})
	}
	b.Run("InsertOne", func(b *testing.B) {
		b.Run("crucible", e.insertCrucible(1))
		b.Run("pgx", e.insertOnePgx)
	})
	for _, n := range []int{100, 1000, 10000} {
		b.Run("InsertBulk"+strconv.Itoa(n), func(b *testing.B) {
			b.Run("crucible", e.insertCrucible(n))
			b.Run("pgx", e.insertBulkPgx(n))
		})
	}
	b.Run("UpdateOne", func(b *testing.B) {
		b.Run("crucible", e.updateOneCrucible)
		b.Run("pgx", e.updateOnePgx)
	})
	b.Run("UpdateBatch100", func(b *testing.B) {
		b.Run("crucible", e.updateBatchCrucible(1001, 100))
		b.Run("pgx", e.updateBatchPgx(2001, 100))
	})
	relationBenchmarks(b) // bench_relation_test.go
	queryBenchmarks(b, e) // bench_query_test.go
}

func (e *benchEnv) insertCrucible(n int) func(b *testing.B) {
	return func(b *testing.B) {
		items := make([]*BenchItem, n)
		b.ReportAllocs()
		for b.Loop() {
			s := e.db.Session()
			for i := range items {
				items[i] = newItem(i)
				s.Add(items[i])
			}
			if err := s.Commit(e.ctx); err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	}
}

func (e *benchEnv) insertOnePgx(b *testing.B) {
	const q = `INSERT INTO bench_items (` + benchCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`
	b.ReportAllocs()
	for b.Loop() {
		it := newItem(1)
		err := e.pool.QueryRow(e.ctx, q, it.Name, it.Email, it.Age, it.Score, it.Active, it.Note, it.Code, it.CreatedAt, it.Counter).Scan(&it.ID)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func (e *benchEnv) insertBulkPgx(n int) func(b *testing.B) {
	const q = `INSERT INTO bench_items (` + benchCols + `) SELECT * FROM unnest($1::text[], $2::text[], $3::int[], ` +
		`$4::float8[], $5::bool[], $6::text[], $7::text[], $8::timestamptz[], $9::bigint[]) RETURNING id`
	return func(b *testing.B) {
		items := make([]*BenchItem, n)
		b.ReportAllocs()
		for b.Loop() {
			for i := range items {
				items[i] = newItem(i)
			}
			if err := pgxBulk(e.ctx, e.pool, q, items); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func pgxBulk(ctx context.Context, pool *pgxpool.Pool, q string, items []*BenchItem) error {
	n := len(items)
	names, emails, codes := make([]string, n), make([]string, n), make([]string, n)
	ages, scores, actives := make([]int32, n), make([]float64, n), make([]bool, n)
	notes, created, counters := make([]*string, n), make([]time.Time, n), make([]int64, n)
	for i, it := range items {
		names[i], emails[i], codes[i] = it.Name, it.Email, it.Code
		ages[i], scores[i], actives[i] = it.Age, it.Score, it.Active
		notes[i], created[i], counters[i] = it.Note, it.CreatedAt, it.Counter
	}
	rows, err := pool.Query(ctx, q, names, emails, ages, scores, actives, notes, codes, created, counters)
	if err != nil {
		return err
	}
	i := 0
	for rows.Next() {
		if err := rows.Scan(&items[i].ID); err != nil {
			return err
		}
		i++
	}
	return rows.Err()
}

func (e *benchEnv) updateOneCrucible(b *testing.B) {
	s := e.db.Session()
	defer s.Close()
	it, err := orm.Get[BenchItem](e.ctx, s, int64(1))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		it.Counter++
		if err := s.Commit(e.ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func (e *benchEnv) updateOnePgx(b *testing.B) {
	var counter int64
	b.ReportAllocs()
	for b.Loop() {
		counter++
		if _, err := e.pool.Exec(e.ctx, `UPDATE bench_items SET counter = $1 WHERE id = $2`, counter, int64(2)); err != nil {
			b.Fatal(err)
		}
	}
}

// updateBatchCrucible changes one field of n loaded objects (keys from
// first on) and commits.
func (e *benchEnv) updateBatchCrucible(first, n int) func(b *testing.B) {
	return func(b *testing.B) {
		s := e.db.Session()
		defer s.Close()
		items, err := orm.Query[BenchItem](s).Where("id >= ? AND id < ?", first, first+n).All(e.ctx)
		if err != nil || len(items) != n {
			b.Fatal(err, len(items))
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, it := range items {
				it.Counter++
			}
			if err := s.Commit(e.ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// updateBatchPgx sets the counter of n rows in one UPDATE … FROM unnest.
func (e *benchEnv) updateBatchPgx(first, n int) func(b *testing.B) {
	const q = `UPDATE bench_items SET counter = u.counter FROM unnest($1::bigint[], $2::bigint[]) AS u(id, counter) WHERE bench_items.id = u.id`
	return func(b *testing.B) {
		ids, counters := make([]int64, n), make([]int64, n)
		for i := range ids {
			ids[i] = int64(first + i)
		}
		b.ReportAllocs()
		for b.Loop() {
			for i := range counters {
				counters[i]++
			}
			tag, err := e.pool.Exec(e.ctx, q, ids, counters)
			if err != nil || tag.RowsAffected() != int64(n) {
				b.Fatal(err, tag)
			}
		}
	}
}

func (e *benchEnv) getCrucible(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s := e.db.Session()
		if _, err := orm.Get[BenchItem](e.ctx, s, int64(i%benchSeed+1)); err != nil {
			b.Fatal(err)
		}
		s.Close()
		i++
	}
}

func (e *benchEnv) getPgx(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var it BenchItem
		err := e.pool.QueryRow(e.ctx, benchSelect+` WHERE id = $1`, int64(i%benchSeed+1)).Scan(
			&it.ID, &it.Name, &it.Email, &it.Age, &it.Score, &it.Active, &it.Note, &it.Code, &it.CreatedAt, &it.Counter)
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func (e *benchEnv) readCrucible(n int) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := e.db.Session()
			items, err := orm.Query[BenchItem](s).Where("id <= ?", n).All(e.ctx)
			if err != nil || len(items) != n {
				b.Fatal(err, len(items))
			}
			s.Close()
		}
	}
}

func (e *benchEnv) readPgx(n int) func(b *testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rows, err := e.pool.Query(e.ctx, benchSelect+` WHERE id <= $1`, n)
			if err != nil {
				b.Fatal(err)
			}
			items := make([]*BenchItem, 0, 16)
			for rows.Next() {
				it := new(BenchItem)
				if err := scanItem(rows, it); err != nil {
					b.Fatal(err)
				}
				items = append(items, it)
			}
			if rows.Err() != nil || len(items) != n {
				b.Fatal(rows.Err(), len(items))
			}
		}
	}
}

var _ = fmt.Sprint
