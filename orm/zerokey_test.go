package orm_test

import (
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// Rows whose key is its type's zero value (id 0, a ” text key) exist in
// databases the program did not create. Loaded, they are persistent like
// any row: changed they are updated, deleted they are deleted, found by
// Get, and their children point at them.
func TestZeroKeyRows(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Writer{}, &Article{}, &Topic{}, &Label{}))
	e.exec(`INSERT INTO writers (id, name, country) VALUES (0, 'zero', 'nl'), (1, 'one', 'nl')`)
	e.exec(`SELECT setval(pg_get_serial_sequence('writers', 'id'), 10)`)
	e.exec(`INSERT INTO articles (id, writer_id, title, pages) VALUES (0, 0, 'a0', 1), (1, 0, 'a1', 2), (2, 1, 'b', 3)`)
	e.exec(`INSERT INTO labels (code, title) VALUES ('', 'empty'), ('x', 'ex')`)

	t.Run("update and delete", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		w, err := orm.Query[Writer](s).Where("id = 0").One(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		l, err := orm.Query[Label](s).Where("code = ''").One(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.Country, l.Title = "be", "blank"
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT count(*), min(country) FROM writers WHERE id = 0`); got[0][0] != int64(1) || got[0][1] != "be" {
			t.Fatalf("writer 0: %v", got)
		}
		if got := e.rows(`SELECT count(*), min(title) FROM labels WHERE code = ''`); got[0][0] != int64(1) || got[0][1] != "blank" {
			t.Fatalf("label '': %v", got)
		}
		e.cap.reset()
		if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
			t.Fatalf("an unchanged commit sent %q (%v)", e.cap.sqls(), err)
		}
		s.Delete(l)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := e.rows(`SELECT count(*) FROM labels WHERE code = ''`)[0][0]; n != int64(0) {
			t.Fatalf("label '' not deleted")
		}
	})
	t.Run("get", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		w, err := orm.Get[Writer](e.ctx, s, int64(0))
		if err != nil || w.Name != "zero" {
			t.Fatalf("Get(0): %v, %v", w, err)
		}
		again, err := orm.Query[Writer](s).Where("name = 'zero'").One(e.ctx)
		if err != nil || again != w {
			t.Fatalf("query after Get: same object %v, %v", again == w, err)
		}
	})
	t.Run("children of a zero key", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		arts, err := orm.Query[Article](s).Load("Writer").OrderBy("id").All(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if arts[0].Writer == nil || arts[0].Writer != arts[1].Writer || arts[0].Writer.Name != "zero" {
			t.Fatalf("articles of writer 0 not stitched: %+v", arts[0].Writer)
		}
		ws, err := orm.Query[Writer](s).Load("Articles").OrderBy("id").All(e.ctx)
		if err != nil || len(ws[0].Articles) != 2 || len(ws[1].Articles) != 1 {
			t.Fatalf("writer 0's articles: %v", err)
		}
		// Move article 2 to writer 0, and article 0 to writer 1.
		a0, b := ws[0].Articles[0], ws[1].Articles[0]
		ws[0].Articles = append(ws[0].Articles[1:], b)
		ws[1].Articles = []*Article{a0}
		a0.Title = "moved"
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := e.rows(`SELECT id, writer_id, title FROM articles ORDER BY id`)
		if len(got) != 3 || got[0][1] != int64(1) || got[0][2] != "moved" || got[1][1] != int64(0) || got[2][1] != int64(0) {
			t.Fatalf("articles: %v", got)
		}
		e.cap.reset()
		if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
			t.Fatalf("an unchanged commit sent %q (%v)", e.cap.sqls(), err)
		}
	})
	t.Run("a new object beside a held zero-key row", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		w, err := orm.Get[Writer](e.ctx, s, int64(0))
		if err != nil {
			t.Fatal(err)
		}
		s.Add(w) // held already: nothing to do
		fresh := &Writer{Name: "fresh"}
		s.Add(fresh)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if fresh.ID == 0 || fresh == w {
			t.Fatalf("new writer took key %d", fresh.ID)
		}
		if got := e.rows(`SELECT name FROM writers WHERE id = 0`); len(got) != 1 || got[0][0] != "zero" {
			t.Fatalf("writer 0: %v", got)
		}
	})
	t.Run("a new child of a zero-key parent", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		w, err := orm.Get[Writer](e.ctx, s, int64(0))
		if err != nil {
			t.Fatal(err)
		}
		s.Add(&Article{ID: 9, Title: "new", Writer: w})
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT writer_id FROM articles WHERE id = 9`); len(got) != 1 || got[0][0] != int64(0) {
			t.Fatalf("new article's writer: %v", got)
		}
	})
}
