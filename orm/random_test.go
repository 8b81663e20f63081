package orm_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// TestRandomUnitsOfWork applies random adds, changes and deletes through
// one session, sometimes with a unique violation in the batch, and checks
// after every commit that the table holds exactly what the session says:
// committed work is all there, failed work none of it, and a failed commit
// can be fixed and retried.
func TestRandomUnitsOfWork(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	live := map[*Author]bool{}
	next := 0
	for round := range 30 {
		var dup *Author
		for range rng.IntN(6) {
			next++
			a := &Author{Name: fmt.Sprint("n", next), Rank: int64(rng.IntN(5))}
			s.Add(a)
			live[a] = true
		}
		for a := range live {
			switch rng.IntN(4) {
			case 0:
				a.Rank = int64(rng.IntN(100))
			case 1:
				if a.ID != 0 {
					s.Delete(a)
					delete(live, a)
				}
			case 2:
				a.Tags = append(a.Tags, fmt.Sprint(round))
			}
		}
		if round%4 == 3 && len(live) > 0 {
			for a := range live {
				if a.ID != 0 {
					dup = &Author{Name: a.Name} // violates uq_authors_name
					s.Add(dup)
					break
				}
			}
		}
		err := s.Commit(e.ctx)
		if dup != nil {
			require.ErrorIs(t, err, orm.ErrUniqueViolation, "round %d", round)
			s.Expunge(dup) // fix: drop the duplicate and retry the rest
			err = s.Commit(e.ctx)
		}
		require.NoError(t, err, "round %d", round)
		requireTable(t, e, live)
	}
}

func requireTable(t *testing.T, e *env, live map[*Author]bool) {
	t.Helper()
	var want []string
	for a := range live {
		require.NotZero(t, a.ID)
		want = append(want, fmt.Sprintf("%d %s %d %v", a.ID, a.Name, a.Rank, a.Tags))
	}
	var got []string
	for _, r := range e.rows(`SELECT id, name, rank, tags FROM authors`) {
		var tags []string
		if r[3] != nil {
			for _, x := range r[3].([]any) {
				tags = append(tags, x.(string))
			}
		}
		got = append(got, fmt.Sprintf("%d %s %d %v", r[0], r[1], r[2], tags))
	}
	sort.Strings(want)
	sort.Strings(got)
	require.Equal(t, want, got)
}
