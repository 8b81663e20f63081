package orm_test

import (
	"database/sql/driver"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm"
)

// Models keyed by pgtype.UUID, the uuid type pgx users already hold:
// server-drawn keys, client-set keys, foreign keys and a secondary table
// all of pgtype.UUID.

// GAuthor's key is drawn by the server.
type GAuthor struct {
	ID    pgtype.UUID `orm:"pk,server_default:gen_random_uuid()"`
	Name  string      `orm:"unique"`
	Books []*GBook    `rel:"one_to_many,back_populates:Author,cascade:all|delete-orphan"`
}

// GBook's key is set by the program.
type GBook struct {
	ID       pgtype.UUID `orm:"pk"`
	Title    string
	AuthorID pgtype.UUID `orm:"fk:g_authors.id"`
	Author   *GAuthor    `rel:"many_to_one,back_populates:Books"`
	Shelves  []*GShelf   `rel:"many_to_many,secondary:g_book_shelves,back_populates:Books"`
	Reviews  []*GReview  `rel:"one_to_many,back_populates:Book,cascade:all"`
}

// GShelf's key is drawn by the server too.
type GShelf struct {
	ID    pgtype.UUID `orm:"pk,server_default:gen_random_uuid()"`
	Name  string
	Books []*GBook `rel:"many_to_many,secondary:g_book_shelves,back_populates:Shelves"`
}

// NullID is a uuid wrapper of the kind uuid packages ship (a value and
// Valid, with driver.Valuer and sql.Scanner), not known to pgx.
type NullID struct {
	UUID  [16]byte
	Valid bool
}

// Value implements driver.Valuer.
func (n NullID) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", n.UUID[0:4], n.UUID[4:6], n.UUID[6:8], n.UUID[8:10], n.UUID[10:16]), nil
}

// Scan implements sql.Scanner.
func (n *NullID) Scan(src any) error {
	*n = NullID{}
	if src == nil {
		return nil
	}
	s, ok := src.(string)
	if !ok {
		return fmt.Errorf("scan %T into NullID", src)
	}
	var u pgtype.UUID
	if err := u.Scan(s); err != nil {
		return err
	}
	n.UUID, n.Valid = u.Bytes, u.Valid
	return nil
}

// GReview is keyed by a NullID drawn by the server, and refers to a book
// by its pgtype.UUID key through a NullID.
type GReview struct {
	ID     NullID `orm:"pk,server_default:gen_random_uuid()"`
	BookID NullID `orm:"fk:g_books.id"`
	Book   *GBook `rel:"many_to_one,back_populates:Reviews"`
	Stars  int
}

func uuidOf(b byte) pgtype.UUID {
	return pgtype.UUID{Bytes: [16]byte{0: 0x11, 15: b}, Valid: true}
}

func TestPgtypeUUIDKeys(t *testing.T) {
	reg, err := orm.NewRegistry(&GAuthor{}, &GBook{}, &GShelf{}, &GReview{})
	if err != nil {
		t.Fatal(err)
	}
	e := setup(t, reg)
	if rows := e.rows(`SELECT count(*) FROM information_schema.columns
		WHERE table_name IN ('g_authors','g_books','g_shelves','g_reviews') AND column_name = 'id' AND is_nullable = 'YES'`); rows[0][0].(int64) != 0 {
		t.Fatalf("%d pgtype.UUID key columns are nullable", rows[0][0])
	}
	s := e.db.Session()
	defer s.Close()
	shelf := &GShelf{Name: "top"}
	var authors []*GAuthor
	for i := range 3 {
		a := &GAuthor{Name: string(rune('a' + i))}
		a.Books = []*GBook{{ID: uuidOf(byte(2*i + 1)), Title: "x", Shelves: []*GShelf{shelf}, Reviews: []*GReview{{Stars: i}}},
			{ID: uuidOf(byte(2*i + 2)), Title: "y"}}
		authors = append(authors, a)
		s.Add(a)
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range authors {
		if !a.ID.Valid {
			t.Fatalf("author %s: no key read back", a.Name)
		}
		got := e.rows(`SELECT name FROM g_authors WHERE id = $1`, a.ID)
		if len(got) != 1 || got[0][0] != a.Name {
			t.Fatalf("author %s: drawn key mapped to %v", a.Name, got)
		}
		for _, b := range a.Books {
			if b.AuthorID != a.ID {
				t.Fatalf("book %v: author_id %v, want %v", b.ID, b.AuthorID, a.ID)
			}
		}
	}
	if n := e.rows(`SELECT count(*) FROM g_books b JOIN g_authors a ON a.id = b.author_id`)[0][0].(int64); n != 6 {
		t.Fatalf("%d books joined to their authors, want 6", n)
	}
	if n := e.rows(`SELECT count(*) FROM g_book_shelves WHERE g_shelf_id = $1`, shelf.ID)[0][0].(int64); n != 3 {
		t.Fatalf("%d association rows, want 3", n)
	}
	if got := e.rows(`SELECT data_type FROM information_schema.columns WHERE table_name = 'g_reviews' AND column_name = 'id'`); got[0][0] != "uuid" {
		t.Fatalf("NullID key column type %v", got)
	}
	for _, a := range authors {
		r := a.Books[0].Reviews[0]
		got := e.rows(`SELECT stars FROM g_reviews WHERE id = $1 AND book_id = $2`, r.ID, a.Books[0].ID)
		if !r.ID.Valid || len(got) != 1 || got[0][0] != int64(r.Stars) {
			t.Fatalf("review %d: drawn key and book key: %v", r.Stars, got)
		}
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("an unchanged commit sent %q (%v)", e.cap.sqls(), err)
	}

	t.Run("Get finds the held object", func(t *testing.T) {
		got, err := orm.Get[GAuthor](e.ctx, s, authors[1].ID)
		if err != nil || got != authors[1] {
			t.Fatalf("Get: %v, same object %v", err, got == authors[1])
		}
		b, err := orm.Get[GBook](e.ctx, s, uuidOf(3))
		if err != nil || b != authors[1].Books[0] {
			t.Fatalf("Get book: %v, same object %v", err, b == authors[1].Books[0])
		}
	})

	t.Run("load in a new session", func(t *testing.T) {
		o := e.db.Session()
		defer o.Close()
		books, err := orm.Query[GBook](o).Load("Author", "Shelves").OrderBy("id").All(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(books) != 6 || books[0].Author == nil || books[0].Author != books[1].Author || books[0].Author.Name != "a" {
			t.Fatalf("books not stitched to their authors")
		}
		if len(books[0].Shelves) != 1 || len(books[1].Shelves) != 0 || books[0].Shelves[0] != books[2].Shelves[0] {
			t.Fatalf("shelves not loaded as one object")
		}
		got, err := orm.Get[GAuthor](e.ctx, o, authors[0].ID)
		if err != nil || got != books[0].Author {
			t.Fatalf("Get after load: %v, same %v", err, got == books[0].Author)
		}
		rs, err := orm.Query[GReview](o).Load("Book").OrderBy("stars").All(e.ctx)
		if err != nil || len(rs) != 3 || rs[0].Book != books[0] {
			t.Fatalf("reviews not stitched to their books: %v", err)
		}
		if r, err := orm.Get[GReview](e.ctx, o, rs[1].ID); err != nil || r != rs[1] {
			t.Fatalf("Get review by NullID: %v", err)
		}
		shelves, err := orm.Query[GShelf](o).Load("Books").All(e.ctx)
		if err != nil || len(shelves) != 1 || len(shelves[0].Books) != 3 {
			t.Fatalf("shelf books: %v", err)
		}
	})

	t.Run("move a book to another author", func(t *testing.T) {
		o := e.db.Session()
		defer o.Close()
		as, err := orm.Query[GAuthor](o).Load("Books").OrderBy("name").All(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		b := as[0].Books[0]
		as[0].Books = as[0].Books[1:]
		as[2].Books = append(as[2].Books, b)
		if err := o.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := e.rows(`SELECT a.name FROM g_books b JOIN g_authors a ON a.id = b.author_id WHERE b.id = $1`, b.ID)
		if len(got) != 1 || got[0][0] != "c" || b.AuthorID != as[2].ID {
			t.Fatalf("moved book's author: %v", got)
		}
	})

	t.Run("merge a detached author", func(t *testing.T) {
		o := e.db.Session()
		defer o.Close()
		det := &GAuthor{ID: authors[1].ID, Name: "b2"}
		m, err := orm.Merge(e.ctx, o, det, orm.MergeFields("Name"))
		if err != nil {
			t.Fatal(err)
		}
		if m == det || m.ID != authors[1].ID {
			t.Fatalf("merge returned %v", m)
		}
		if err := o.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT name FROM g_authors WHERE id = $1`, authors[1].ID); got[0][0] != "b2" {
			t.Fatalf("merged name: %v", got)
		}
	})

	t.Run("client-set author key", func(t *testing.T) {
		o := e.db.Session()
		defer o.Close()
		a := &GAuthor{ID: uuidOf(0xaa), Name: "set"}
		a.Books = []*GBook{{ID: uuidOf(0xab), Title: "z"}}
		o.Add(a)
		if err := o.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT b.title FROM g_books b WHERE b.author_id = $1`, uuidOf(0xaa)); len(got) != 1 {
			t.Fatalf("client-set key: %v", got)
		}
	})
}
