package orm_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/orm"
)

// The query workloads of BenchmarkCompare: a 10,000-row upsert (Insert …
// OnConflict … DoUpdate against INSERT … SELECT FROM unnest … ON CONFLICT
// … RETURNING) and a 10,000-row projection (Select into a struct against
// pgx.CollectRows with RowToStructByName).

// BenchUpsert is BenchItem with a unique code the upsert conflicts on.
type BenchUpsert struct {
	ID        int64  `orm:"pk"`
	Code      string `orm:"unique"`
	Name      string
	Email     string
	Age       int32
	Score     float64
	Active    bool
	Note      *string
	CreatedAt time.Time
	Counter   int64
}

// benchRow is the projection's result: five of BenchItem's columns.
type benchRow struct {
	ID    int64
	Name  string
	Email string
	Age   int32
	Score float64
}

// benchRows is the row count of the query workloads: the rows each
// upsert conflicts with (fresh seeds as many) and the rows projected (the
// first of the seeded bench_items).
const benchRows = 10000

// queryBenchEnv runs the query workloads: projections on the seeded
// bench_items of BenchmarkCompare's database, upserts into bench_upserts,
// a table of its own there.
type queryBenchEnv struct {
	ctx   context.Context
	items *orm.DB // BenchItem's
	db    *orm.DB // BenchUpsert's
	pool  *pgxpool.Pool
}

func queryBenchmarks(b *testing.B, be *benchEnv) {
	db, err := orm.New(be.pool, orm.MustRegistry(&BenchUpsert{}))
	if err == nil {
		err = db.CreateAll(be.ctx)
	}
	if err != nil {
		b.Fatal(err)
	}
	e := &queryBenchEnv{ctx: be.ctx, items: be.db, db: db, pool: be.pool}
	b.Run("Upsert10000", func(b *testing.B) {
		b.Run("impl=crucible", e.fresh(e.upsertCrucible))
		b.Run("impl=pgx", e.fresh(e.upsertPgx))
	})
	b.Run("Project10000", func(b *testing.B) {
		b.Run("impl=crucible", e.projectCrucible)
		b.Run("impl=pgx", e.projectPgx)
	})
}

// fresh runs a workload whose every iteration starts from the same table:
// the 10,000 rows it conflicts with, freshly written (so that neither side
// pays for the dead rows of earlier rounds), outside the timer.
func (e *queryBenchEnv) fresh(run func(b *testing.B, round int)) func(b *testing.B) {
	const seed = `INSERT INTO bench_upserts (code, name, email, age, score, active, note, created_at, counter) ` +
		`SELECT 'K' || i, 'name ' || i, 'user' || i || '@example.com', 20 + i % 50, i / 3.0, i % 2 = 0, 'note ' || i, ` +
		`to_timestamp(1700000000 + i), -1 FROM generate_series(0, 9999) AS i`
	return func(b *testing.B) {
		b.ReportAllocs()
		round := 0
		for b.Loop() {
			b.StopTimer()
			for _, q := range []string{"TRUNCATE bench_upserts", seed} {
				if _, err := e.pool.Exec(e.ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			run(b, round)
			round++
		}
	}
}

func newUpserts(round int) []*BenchUpsert {
	items := make([]*BenchUpsert, benchRows)
	for i := range items {
		it := newItem(i)
		items[i] = &BenchUpsert{Code: "K" + strconv.Itoa(i), Name: it.Name, Email: it.Email, Age: it.Age, Score: it.Score,
			Active: it.Active, Note: it.Note, CreatedAt: it.CreatedAt, Counter: int64(round)}
	}
	return items
}

// upsertCrucible upserts 10,000 new objects on their code (each conflicts
// with a row) and commits: the objects get the keys of their rows and
// become the session's.
func (e *queryBenchEnv) upsertCrucible(b *testing.B, round int) {
	items := newUpserts(round)
	s := e.db.Session()
	defer s.Close()
	res, err := orm.Insert(s, items...).OnConflict("Code").DoUpdate().Exec(e.ctx)
	if err != nil || len(res.Rows) != benchRows {
		b.Fatal(err)
	}
	if err := s.Commit(e.ctx); err != nil {
		b.Fatal(err)
	}
}

// upsertPgx does the same with one statement, matching the returned keys
// to the objects by code.
func (e *queryBenchEnv) upsertPgx(b *testing.B, round int) {
	const q = `INSERT INTO bench_upserts (code, name, email, age, score, active, note, created_at, counter) ` +
		`SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::bool[], $7::text[], $8::timestamptz[], $9::bigint[]) ` +
		`ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, age = EXCLUDED.age, score = EXCLUDED.score, ` +
		`active = EXCLUDED.active, note = EXCLUDED.note, created_at = EXCLUDED.created_at, counter = EXCLUDED.counter RETURNING id, code`
	items := newUpserts(round)
	n := len(items)
	codes, names, emails := make([]string, n), make([]string, n), make([]string, n)
	ages, scores, actives := make([]int32, n), make([]float64, n), make([]bool, n)
	notes, created, counters := make([]*string, n), make([]time.Time, n), make([]int64, n)
	byCode := make(map[string]*BenchUpsert, n)
	for i, it := range items {
		codes[i], names[i], emails[i] = it.Code, it.Name, it.Email
		ages[i], scores[i], actives[i] = it.Age, it.Score, it.Active
		notes[i], created[i], counters[i] = it.Note, it.CreatedAt, it.Counter
		byCode[it.Code] = it
	}
	rows, err := e.pool.Query(e.ctx, q, codes, names, emails, ages, scores, actives, notes, created, counters)
	if err != nil {
		b.Fatal(err)
	}
	var id int64
	var code string
	for rows.Next() {
		if err := rows.Scan(&id, &code); err != nil {
			b.Fatal(err)
		}
		byCode[code].ID = id
	}
	if rows.Err() != nil {
		b.Fatal(rows.Err())
	}
}

// projectCrucible selects five columns of 10,000 rows into a struct.
func (e *queryBenchEnv) projectCrucible(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s := e.items.Session()
		rows, err := orm.Select[benchRow](orm.Query[BenchItem](s).Where("id <= ?", benchRows)).All(e.ctx)
		if err != nil || len(rows) != benchRows {
			b.Fatal(err, len(rows))
		}
		s.Close()
	}
}

// projectPgx is the same SELECT collected by pgx.
func (e *queryBenchEnv) projectPgx(b *testing.B) {
	const q = `SELECT id, name, email, age, score FROM bench_items WHERE id <= $1`
	b.ReportAllocs()
	for b.Loop() {
		rows, err := e.pool.Query(e.ctx, q, benchRows)
		if err != nil {
			b.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowToStructByName[benchRow])
		if err != nil || len(out) != benchRows {
			b.Fatal(err, len(out))
		}
	}
}
