package orm_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// Account is the model of the examples.
type Account struct {
	ID        int64  `orm:"pk"`
	Email     string `orm:"unique"`
	Name      string
	Nickname  *string   `orm:"server_default:'anonymous'"`
	Balance   int64     `orm:"check:balance >= 0"`
	Version   int64     `orm:"version"`
	CreatedAt time.Time `orm:"server_default:now()"`
}

// exampleDB opens a DB on a fresh database with the examples' tables.
func exampleDB(ctx context.Context) (*orm.DB, func()) {
	url, drop, err := pgtest.CreateDatabase(ctx, "crucible_example")
	if err != nil {
		panic(err)
	}
	db, err := orm.Open(ctx, url, orm.MustRegistry(&Account{}))
	if err != nil {
		panic(err)
	}
	if err := db.CreateAll(ctx); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); _ = drop(ctx) }
}

// The whole flow: add, commit, get from the identity map, change, query.
func Example() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()

	s := db.Session()
	defer s.Close()
	ann := &Account{Email: "ann@example.com", Name: "Ann", Balance: 10}
	s.Add(ann, &Account{Email: "bob@example.com", Name: "Bob"})
	if err := s.Commit(ctx); err != nil { // one INSERT … SELECT FROM unnest(…)
		panic(err)
	}
	fmt.Println(ann.ID > 0, *ann.Nickname, ann.Version) // read back

	same, _ := orm.Get[Account](ctx, s, ann.ID) // no query: identity map
	fmt.Println(same == ann)

	ann.Balance += 5                      // dirty checking by snapshot:
	if err := s.Commit(ctx); err != nil { // UPDATE … SET balance, version
		panic(err)
	}
	rich, _ := orm.Query[Account](s).Where("balance > ?", 0).OrderBy("-email").All(ctx)
	for _, a := range rich {
		fmt.Println(a.Name, a.Balance, a.Version)
	}
	// Output:
	// true anonymous 1
	// true
	// Ann 15 2
}

// A failed flush leaves the session as before, so the caller can fix the
// cause and commit again.
func ExampleSession_Commit_retry() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	s.Add(&Account{Email: "taken@example.com", Name: "First"})
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}

	dup := &Account{Email: "taken@example.com", Name: "Second"}
	s.Add(dup)
	err := s.Commit(ctx)
	var ce *orm.ConstraintError
	if errors.As(err, &ce) && errors.Is(err, orm.ErrUniqueViolation) {
		fmt.Println("violates", ce.Constraint)
	}
	fmt.Println(s.Status(dup), dup.ID) // still pending, no key

	dup.Email = "second@example.com"
	fmt.Println(s.Commit(ctx), s.Status(dup))
	// Output:
	// violates uq_accounts_email
	// pending 0
	// <nil> persistent
}

// Optimistic locking: a row changed by someone else since it was loaded
// is not overwritten.
func ExampleStaleDataError() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	a := &Account{Email: "a@example.com", Name: "A"}
	s.Add(a)
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}

	// another session wins the race
	if err := db.Transaction(ctx, func(other *orm.Session) error {
		b, err := orm.Get[Account](ctx, other, a.ID)
		b.Balance = 100
		return err
	}); err != nil {
		panic(err)
	}

	a.Balance = 1
	err := s.Commit(ctx)
	fmt.Println(errors.Is(err, orm.ErrStaleData))
	_ = s.Refresh(ctx, a) // take the current row and decide again
	fmt.Println(a.Balance, a.Version)
	// Output:
	// true
	// 100 2
}

// Transaction commits when the closure returns nil and rolls back when it
// returns an error or panics; Nested is a savepoint.
func ExampleDB_Transaction() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()

	err := db.Transaction(ctx, func(s *orm.Session) error {
		s.Add(&Account{Email: "kept@example.com", Name: "Kept"})
		_ = s.Nested(ctx, func(s *orm.Session) error {
			s.Add(&Account{Email: "dropped@example.com", Name: "Dropped"})
			return errors.New("changed my mind") // back to the savepoint
		})
		return nil
	})
	fmt.Println(err)

	s := db.Session()
	defer s.Close()
	n, _ := orm.Query[Account](s).Count(ctx)
	fmt.Println(n)
	// Output:
	// <nil>
	// 1
}

// Statement-level writes keep the session's objects in line with the rows
// they changed.
func ExampleUpdate() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	a := &Account{Email: "a@example.com", Name: "A", Balance: 3}
	s.Add(a, &Account{Email: "b@example.com", Name: "B", Balance: 7})
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}

	n, err := orm.Update[Account](s).Where("balance < ?", 5).Set("Balance", orm.SQL("balance * 10")).Exec(ctx)
	fmt.Println(n, err, a.Balance, a.Version)
	n, err = orm.Delete[Account](s).Where("email LIKE ?", "b@%").Exec(ctx)
	fmt.Println(n, err)
	fmt.Println(s.Commit(ctx))
	// Output:
	// 1 <nil> 30 2
	// 1 <nil>
	// <nil>
}

// The Repository pattern as a thin typed layer.
func ExampleNewRepository() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	accounts := orm.NewRepository[Account](s)
	accounts.Add(&Account{Email: "r@example.com", Name: "R"})
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	found, _ := accounts.Find(ctx, "name = ?", "R")
	fmt.Println(len(found), found[0].Email)
	_, err := accounts.Get(ctx, int64(999))
	fmt.Println(errors.Is(err, orm.ErrNotFound))
	// Output:
	// 1 r@example.com
	// true
}

// Explicit NULL and the server default are two different requests: a nil
// pointer left alone gets the column's server default; named with
// Explicit, it is inserted as NULL.
func ExampleSession_Explicit() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	def := &Account{Email: "d@example.com", Name: "D"}  // Nickname nil: server default
	null := &Account{Email: "n@example.com", Name: "N"} // Nickname nil: NULL
	s.Add(def, null)
	s.Explicit(null, "Nickname")
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	fmt.Println(*def.Nickname, null.Nickname == nil)
	// Output:
	// anonymous true
}

// Iter streams a large result one row at a time instead of building a
// slice; rows the session does not hold are not tracked.
func ExampleSelectQuery_Iter() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	for i := range 3 {
		s.Add(&Account{Email: fmt.Sprintf("u%d@example.com", i), Name: fmt.Sprint("U", i)})
	}
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}

	r := db.Session() // a fresh session: the rows stream from the database
	defer r.Close()
	for a, err := range orm.Query[Account](r).OrderBy("-email").Iter(ctx) {
		if err != nil {
			panic(err)
		}
		fmt.Println(a.Name)
	}
	// Output:
	// U2
	// U1
	// U0
}
