package orm

import (
	"reflect"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// The relationship accessors of relBase, on a direct field and through a
// nil embedded pointer (which a read must not allocate and a write must).

type accAuthor struct {
	ID    int64      `orm:"pk"`
	Books []*accBook `rel:"one_to_many,back_populates:Author"`
	Notes []*accNote `rel:"one_to_many,back_populates:Author"`
}

type accBook struct {
	ID       int64      `orm:"pk"`
	AuthorID int64      `orm:"fk:acc_authors.id"`
	Author   *accAuthor `rel:"many_to_one,back_populates:Books"`
}

type accNote struct {
	ID       int64  `orm:"pk"`
	AuthorID *int64 `orm:"fk:acc_authors.id"`
	*AccLinks
}

// AccLinks is embedded by pointer: its fields have no fixed offset.
type AccLinks struct {
	Author *accAuthor `rel:"many_to_one,back_populates:Notes"`
}

func accRule(t *testing.T, reg *Registry, model any, field string) *relBase {
	t.Helper()
	m := reg.byType[reflect.TypeOf(model).Elem()]
	for _, ru := range m.rules {
		if rb := ru.base(); rb.r.Field.Name == field {
			return rb
		}
	}
	t.Fatalf("no rule %s", field)
	return nil
}

func TestRelBaseAccessors(t *testing.T) {
	reg, err := NewRegistry(&accAuthor{}, &accBook{}, &accNote{})
	if err != nil {
		t.Fatal(err)
	}
	bookAuthor := accRule(t, reg, &accBook{}, "Author")
	books := accRule(t, reg, &accAuthor{}, "Books")
	noteAuthor := accRule(t, reg, &accNote{}, "Author")
	if noteAuthor.r.Field.Direct {
		t.Fatal("accNote.Author is marked direct")
	}

	a, b1, b2 := &accAuthor{}, &accBook{}, &accBook{}
	if !bookAuthor.one(mem.Of(b1)).IsNil() {
		t.Error("one of an unset reference is not nil")
	}
	bookAuthor.setOne(mem.Of(b1), mem.Of(a))
	if b1.Author != a || bookAuthor.one(mem.Of(b1)) != mem.Of(a) {
		t.Error("setOne, one")
	}
	bookAuthor.setOne(mem.Of(b1), mem.Ptr{})
	if b1.Author != nil {
		t.Error("setOne nil left the reference set")
	}
	books.appendTo(mem.Of(a), mem.Of(b1))
	books.appendTo(mem.Of(a), mem.Of(b2))
	if !slices.Equal(a.Books, []*accBook{b1, b2}) || !slices.Equal(books.many(mem.Of(a)), []mem.Ptr{mem.Of(b1), mem.Of(b2)}) {
		t.Errorf("appendTo, many: %v", a.Books)
	}
	books.setMany(mem.Of(a), []mem.Ptr{mem.Of(b2)})
	if !slices.Equal(a.Books, []*accBook{b2}) {
		t.Errorf("setMany: %v", a.Books)
	}

	n := &accNote{}
	if !noteAuthor.one(mem.Of(n)).IsNil() || n.AccLinks != nil {
		t.Error("reading through a nil embedded pointer is not nil, or allocated it")
	}
	noteAuthor.setOne(mem.Of(n), mem.Of(a))
	if n.AccLinks == nil || n.Author != a || noteAuthor.one(mem.Of(n)) != mem.Of(a) {
		t.Error("setOne through an embedded pointer")
	}
}
