package orm_test

import (
	"errors"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// A whole statement given to Exec or Raw may number its parameters as pgx
// does ($1, $2, a number used twice), or use ? as conditions do; the
// arguments must match what it uses, checked before anything is sent.
func TestStatementParameters(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	s.Add(&Author{Name: "ann"}, &Author{Name: "bob"})
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("exec with $n", func(t *testing.T) {
		n, err := s.Exec(e.ctx, "UPDATE authors SET rank = $2 WHERE name = $1 OR name = upper($1)", "ann", 3)
		if err != nil || n != 1 {
			t.Fatalf("exec: %d rows, %v", n, err)
		}
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT rank FROM authors WHERE name = 'ann'`); got[0][0] != int64(3) {
			t.Fatalf("rank %v", got)
		}
	})
	t.Run("raw with $n", func(t *testing.T) {
		got, err := orm.Raw[Author](s, "SELECT * FROM authors WHERE name = $1 OR rank = $2 ORDER BY name", "bob", 3).All(e.ctx)
		if err != nil || len(got) != 2 {
			t.Fatalf("raw: %d rows, %v", len(got), err)
		}
		n, err := orm.Raw[int64](s, "SELECT count(*) FROM authors WHERE name <> $1 AND '$2' <> $$ $1 ? $$", "x").One(e.ctx)
		if err != nil || *n != 2 {
			t.Fatalf("raw count: %v, %v", n, err)
		}
	})
	t.Run("exec with ?", func(t *testing.T) {
		if n, err := s.Exec(e.ctx, "UPDATE authors SET rank = ? WHERE name = ?", 4, "bob"); err != nil || n != 1 {
			t.Fatalf("exec: %d rows, %v", n, err)
		}
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
	})

	for _, tc := range []struct {
		name string
		sql  orm.SQL
		args []any
		want error
	}{
		{"too few for $n", "UPDATE authors SET rank = $1 WHERE name = $2", []any{1}, orm.ErrPlaceholders},
		{"too many for $n", "UPDATE authors SET rank = $1", []any{1, 2}, orm.ErrPlaceholders},
		{"a number skipped", "UPDATE authors SET rank = $2", []any{1, 2}, orm.ErrPlaceholders},
		{"none with arguments", "UPDATE authors SET rank = 1", []any{1}, orm.ErrPlaceholders},
		{"too few for ?", "UPDATE authors SET rank = ? WHERE name = ?", []any{1}, orm.ErrPlaceholders},
		{"both styles", "UPDATE authors SET rank = ? WHERE name = $1", []any{1, "x"}, orm.ErrSyntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			_, err := s.Exec(e.ctx, tc.sql, tc.args...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("exec: %v, want %v", err, tc.want)
			}
			_, rerr := orm.Raw[Author](s, tc.sql+" RETURNING *", tc.args...).All(e.ctx)
			if !errors.Is(rerr, tc.want) {
				t.Fatalf("raw: %v, want %v", rerr, tc.want)
			}
			if sent := e.cap.sqls(); len(sent) != 0 {
				t.Fatalf("sent %q", sent)
			}
		})
	}
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT name, rank FROM authors ORDER BY name`); got[0][1] != int64(3) || got[1][1] != int64(4) {
		t.Fatalf("rows changed by a refused statement: %v", got)
	}
}
