package orm_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// The relationship workloads of BenchmarkCompare: 100 parents with 10
// children each, loaded with their children (RelationLoad) and created
// with them (NestedCreate).

type BenchParent struct {
	ID       int64 `orm:"pk"`
	Name     string
	Rank     int64
	Children []*BenchChild `rel:"one_to_many,back_populates:Parent,cascade:all|delete-orphan"`
}

type BenchChild struct {
	ID       int64 `orm:"pk"`
	ParentID int64 `orm:"fk:bench_parents.id,index"`
	Name     string
	Score    float64
	Parent   *BenchParent `rel:"many_to_one,back_populates:Children"`
}

const (
	benchParents  = 100
	benchChildren = 10
)

type relBenchEnv struct {
	ctx  context.Context
	db   *orm.DB
	pool *pgxpool.Pool
}

func newRelBenchEnv(b *testing.B) *relBenchEnv {
	ctx := context.Background()
	db, err := orm.Open(ctx, pgtest.New(b), orm.MustRegistry(&BenchParent{}, &BenchChild{}), orm.WithMaxConns(2))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	if err := db.CreateAll(ctx); err != nil {
		b.Fatal(err)
	}
	s := db.Session()
	s.Add(anyParents(newFamilies())...)
	if err := s.Commit(ctx); err != nil {
		b.Fatal(err)
	}
	s.Close()
	for _, t := range []string{"bench_parents", "bench_children"} {
		if _, err := db.Pool().Exec(ctx, "VACUUM ANALYZE "+t); err != nil {
			b.Fatal(err)
		}
	}
	return &relBenchEnv{ctx: ctx, db: db, pool: db.Pool()}
}

func newFamilies() []*BenchParent {
	parents := make([]*BenchParent, benchParents)
	for i := range parents {
		p := &BenchParent{Name: "parent " + strconv.Itoa(i), Rank: int64(i)}
		p.Children = make([]*BenchChild, benchChildren)
		for j := range p.Children {
			p.Children[j] = &BenchChild{Name: "child " + strconv.Itoa(j), Score: float64(j)}
		}
		parents[i] = p
	}
	return parents
}

func anyParents(ps []*BenchParent) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// relationBenchmarks runs the relationship workloads under
// BenchmarkCompare, on their own database.
func relationBenchmarks(b *testing.B) {
	e := newRelBenchEnv(b)
	b.Run("RelationLoad", func(b *testing.B) {
		b.Run("crucible", e.loadCrucible)
		b.Run("pgx", e.loadPgx)
	})
	b.Run("NestedCreate", func(b *testing.B) {
		b.Run("crucible", e.createCrucible)
		b.Run("pgx", e.createPgx)
	})
}

func (e *relBenchEnv) loadCrucible(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s := e.db.Session()
		ps, err := orm.Query[BenchParent](s).Where("id <= ?", benchParents).Load("Children").All(e.ctx)
		if err != nil || len(ps) != benchParents || len(ps[0].Children) != benchChildren {
			b.Fatal(err, len(ps))
		}
		s.Close()
	}
}

// loadPgx is the hand-written equivalent: the parents, then their
// children in one query, stitched by parent id.
func (e *relBenchEnv) loadPgx(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		rows, err := e.pool.Query(e.ctx, `SELECT id, name, rank FROM bench_parents WHERE id <= $1`, benchParents)
		if err != nil {
			b.Fatal(err)
		}
		var ps []*BenchParent
		ids := make([]int64, 0, benchParents)
		byID := make(map[int64]*BenchParent, benchParents)
		for rows.Next() {
			p := new(BenchParent)
			if err := rows.Scan(&p.ID, &p.Name, &p.Rank); err != nil {
				b.Fatal(err)
			}
			ps = append(ps, p)
			ids = append(ids, p.ID)
			byID[p.ID] = p
		}
		if rows.Err() != nil {
			b.Fatal(rows.Err())
		}
		rows, err = e.pool.Query(e.ctx, `SELECT id, parent_id, name, score FROM bench_children WHERE parent_id = ANY($1)`, ids)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			c := new(BenchChild)
			if err := rows.Scan(&c.ID, &c.ParentID, &c.Name, &c.Score); err != nil {
				b.Fatal(err)
			}
			p := byID[c.ParentID]
			c.Parent = p
			p.Children = append(p.Children, c)
		}
		if rows.Err() != nil || len(ps) != benchParents || len(ps[0].Children) != benchChildren {
			b.Fatal(rows.Err(), len(ps))
		}
	}
}

func (e *relBenchEnv) createCrucible(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s := e.db.Session()
		s.Add(anyParents(newFamilies())...)
		if err := s.Commit(e.ctx); err != nil {
			b.Fatal(err)
		}
		s.Close()
		e.empty(b)
	}
}

// empty removes the created rows, untimed, so that every iteration of
// both sides writes into the same small tables.
func (e *relBenchEnv) empty(b *testing.B) {
	b.StopTimer()
	defer b.StartTimer()
	if _, err := e.pool.Exec(e.ctx, `TRUNCATE bench_children, bench_parents`); err != nil {
		b.Fatal(err)
	}
}

// createPgx writes the same rows in one transaction: one unnest INSERT …
// RETURNING per table, keys copied by hand.
func (e *relBenchEnv) createPgx(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ps := newFamilies()
		err := pgx.BeginFunc(e.ctx, e.pool, func(tx pgx.Tx) error {
			names, ranks := make([]string, len(ps)), make([]int64, len(ps))
			for i, p := range ps {
				names[i], ranks[i] = p.Name, p.Rank
			}
			rows, err := tx.Query(e.ctx, `INSERT INTO bench_parents (name, rank) SELECT * FROM unnest($1::text[], $2::bigint[]) RETURNING id`, names, ranks)
			if err != nil {
				return err
			}
			i := 0
			for rows.Next() {
				if err := rows.Scan(&ps[i].ID); err != nil {
					return err
				}
				i++
			}
			if rows.Err() != nil {
				return rows.Err()
			}
			var kids []*BenchChild
			var pids []int64
			var cnames []string
			var scores []float64
			for _, p := range ps {
				for _, c := range p.Children {
					c.ParentID, c.Parent = p.ID, p
					kids = append(kids, c)
					pids, cnames, scores = append(pids, p.ID), append(cnames, c.Name), append(scores, c.Score)
				}
			}
			rows, err = tx.Query(e.ctx, `INSERT INTO bench_children (parent_id, name, score) SELECT * FROM unnest($1::bigint[], $2::text[], $3::float8[]) RETURNING id`, pids, cnames, scores)
			if err != nil {
				return err
			}
			i = 0
			for rows.Next() {
				if err := rows.Scan(&kids[i].ID); err != nil {
					return err
				}
				i++
			}
			return rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
		e.empty(b)
	}
}

func (BenchParent) TableName() string { return "bench_parents" }
func (BenchChild) TableName() string  { return "bench_children" }
