package orm_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
	"github.com/crucible-orm/crucible/schema"
)

// NMember lives in schema public by its TableName; NCard's foreign key
// names no schema and reaches it all the same.
type NMember struct {
	ID    int64
	Email string   `orm:"unique"`
	Cards []*NCard `rel:"one_to_many,back_populates:Member"`
	Clubs []*NClub `rel:"many_to_many,secondary:n_member_clubs"`
}

type NCard struct {
	ID       int64
	MemberID int64    `orm:"fk:n_members.id"`
	Member   *NMember `rel:"many_to_one,back_populates:Cards"`
}

type NClub struct {
	ID   int64
	Name string
}

func (NMember) TableName() string { return "public.n_members" }

// TestRegistryNaming builds a registry with PostgreSQL's naming
// convention: the catalog has the server's own names, association table
// included, a unit of work orders the rows across "public" and the search
// path, and a violation names the constraint and its column.
func TestRegistryNaming(t *testing.T) {
	reg, err := orm.NewRegistry(&NMember{}, schema.WithNaming(schema.PostgresNaming{}), &NCard{}, &NClub{})
	require.NoError(t, err)
	require.Equal(t, schema.PostgresNaming{}, reg.Metadata().Naming())
	e := setup(t, reg)
	require.Equal(t, [][]any{
		{"n_cards", "n_cards_member_id_fkey"}, {"n_cards", "n_cards_pkey"}, {"n_clubs", "n_clubs_pkey"},
		{"n_member_clubs", "n_member_clubs_n_club_id_fkey"}, {"n_member_clubs", "n_member_clubs_n_member_id_fkey"},
		{"n_member_clubs", "n_member_clubs_pkey"}, {"n_members", "n_members_email_key"}, {"n_members", "n_members_pkey"},
	}, e.rows(`SELECT conrelid::regclass::text, conname::text FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`))
	require.Equal(t, [][]any{{"n_member_clubs_n_club_id_idx"}},
		e.rows(`SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE '%idx' ORDER BY 1`))

	s := e.db.Session()
	defer s.Close()
	m := &NMember{Email: "a@example.com", Cards: []*NCard{{}}, Clubs: []*NClub{{Name: "chess"}}}
	s.Add(m)
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{m.ID}}, e.rows(`SELECT member_id FROM n_cards`))

	s.Add(&NMember{Email: "a@example.com"})
	err = s.Commit(e.ctx)
	var ce *orm.ConstraintError
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, orm.ErrUniqueViolation)
	require.Equal(t, "n_members_email_key", ce.Constraint)
	require.Equal(t, "email", ce.Column)
}
