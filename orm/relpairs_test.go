package orm_test

import (
	"fmt"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// TestManyToManyPairWithDeletedSide: an association row added in the same
// flush that deletes one of its two objects is not written (the row would
// go with the object anyway): the flush succeeds instead of failing on the
// association table's foreign key, and the other object stays.
func TestManyToManyPairWithDeletedSide(t *testing.T) {
	e := setup(t, kindRegistry())
	for _, tc := range []struct {
		name   string
		change func(s *orm.Session, p *KParent, c *KClub) (gone any)
	}{
		{"added from the owner side, owner deleted", func(s *orm.Session, p *KParent, c *KClub) any {
			p.Clubs = append(p.Clubs, c)
			s.Delete(p)
			return p
		}},
		{"added from the target side, owner deleted", func(s *orm.Session, p *KParent, c *KClub) any {
			c.Members = append(c.Members, p)
			s.Delete(p)
			return p
		}},
		{"added from the owner side, target deleted", func(s *orm.Session, p *KParent, c *KClub) any {
			p.Clubs = append(p.Clubs, c)
			s.Delete(c)
			return c
		}},
		{"added to a new owner, target deleted", func(s *orm.Session, _ *KParent, c *KClub) any {
			s.Add(&KParent{Name: fmt.Sprint("new", fixtureSeq), Clubs: []*KClub{c}})
			s.Delete(c)
			return c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fixtureSeq++
			seed := e.db.Session()
			p, c := &KParent{Name: fmt.Sprint("p", fixtureSeq)}, &KClub{Name: fmt.Sprint("c", fixtureSeq)}
			seed.Add(p, c)
			if err := seed.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			seed.Close()
			s := e.db.Session()
			defer s.Close()
			hp, err := orm.Query[KParent](s).Where("id = ?", p.ID).Load("Clubs").One(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			hc, err := orm.Query[KClub](s).Where("id = ?", c.ID).Load("Members").One(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			gone := tc.change(s, hp, hc)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			rows := e.rows(`SELECT (SELECT count(*) FROM kparents WHERE id = $1), (SELECT count(*) FROM kclubs WHERE id = $2),
				(SELECT count(*) FROM kmembers WHERE k_club_id = $2)`, p.ID, c.ID)[0]
			want := []any{int64(0), int64(1), int64(0)}
			if gone == any(hc) {
				want = []any{int64(1), int64(0), int64(0)}
			}
			if fmt.Sprint(rows) != fmt.Sprint(want) {
				t.Fatalf("parent, club, association rows: %v, want %v", rows, want)
			}
		})
	}
}
