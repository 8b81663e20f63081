package orm_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/orm"
)

// The relationship workloads of BenchmarkCompare: 100 parents with 10
// children each, loaded with their children (RelationLoad) and created
// with them (NestedCreate); 100 users with 5 posts of 4 comments each,
// loaded in three steps (LoadDeep).

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

func (BenchParent) TableName() string { return "bench_parents" }
func (BenchChild) TableName() string  { return "bench_children" }

type BenchUser struct {
	ID    int64 `orm:"pk"`
	Name  string
	Posts []*BenchPost `rel:"one_to_many,back_populates:User"`
}

type BenchPost struct {
	ID       int64 `orm:"pk"`
	UserID   int64 `orm:"fk:bench_users.id,index"`
	Title    string
	User     *BenchUser      `rel:"many_to_one,back_populates:Posts"`
	Comments []*BenchComment `rel:"one_to_many,back_populates:Post"`
}

type BenchComment struct {
	ID     int64 `orm:"pk"`
	PostID int64 `orm:"fk:bench_posts.id,index"`
	Body   string
	Post   *BenchPost `rel:"many_to_one,back_populates:Comments"`
}

func (BenchUser) TableName() string    { return "bench_users" }
func (BenchPost) TableName() string    { return "bench_posts" }
func (BenchComment) TableName() string { return "bench_comments" }

const (
	benchParents  = 100
	benchChildren = 10
	benchUsers    = 100
	benchPosts    = 5 // per user
	benchComments = 4 // per post

	// The relationship tables' rows, keys in generation order.
	seedParents  = `INSERT INTO bench_parents (name, rank) SELECT 'parent ' || i, i FROM generate_series(0, 99) AS i ORDER BY i`
	seedChildren = `INSERT INTO bench_children (parent_id, name, score) SELECT p, 'child ' || j, j ` +
		`FROM generate_series(1, 100) AS p, generate_series(0, 9) AS j ORDER BY p, j`
	seedUsers    = `INSERT INTO bench_users (name) SELECT 'user ' || i FROM generate_series(1, 100) AS i ORDER BY i`
	seedPosts    = `INSERT INTO bench_posts (user_id, title) SELECT u, 'post ' || j FROM generate_series(1, 100) AS u, generate_series(1, 5) AS j ORDER BY u, j`
	seedComments = `INSERT INTO bench_comments (post_id, body) SELECT p, 'comment ' || j FROM generate_series(1, 500) AS p, generate_series(1, 4) AS j ORDER BY p, j`
)

func (e *benchEnv) seedRelations(b *testing.B) {
	for _, q := range []string{seedParents, seedChildren, seedUsers, seedPosts, seedComments} {
		e.exec(b, q)
	}
}

func (e *benchEnv) relationWorkloads() []workload {
	return []workload{
		{"RelationLoad", e.loadCrucible, e.loadPgx},
		{"LoadDeep", e.deepCrucible, e.deepPgx},
		{"NestedCreate", e.createCrucible, e.createPgx},
	}
}

func (e *benchEnv) loadCrucible(b *testing.B) {
	m := measure(b)
	for b.Loop() {
		s := e.db.Session()
		ps, err := orm.Query[BenchParent](s).Where("id <= ?", benchParents).Load("Children").All(e.ctx)
		fatalIf(b, err, len(ps), benchParents)
		fatalIf(b, nil, len(ps[0].Children), benchChildren)
		s.Close()
	}
	m.done()
}

// collect runs a query and appends one T per row to out, scanned by scan.
func collect[T any](e *benchEnv, b *testing.B, out []T, scan func(pgx.Rows, *T) error, sql string, args ...any) []T {
	rows, err := e.pool.Query(e.ctx, sql, args...)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		out = append(out, *new(T))
		if err := scan(rows, &out[len(out)-1]); err != nil {
			b.Fatal(err)
		}
	}
	if rows.Err() != nil {
		b.Fatal(rows.Err())
	}
	return out
}

func scanParent(r pgx.Rows, p *BenchParent) error { return r.Scan(&p.ID, &p.Name, &p.Rank) }
func scanChild(r pgx.Rows, c *BenchChild) error   { return r.Scan(&c.ID, &c.ParentID, &c.Name, &c.Score) }
func scanUser(r pgx.Rows, u *BenchUser) error     { return r.Scan(&u.ID, &u.Name) }
func scanPost(r pgx.Rows, p *BenchPost) error     { return r.Scan(&p.ID, &p.UserID, &p.Title) }
func scanComment(r pgx.Rows, c *BenchComment) error {
	return r.Scan(&c.ID, &c.PostID, &c.Body)
}

// loadPgx is the hand-written equivalent: the parents, then their children
// in one query, stitched by parent id, into preallocated slices.
func (e *benchEnv) loadPgx(b *testing.B) {
	m := measure(b)
	for b.Loop() {
		ps := collect(e, b, make([]BenchParent, 0, benchParents), scanParent,
			`SELECT id, name, rank FROM bench_parents WHERE id <= $1`, benchParents)
		ids, byID := make([]int64, len(ps)), make(map[int64]*BenchParent, len(ps))
		for i := range ps {
			ids[i], byID[ps[i].ID] = ps[i].ID, &ps[i]
		}
		kids := collect(e, b, make([]BenchChild, 0, len(ps)*benchChildren), scanChild,
			`SELECT id, parent_id, name, score FROM bench_children WHERE parent_id = ANY($1)`, ids)
		for i := range kids {
			c := &kids[i]
			c.Parent = byID[c.ParentID]
			c.Parent.Children = append(c.Parent.Children, c)
		}
		fatalIf(b, nil, len(ps), benchParents)
		fatalIf(b, nil, len(ps[0].Children), benchChildren)
	}
	m.done()
}

func (e *benchEnv) deepCrucible(b *testing.B) {
	m := measure(b)
	for b.Loop() {
		s := e.db.Session()
		us, err := orm.Query[BenchUser](s).Where("id <= ?", benchUsers).Load("Posts.Comments").All(e.ctx)
		fatalIf(b, err, len(us), benchUsers)
		fatalIf(b, nil, len(us[0].Posts[0].Comments), benchComments)
		s.Close()
	}
	m.done()
}

// deepPgx loads users, their posts and the posts' comments in three
// queries and stitches both levels by key.
func (e *benchEnv) deepPgx(b *testing.B) {
	m := measure(b)
	for b.Loop() {
		us := collect(e, b, make([]BenchUser, 0, benchUsers), scanUser, `SELECT id, name FROM bench_users WHERE id <= $1`, benchUsers)
		uids, users := make([]int64, len(us)), make(map[int64]*BenchUser, len(us))
		for i := range us {
			uids[i], users[us[i].ID] = us[i].ID, &us[i]
		}
		ps := collect(e, b, make([]BenchPost, 0, len(us)*benchPosts), scanPost,
			`SELECT id, user_id, title FROM bench_posts WHERE user_id = ANY($1)`, uids)
		pids, posts := make([]int64, len(ps)), make(map[int64]*BenchPost, len(ps))
		for i := range ps {
			p := &ps[i]
			pids[i], posts[p.ID] = p.ID, p
			p.User = users[p.UserID]
			p.User.Posts = append(p.User.Posts, p)
		}
		cs := collect(e, b, make([]BenchComment, 0, len(ps)*benchComments), scanComment,
			`SELECT id, post_id, body FROM bench_comments WHERE post_id = ANY($1)`, pids)
		for i := range cs {
			c := &cs[i]
			c.Post = posts[c.PostID]
			c.Post.Comments = append(c.Post.Comments, c)
		}
		fatalIf(b, nil, len(us), benchUsers)
		fatalIf(b, nil, len(us[0].Posts[0].Comments), benchComments)
	}
	m.done()
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

// resetFamilies empties the relationship tables of NestedCreate, untimed,
// so that every iteration of both sides writes into empty tables.
func (e *benchEnv) resetFamilies(m *meter) {
	m.pause()
	e.exec(m.b, `TRUNCATE bench_children, bench_parents RESTART IDENTITY`)
	m.resume()
}

func (e *benchEnv) createCrucible(b *testing.B) {
	e.exec(b, `TRUNCATE bench_children, bench_parents RESTART IDENTITY`)
	m := measure(b)
	for b.Loop() {
		ps := newFamilies()
		s := e.db.Session()
		for _, p := range ps {
			s.Add(p)
		}
		fatalIf(b, s.Commit(e.ctx), 0, 0)
		s.Close()
		e.resetFamilies(m)
	}
	m.done()
	e.exec(b, `TRUNCATE bench_children, bench_parents RESTART IDENTITY`)
	e.seedRelations(b)
}

// createPgx writes the same rows in one transaction and two round trips,
// as Crucible does: BEGIN and the parents' unnest INSERT … RETURNING id in
// one pipeline, then the children's and COMMIT in another; keys are
// copied by hand.
func (e *benchEnv) createPgx(b *testing.B) {
	const (
		insParents  = `INSERT INTO bench_parents (name, rank) SELECT * FROM unnest($1::text[], $2::bigint[]) RETURNING id`
		insChildren = `INSERT INTO bench_children (parent_id, name, score) SELECT * FROM unnest($1::bigint[], $2::text[], $3::float8[]) RETURNING id`
	)
	e.exec(b, `TRUNCATE bench_children, bench_parents RESTART IDENTITY`)
	n := benchParents * benchChildren
	m := measure(b)
	for b.Loop() {
		ps := newFamilies()
		names, ranks := make([]string, benchParents), make([]int64, benchParents)
		pids, cnames, scores, kids := make([]int64, n), make([]string, n), make([]float64, n), make([]*BenchChild, n)
		for i, p := range ps {
			names[i], ranks[i] = p.Name, p.Rank
		}
		conn, err := e.pool.Acquire(e.ctx)
		fatalIf(b, err, 0, 0)
		var first pgx.Batch
		first.Queue("BEGIN")
		first.Queue(insParents, names, ranks).Query(func(rows pgx.Rows) error {
			return scanKeys(rows, len(ps), func(i int) any { return &ps[i].ID })
		})
		fatalIf(b, conn.SendBatch(e.ctx, &first).Close(), 0, 0)
		k := 0
		for _, p := range ps {
			for _, c := range p.Children {
				c.ParentID, c.Parent = p.ID, p
				kids[k], pids[k], cnames[k], scores[k] = c, p.ID, c.Name, c.Score
				k++
			}
		}
		var second pgx.Batch
		second.Queue(insChildren, pids, cnames, scores).Query(func(rows pgx.Rows) error {
			return scanKeys(rows, n, func(i int) any { return &kids[i].ID })
		})
		second.Queue("COMMIT").Exec(func(tag pgconn.CommandTag) error {
			if tag.String() != "COMMIT" {
				return fmt.Errorf("rolled back: %s", tag)
			}
			return nil
		})
		fatalIf(b, conn.SendBatch(e.ctx, &second).Close(), 0, 0)
		conn.Release()
		e.resetFamilies(m)
	}
	m.done()
	e.exec(b, `TRUNCATE bench_children, bench_parents RESTART IDENTITY`)
	e.seedRelations(b)
}

// scanKeys scans n returned keys, the i-th into dest(i).
func scanKeys(rows pgx.Rows, n int, dest func(i int) any) error {
	i := 0
	for rows.Next() {
		if i == n {
			return fmt.Errorf("more than %d rows", n)
		}
		if err := rows.Scan(dest(i)); err != nil {
			return err
		}
		i++
	}
	if rows.Err() == nil && i != n {
		return fmt.Errorf("%d rows, want %d", i, n)
	}
	return rows.Err()
}

// rowCount checks that a statement touched want rows.
func rowCount(tag pgconn.CommandTag, want int64) error {
	if tag.RowsAffected() != want {
		return fmt.Errorf("%d rows touched, want %d", tag.RowsAffected(), want)
	}
	return nil
}
