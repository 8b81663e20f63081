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
			orm.ErrUniqueViolation, "authors", "", true, nil},
		{"foreign key on insert", func() error {
			b := &Book{AuthorID: a.ID + 1000, Title: "orphan"}
			s.Add(b)
			defer s.Expunge(b)
			err := s.Commit(e.ctx)
			require.Equal(t, orm.Pending, s.Status(b), "still pending")
			require.Zero(t, b.ID, "key cleared")
			return err
		}, orm.ErrForeignKeyViolation, "books", "", true, nil},
		{"foreign key on delete", func() error { s.Delete(a); return s.Commit(e.ctx) },
			orm.ErrForeignKeyViolation, "", "", true, func(t *testing.T) {
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
