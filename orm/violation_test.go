package orm_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// TestConstraintViolations: each kind of violation comes back as a
// *ConstraintError matching its sentinel and naming the table and the
// constraint (or column), and the failed flush wrote nothing and left the
// object as it was.
func TestConstraintViolations(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "taken"}
	s.Add(a)
	require.NoError(t, s.Commit(e.ctx))
	held := &Book{AuthorID: a.ID, Title: "held"}
	s.Add(held)
	require.NoError(t, s.Commit(e.ctx))

	cases := []struct {
		name       string
		run        func() error
		kind       error
		table      string
		column     string
		constraint bool
		check      func(t *testing.T)
	}{
		{"unique", func() error { dup := &Author{Name: "taken"}; s.Add(dup); defer s.Expunge(dup); return s.Commit(e.ctx) },
			orm.ErrUniqueViolation, "authors", "name", true, nil},
		{"foreign key on insert", func() error {
			b := &Book{AuthorID: a.ID + 1000, Title: "orphan"}
			s.Add(b)
			defer s.Expunge(b)
			err := s.Commit(e.ctx)
			require.Equal(t, orm.Pending, s.Status(b), "still pending")
			require.Zero(t, b.ID, "key cleared")
			return err
		}, orm.ErrForeignKeyViolation, "books", "author_id", true, nil},
		{"foreign key on delete", func() error { s.Delete(a); return s.Commit(e.ctx) },
			orm.ErrForeignKeyViolation, "books", "author_id", true, func(t *testing.T) {
				require.Equal(t, orm.Persistent, s.Status(a))
				s.Add(a) // take the deletion back
			}},
		{"not null", func() error {
			_, err := orm.Update[Author](s).Set("Name", nil).Where("id = ?", a.ID).Exec(e.ctx)
			return err
		}, orm.ErrNotNullViolation, "authors", "name", false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.ErrorIs(t, err, tc.kind)
			var ce *orm.ConstraintError
			require.ErrorAs(t, err, &ce)
			if tc.table != "" {
				require.Equal(t, tc.table, ce.Table)
			}
			require.Equal(t, tc.column, ce.Column)
			require.Equal(t, tc.constraint, ce.Constraint != "", ce.Constraint)
			require.NoError(t, s.Rollback(e.ctx))
			if tc.check != nil {
				tc.check(t)
			}
			require.Equal(t, [][]any{{"taken"}}, e.rows(`SELECT name FROM authors`), "nothing written")
			require.Equal(t, [][]any{{"held"}}, e.rows(`SELECT title FROM books`), "nothing written")
		})
	}
}

// Seat has a composite unique index and a composite primary key, and
// Ticket a foreign key: the violations name all their columns.
type Seat struct {
	Hall   string `orm:"pk"`
	Number int32  `orm:"pk"`
	Row    string `orm:"unique_index:ux_seats_place"`
	Place  int32  `orm:"unique_index:ux_seats_place"`
	Label  string `orm:"unique"`
}

type Ticket struct {
	ID        int64  `orm:"pk"`
	Holder    string `orm:"column:holder_name"`
	AuthorRef int64  `orm:"fk:authors.id"`
}

// Ledger lives in a schema of its own.
type Ledger struct {
	ID   int64  `orm:"pk"`
	Code string `orm:"unique"`
}

func (Ledger) TableName() string { return "acct.ledgers" }

// TestConstraintColumns: a violation of a constraint of the models names
// its columns, all of them for a composite key, from the metadata; one the
// models do not declare has none.
func TestConstraintColumns(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Author{}, &Seat{}, &Ticket{}, &Ledger{}))
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "a"}
	s.Add(&Seat{Hall: "A", Number: 1, Row: "r1", Place: 1, Label: "A1"}, a, &Ledger{Code: "L1"})
	require.NoError(t, s.Commit(e.ctx))
	s.Add(&Ticket{Holder: "Ann", AuthorRef: a.ID})
	require.NoError(t, s.Commit(e.ctx))
	_, err := e.db.Pool().Exec(e.ctx, `CREATE UNIQUE INDEX ux_tickets_holder_lower ON tickets (lower(holder_name))`)
	require.NoError(t, err)

	for _, tc := range []struct {
		name       string
		obj        any
		kind       error
		table      string
		constraint string
		columns    []string
		message    string
	}{
		{"single-column unique", &Seat{Hall: "A", Number: 2, Row: "r1", Place: 2, Label: "A1"},
			orm.ErrUniqueViolation, "seats", "uq_seats_label", []string{"label"}, "unique violation on seats.label (constraint uq_seats_label)"},
		{"composite unique index", &Seat{Hall: "A", Number: 3, Row: "r1", Place: 1, Label: "A3"},
			orm.ErrUniqueViolation, "seats", "ux_seats_place", []string{"row", "place"}, "unique violation on seats(row, place) (constraint ux_seats_place)"},
		{"composite primary key", &Seat{Hall: "A", Number: 1, Row: "r9", Place: 9, Label: "A9"},
			orm.ErrUniqueViolation, "seats", "pk_seats", []string{"hall", "number"}, "unique violation on seats(hall, number) (constraint pk_seats)"},
		{"foreign key", &Ticket{Holder: "Bob", AuthorRef: a.ID + 1000},
			orm.ErrForeignKeyViolation, "tickets", "fk_tickets_author_ref_authors", []string{"author_ref"}, "foreign key violation on tickets.author_ref"},
		{"table in a schema", &Ledger{Code: "L1"},
			orm.ErrUniqueViolation, "ledgers", "uq_ledgers_code", []string{"code"}, "unique violation on ledgers.code"},
		{"index the models do not declare", &Ticket{Holder: "ANN", AuthorRef: a.ID},
			orm.ErrUniqueViolation, "tickets", "ux_tickets_holder_lower", nil, "unique violation on tickets (constraint ux_tickets_holder_lower)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session() // its own: the first session holds the seat under its key
			defer s.Close()
			s.Add(tc.obj)
			err := s.Commit(e.ctx)
			require.ErrorIs(t, err, tc.kind)
			var ce *orm.ConstraintError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.table, ce.Table)
			require.Equal(t, tc.constraint, ce.Constraint)
			require.Equal(t, tc.columns, ce.Columns)
			if len(tc.columns) > 0 {
				require.Equal(t, tc.columns[0], ce.Column)
			} else {
				require.Empty(t, ce.Column)
			}
			require.Contains(t, err.Error(), tc.message)
			require.Equal(t, [][]any{{int64(1)}}, e.rows(`SELECT count(*) FROM seats`), "nothing written")
			require.Equal(t, [][]any{{int64(1)}}, e.rows(`SELECT count(*) FROM tickets`), "nothing written")
			require.Equal(t, [][]any{{int64(1)}}, e.rows(`SELECT count(*) FROM acct.ledgers`), "nothing written")
		})
	}
}
