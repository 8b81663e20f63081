package orm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// Team and Player are the relationship examples' models: a one-to-many
// whose players are deleted when their team lets them go.
type Team struct {
	ID      int64     `orm:"pk"`
	Name    string    `orm:"unique"`
	Players []*Player `rel:"one_to_many,back_populates:Team,cascade:all|delete-orphan,order_by:name"`
}

type Player struct {
	ID     int64  `orm:"pk"`
	Name   string `orm:"unique"`
	TeamID int64  `orm:"fk:teams.id"`
	Team   *Team  `rel:"many_to_one,back_populates:Players"`
}

// teamDB opens a DB on a fresh database with two teams of two players.
func teamDB(ctx context.Context) (*orm.DB, func()) {
	url, drop, err := pgtest.CreateDatabase(ctx, "crucible_example")
	if err != nil {
		panic(err)
	}
	db, err := orm.Open(ctx, url, orm.MustRegistry(&Team{}, &Player{}))
	if err == nil {
		err = db.CreateAll(ctx)
	}
	if err != nil {
		panic(err)
	}
	s := db.Session()
	defer s.Close()
	s.Add(&Team{Name: "reds", Players: []*Player{{Name: "ann"}, {Name: "bob"}}},
		&Team{Name: "blues", Players: []*Player{{Name: "cy"}, {Name: "di"}}})
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); _ = drop(ctx) }
}

func roster(t *Team) []string {
	var out []string
	for _, p := range t.Players {
		out = append(out, p.Name)
	}
	return out
}

// Moving a child: append it to its new parent's collection (or point its
// reference there). The flush updates its key — it is not an orphan, even
// under delete-orphan — and afterwards both sides agree.
func Example_moveChild() {
	ctx := context.Background()
	db, done := teamDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	teams, err := orm.Query[Team](s).Load("Players").OrderBy("name").All(ctx)
	if err != nil {
		panic(err)
	}
	blues, reds := teams[0], teams[1]
	ann := reds.Players[0]
	blues.Players = append(blues.Players, ann) // UPDATE players SET team_id
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	fmt.Println(roster(reds), roster(blues), ann.Team.Name)

	bob := reds.Players[0]
	reds.Players = nil // let go, and not attached elsewhere: an orphan
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	fmt.Println(roster(reds), s.Status(bob))
	// Output:
	// [bob] [cy di ann] blues
	// [] transient
}

// Related reads a relationship through the session, loading it when it
// was not loaded; the type parameter is the field's type.
func ExampleRelated() {
	ctx := context.Background()
	db, done := teamDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	reds, err := orm.Query[Team](s).Where("name = ?", "reds").One(ctx)
	if err != nil {
		panic(err)
	}
	players, err := orm.Related[[]*Player](ctx, s, reds, "Players") // one SELECT
	fmt.Println(len(players), players[0].Team == reds, err)
	_, err = orm.Related[*Player](ctx, s, reds, "Players")
	fmt.Println(err != nil)
	// Output:
	// 2 true <nil>
	// true
}

// Merge copies a detached object — one decoded from a request, say — onto
// the session's object for its row. MergeNonZero leaves the columns the
// copy did not set alone; a version other than the stored one is refused.
func ExampleMerge() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	a := &Account{Email: "a@example.com", Name: "A", Balance: 7}
	s.Add(a)
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}

	other := db.Session()
	defer other.Close()
	patch := &Account{ID: a.ID, Name: "Renamed"} // from a PATCH request
	got, err := orm.Merge(ctx, other, patch, orm.MergeNonZero())
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Name, got.Email, got.Balance, got != patch)
	if err := other.Commit(ctx); err != nil { // UPDATE accounts SET name
		panic(err)
	}

	stale := &Account{ID: a.ID, Name: "Late", Version: 1} // the row is at version 2
	_, err = orm.Merge(ctx, other, stale)
	fmt.Println(errors.Is(err, orm.ErrStaleData))
	// Output:
	// Renamed a@example.com 7 true
	// true
}
