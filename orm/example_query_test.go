package orm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// The shop of the query examples: customers and their orders, and
// products keyed by a unique code.
type Customer struct {
	ID     int64    `orm:"pk"`
	Name   string   `orm:"unique"`
	Orders []*Order `rel:"one_to_many,back_populates:Customer"`
}

type Order struct {
	ID         int64 `orm:"pk"`
	CustomerID int64 `orm:"fk:customers.id"`
	Status     string
	Total      int64
	Customer   *Customer `rel:"many_to_one,back_populates:Orders"`
}

type Product struct {
	ID    int64  `orm:"pk"`
	Code  string `orm:"unique"`
	Name  string
	Slug  string
	Stock int64
}

// Coupon is soft-deletable: deleting one sets DeletedAt.
type Coupon struct {
	ID        int64      `orm:"pk"`
	Code      string     `orm:"unique"`
	DeletedAt *time.Time `orm:"soft_delete"`
}

// BeforeInsert checks the product and fills its slug.
func (p *Product) BeforeInsert(context.Context) error {
	if p.Name == "" {
		return errors.New("a product needs a name")
	}
	p.Slug = strings.ToLower(strings.ReplaceAll(p.Name, " ", "-"))
	return nil
}

// shopDB opens a DB on a fresh database with the shop's tables: ann has an
// open order of 30 and a paid one of 20, bob a paid one of 5, cid none.
func shopDB(ctx context.Context) (*orm.DB, func()) {
	url, drop, err := pgtest.CreateDatabase(ctx, "crucible_example")
	if err != nil {
		panic(err)
	}
	db, err := orm.Open(ctx, url, orm.MustRegistry(&Customer{}, &Order{}, &Product{}, &Coupon{}))
	if err != nil {
		panic(err)
	}
	if err := db.CreateAll(ctx); err != nil {
		panic(err)
	}
	s := db.Session()
	defer s.Close()
	s.Add(
		&Customer{Name: "ann", Orders: []*Order{{Status: "open", Total: 30}, {Status: "paid", Total: 20}}},
		&Customer{Name: "bob", Orders: []*Order{{Status: "paid", Total: 5}}},
		&Customer{Name: "cid"},
	)
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); _ = drop(ctx) }
}

// A report: each customer's number of orders and their total, through a
// LEFT JOIN on the relationship, grouped, into a plain struct.
func ExampleSelect() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	type spending struct {
		Name   string
		Orders int64
		Spent  *int64 // sum() of no rows is NULL
	}
	rows, err := orm.Select[spending](
		orm.Query[Customer](s).LeftJoin("Orders").GroupBy("ID").OrderBy("-orders", "Name"),
		"Name", orm.Count("Orders.ID").As("orders"), orm.Sum("Orders.Total").As("spent"),
	).All(ctx)
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		spent := "-"
		if r.Spent != nil {
			spent = fmt.Sprint(*r.Spent)
		}
		fmt.Println(r.Name, r.Orders, spent)
	}
	// Output:
	// ann 2 50
	// bob 1 5
	// cid 0 -
}

// Has filters by a related row without repeating the owner: customers
// with an open order.
func ExampleSelectQuery_Has() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	open, _ := orm.Query[Customer](s).Has("Orders", orm.Where("status = ?", "open")).All(ctx)
	none, _ := orm.Query[Customer](s).HasNo("Orders").All(ctx)
	big, _ := orm.Query[Order](s).Join("Customer").Where("? = ?", orm.Col("Customer.Name"), "ann").OrderBy("-Total").First(ctx)
	fmt.Println(len(open), open[0].Name, none[0].Name, big.Total)
	// Output:
	// 1 ann cid 30
}

// Keyset pagination: each page continues from the last row of the one
// before, and its cursors can travel through a URL.
func ExampleSelectQuery_Page() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	q := func() *orm.SelectQuery[Order] { return orm.Query[Order](s).OrderBy("-Total").Limit(2) }
	first, _ := q().Page(ctx, "") // "" is the first page
	second, _ := q().Page(ctx, first.Next)
	back, _ := q().Page(ctx, second.Prev)
	totals := func(p *orm.Page[Order]) (out []int64) {
		for _, o := range p.Items {
			out = append(out, o.Total)
		}
		return out
	}
	fmt.Println(totals(first), totals(second), second.Next == "", totals(back))
	_, err := q().Page(ctx, "forged")
	fmt.Println(errors.Is(err, orm.ErrBadCursor))
	// Output:
	// [30 20] [5] true [30 20]
	// true
}

// Raw SQL into any struct, matched by column name.
func ExampleRaw() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	type paid struct {
		Customer string `db:"name"`
		Total    int64
	}
	rows, _ := orm.Raw[paid](s, `SELECT c.name, o.total FROM orders o JOIN customers c ON c.id = o.customer_id
		WHERE o.status = ? ORDER BY o.total DESC`, "paid").All(ctx)
	for _, r := range rows {
		fmt.Println(r.Customer, r.Total)
	}
	// Output:
	// ann 20
	// bob 5
}

// A statement-level upsert: rows that conflict are updated (DoUpdate) or
// reported as skipped (DoNothing); keys come back matched by the conflict
// key.
func ExampleInsert() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	if _, err := orm.Insert(s, &Product{Code: "p1", Name: "Tea", Stock: 5}).Exec(ctx); err != nil {
		panic(err)
	}
	res, err := orm.Insert(s, &Product{Code: "p1", Name: "Green tea"}, &Product{Code: "p2", Name: "Coffee"}).
		OnConflict("Code").DoNothing().Exec(ctx)
	fmt.Println(err, len(res.Rows), res.Rows[0].Name, res.Skipped[0].Name, res.Skipped[0].ID)

	res, err = orm.Insert(s, &Product{Code: "p1", Stock: 3}).
		OnConflict("Code").Set("Stock", orm.SQL("products.stock + EXCLUDED.stock")).Exec(ctx)
	fmt.Println(err, res.Rows[0].Stock)
	fmt.Println(s.Commit(ctx))
	// Output:
	// <nil> 1 Coffee Green tea 0
	// <nil> 8
	// <nil>
}

// An upsert in the unit of work: a Conflict given to Add applies to the
// objects of that call.
func ExampleSession_Add_upsert() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	s.Add(&Product{Code: "p1", Name: "Tea", Stock: 1})
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	other := db.Session()
	defer other.Close()
	again := &Product{Code: "p1", Name: "Tea", Stock: 9}
	other.Add(again, orm.OnConflict("Code").DoUpdate("Stock"))
	fmt.Println(other.Commit(ctx), again.ID > 0, again.Slug)
	// Output:
	// <nil> true tea
}

// A lifecycle hook: BeforeInsert fills the slug, and its error fails the
// flush with nothing written.
func ExampleBeforeInserter() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	s.Add(&Product{Code: "p9"}) // no name
	err := s.Commit(ctx)
	var he *orm.HookError
	fmt.Println(errors.As(err, &he), he.Hook, he.Err)
	n, _ := orm.Query[Product](s).Count(ctx)
	fmt.Println(n)
	// Output:
	// true BeforeInsert a product needs a name
	// 0
}

// A session inside a transaction the caller began: its Commit flushes and
// leaves the transaction to the caller.
func ExampleDB_SessionOn() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()

	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		panic(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "UPDATE orders SET status = 'shipped' WHERE status = 'paid'"); err != nil {
		panic(err)
	}
	s := db.SessionOn(tx)
	defer s.Close()
	shipped, _ := orm.Query[Order](s).Where("status = ?", "shipped").Count(ctx) // sees tx's update
	s.Add(&Product{Code: "p1", Name: "Tea"})
	fmt.Println(shipped, s.Commit(ctx)) // RELEASE SAVEPOINT, no COMMIT
	fmt.Println(tx.Commit(ctx))         // the caller commits both
	// Output:
	// 2 <nil>
	// <nil>
}

// The session's own transaction, for pgx calls in the same unit of work.
func ExampleSession_Tx() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()

	s.Add(&Product{Code: "p1", Name: "Tea"}) // flushed before Tx returns
	tx, err := s.Tx(ctx)
	if err != nil {
		panic(err)
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"products"}, []string{"code", "name", "slug", "stock"},
		pgx.CopyFromRows([][]any{{"p2", "Coffee", "coffee", int64(1)}, {"p3", "Cocoa", "cocoa", int64(1)}}))
	fmt.Println(n, err)
	fmt.Println(s.Commit(ctx)) // commits the INSERT and the COPY together
	count, _ := orm.Query[Product](s).Count(ctx)
	fmt.Println(count)
	// Output:
	// 2 <nil>
	// <nil>
	// 3
}

// Soft delete: Delete sets the soft_delete column, queries leave such rows
// out unless WithDeleted, and HardDelete removes the row.
func ExampleSelectQuery_WithDeleted() {
	ctx := context.Background()
	db, done := shopDB(ctx)
	defer done()
	s := db.Session()
	defer s.Close()
	spring, summer := &Coupon{Code: "SPRING"}, &Coupon{Code: "SUMMER"}
	s.Add(spring, summer)
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}

	s.Delete(spring)
	fmt.Println(s.Commit(ctx), spring.DeletedAt != nil) // UPDATE coupons SET deleted_at = …
	live, _ := orm.Query[Coupon](s).Count(ctx)
	all, _ := orm.Query[Coupon](s).WithDeleted().Count(ctx)
	_, err := orm.Get[Coupon](ctx, s, spring.ID)
	fmt.Println(live, all, errors.Is(err, orm.ErrNotFound))

	s.HardDelete(summer)
	fmt.Println(s.Commit(ctx)) // DELETE FROM coupons …
	all, _ = orm.Query[Coupon](s).WithDeleted().Count(ctx)
	fmt.Println(all)
	// Output:
	// <nil> true
	// 1 2 true
	// <nil>
	// 1
}
