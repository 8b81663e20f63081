package orm_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/orm"
)

// Reads outside a transaction go to the replicas; writes, and a session's
// reads after its first write, go to the primary. Here the "replica" is a
// second pool on the same database, so that the example runs anywhere; in
// production it is a hot standby ([orm.WithReplicas] takes its URL). Its
// acquire count shows which reads it served.
func ExampleWithReplicaPools() {
	ctx := context.Background()
	primary, done := exampleDB(ctx)
	defer done()
	replica, err := pgxpool.New(ctx, primary.Pool().Config().ConnString())
	if err != nil {
		panic(err)
	}
	defer replica.Close()
	db, err := orm.New(primary.Pool(), primary.Registry(), orm.WithReplicaPools(replica))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	served := func() int64 { return replica.Stat().AcquireCount() }

	s := db.Session()
	defer s.Close()
	n, _ := orm.Query[Account](s).Count(ctx)
	fmt.Println("count", n, "replica reads", served())

	n, _ = orm.Query[Account](s).Count(orm.OnPrimary(ctx)) // this read only
	fmt.Println("count", n, "replica reads", served())

	s.Add(&Account{Email: "ann@example.com", Name: "Ann"})
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	n, _ = orm.Query[Account](s).Count(ctx) // read-your-writes
	fmt.Println("count", n, "replica reads", served())

	other := db.Session()
	defer other.Close()
	n, _ = orm.Query[Account](other).Count(ctx) // a real replica: 1 once it replayed the commit
	fmt.Println("count", n, "replica reads", served())
	// Output:
	// count 0 replica reads 1
	// count 0 replica reads 1
	// count 1 replica reads 1
	// count 1 replica reads 2
}
