package orm_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm"
)

// BenchItem is the ~10-column model of the comparison benchmarks; the
// read and update workloads use the benchSeed rows of bench_items.
type BenchItem struct {
	ID int64 `orm:"pk"`
	BenchData
}

// BenchData is the columns after the key, shared by the benchmark models.
type BenchData struct {
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
	benchSeed   = 100000

	// seedItems fills bench_items with the rows newItem(0…benchSeed-1)
	// describes, keys 1…benchSeed.
	seedItems = `INSERT INTO bench_items (` + benchCols + `) SELECT 'name ' || i, 'user' || i || '@example.com', ` +
		`20 + i % 50, i / 3.0, i % 2 = 0, 'note ' || i, 'C' || i % 1000, to_timestamp(1700000000 + i), i ` +
		`FROM generate_series(0, 99999) AS i ORDER BY i`
)

func newItem(i int) *BenchItem {
	note := "note " + strconv.Itoa(i)
	return &BenchItem{BenchData: BenchData{
		Name: "name " + strconv.Itoa(i), Email: "user" + strconv.Itoa(i) + "@example.com",
		Age: int32(20 + i%50), Score: float64(i) / 3, Active: i%2 == 0, Note: &note,
		Code: "C" + strconv.Itoa(i%1000), CreatedAt: time.Unix(1700000000+int64(i), 0).UTC(), Counter: int64(i),
	}}
}

// scanItem scans a row of benchSelect's columns into it.
func scanItem(rows pgx.Rows, it *BenchItem) error {
	return rows.Scan(&it.ID, &it.Name, &it.Email, &it.Age, &it.Score, &it.Active, &it.Note, &it.Code, &it.CreatedAt, &it.Counter)
}

func (e *benchEnv) readWorkloads() []workload {
	ws := []workload{{"GetByPK", e.getCrucible, e.getPgx}}
	for _, n := range []int{100, 1000, 10000} {
		ws = append(ws, workload{"ReadSlice" + strconv.Itoa(n), e.readCrucible(n), e.readPgx(n)})
	}
	return append(ws, workload{"Iter100000", e.iterCrucible, e.iterPgx})
}

// getCrucible: a fresh session per lookup, so the identity map never
// answers.
func (e *benchEnv) getCrucible(b *testing.B) {
	i := 0
	m := measure(b)
	for b.Loop() {
		s := e.db.Session()
		_, err := orm.Get[BenchItem](e.ctx, s, int64(i%benchSeed+1))
		fatalIf(b, err, 0, 0)
		s.Close()
		i++
	}
	m.done()
}

func (e *benchEnv) getPgx(b *testing.B) {
	i := 0
	m := measure(b)
	for b.Loop() {
		var it BenchItem
		err := e.pool.QueryRow(e.ctx, benchSelect+` WHERE id = $1`, int64(i%benchSeed+1)).Scan(
			&it.ID, &it.Name, &it.Email, &it.Age, &it.Score, &it.Active, &it.Note, &it.Code, &it.CreatedAt, &it.Counter)
		fatalIf(b, err, 0, 0)
		i++
	}
	m.done()
}

func (e *benchEnv) readCrucible(n int) func(b *testing.B) {
	return func(b *testing.B) {
		m := measure(b)
		for b.Loop() {
			s := e.db.Session()
			items, err := orm.Query[BenchItem](s).Where("id <= ?", n).Limit(n).All(e.ctx)
			fatalIf(b, err, len(items), n)
			s.Close()
		}
		m.done()
	}
}

// readPgx scans into one preallocated slice of structs, sized by the
// limit the caller knows.
func (e *benchEnv) readPgx(n int) func(b *testing.B) {
	return func(b *testing.B) {
		m := measure(b)
		for b.Loop() {
			rows, err := e.pool.Query(e.ctx, benchSelect+` WHERE id <= $1 LIMIT $2`, n, n)
			if err != nil {
				b.Fatal(err)
			}
			items := make([]BenchItem, 0, n)
			for rows.Next() {
				items = append(items, BenchItem{})
				if err := scanItem(rows, &items[len(items)-1]); err != nil {
					b.Fatal(err)
				}
			}
			fatalIf(b, rows.Err(), len(items), n)
		}
		m.done()
	}
}

// iterCrucible streams benchSeed rows through Query.Iter.
func (e *benchEnv) iterCrucible(b *testing.B) {
	m := measure(b)
	for b.Loop() {
		s := e.db.Session()
		n := 0
		for it, err := range orm.Query[BenchItem](s).Where("id <= ?", benchSeed).Iter(e.ctx) {
			if err != nil {
				b.Fatal(err)
			}
			n += int(it.Age)
		}
		fatalIf(b, nil, n, benchAgeSum)
		s.Close()
	}
	m.done()
}

// benchAgeSum is the sum of Age over the seeded rows.
const benchAgeSum = benchSeed / 50 * (50*20 + 49*50/2)

// iterPgx streams the same rows, each scanned into one reused struct.
func (e *benchEnv) iterPgx(b *testing.B) {
	m := measure(b)
	for b.Loop() {
		rows, err := e.pool.Query(e.ctx, benchSelect+` WHERE id <= $1`, benchSeed)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		var it BenchItem
		for rows.Next() {
			if err := scanItem(rows, &it); err != nil {
				b.Fatal(err)
			}
			n += int(it.Age)
		}
		fatalIf(b, rows.Err(), n, benchAgeSum)
	}
	m.done()
}
