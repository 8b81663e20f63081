package crucible_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/internal/blogtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/orm"
)

var registry = orm.MustRegistry(blogtest.Models()...) // the blog model of DESIGN.md (internal/blogtest)

// openBlog opens a DB on a fresh database holding the blog schema. The
// examples run against a real PostgreSQL found by pgtest (DATABASE_URL,
// Docker, or local binaries).
func openBlog(ctx context.Context) (*orm.DB, func()) {
	url, drop, err := pgtest.CreateDatabase(ctx, "crucible_example")
	if err != nil {
		panic(err)
	}
	db, err := orm.Open(ctx, url, registry)
	if err != nil {
		panic(err)
	}
	if err := db.CreateAll(ctx); err != nil {
		panic(err)
	}
	return db, func() { db.Close(); _ = drop(ctx) }
}

// count returns the number of rows of a table, outside any session.
func count(ctx context.Context, db *orm.DB, table string) int {
	var n int
	if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		panic(err)
	}
	return n
}

// Example is the whole flow: register the models, create the schema, add an
// object graph in one commit, read it back through the identity map and a
// query with eager loading, change it, and delete it with its cascades.
func Example() {
	ctx := context.Background()
	db, done := openBlog(ctx)
	defer done()

	s := db.Session()
	defer s.Close()
	golang := &blogtest.Tag{Name: "go"}
	u := &blogtest.User{Username: "john", Email: "john@example.com"}
	u.Profile = &blogtest.Profile{Gender: "MALE", Interests: []string{"go", "sql"}}
	u.Posts = []*blogtest.Post{
		{Title: "hello", Tags: []*blogtest.Tag{golang}, Comments: []*blogtest.Comment{{Body: "first!"}}},
		{Title: "again", Tags: []*blogtest.Tag{golang}},
	}
	s.Add(u) // save-update cascades along Profile, Posts, Comments and Tags
	if err := s.Commit(ctx); err != nil {
		panic(err)
	}
	fmt.Println("ids read back:", u.ID > 0, u.Profile.UserID == u.ID, u.Posts[1].UserID == u.ID)

	same, err := orm.Get[blogtest.User](ctx, s, u.ID) // no query: the identity map
	fmt.Println("same pointer:", same == u, err)

	other := db.Session() // a new session loads from the database
	defer other.Close()
	users, err := orm.Query[blogtest.User](other).
		Where("email LIKE ?", "%@example.com").
		Load("Posts.Comments", "Posts.Tags").
		All(ctx)
	if err != nil {
		panic(err)
	}
	for _, p := range users[0].Posts {
		fmt.Printf("%s: %d comment(s), tags %d, back-reference %t\n", p.Title, len(p.Comments), len(p.Tags), p.User == users[0])
	}

	users[0].Email = "j@example.com" // dirty checking: UPDATE users SET email, updated_at
	other.Delete(users[0])           // cascade: comments, posts, profile, association rows
	if err := other.Commit(ctx); err != nil {
		panic(err)
	}
	fmt.Println("left:", count(ctx, db, "users"), count(ctx, db, "posts"), count(ctx, db, "comments"),
		count(ctx, db, "post_tags"), count(ctx, db, "tags"))
	// Output:
	// ids read back: true true true
	// same pointer: true <nil>
	// hello: 1 comment(s), tags 1, back-reference true
	// again: 0 comment(s), tags 1, back-reference true
	// left: 0 0 0 0 1
}

// Example_transaction shows the unit of work as a closure: the transaction
// commits when the function returns nil and rolls back otherwise, leaving
// nothing behind; constraint violations are typed errors.
func Example_transaction() {
	ctx := context.Background()
	db, done := openBlog(ctx)
	defer done()

	err := db.Transaction(ctx, func(s *orm.Session) error {
		s.Add(&blogtest.User{Username: "ann", Email: "ann@example.com"})
		return nil
	})
	fmt.Println("first:", err)

	err = db.Transaction(ctx, func(s *orm.Session) error {
		s.Add(&blogtest.User{Username: "bob", Email: "bob@example.com"})
		s.Add(&blogtest.User{Username: "ann", Email: "ann2@example.com"}) // taken
		return nil
	})
	var violation *orm.ConstraintError
	if errors.As(err, &violation) {
		fmt.Println("second:", errors.Is(err, orm.ErrUniqueViolation), violation.Constraint)
	}
	fmt.Println("users:", count(ctx, db, "users"))
	// Output:
	// first: <nil>
	// second: true uq_users_username
	// users: 1
}

// Example_migrate generates the first migration from the models, applies it,
// checks the database against the models and migrates back to empty: what
// `go run ./cmd/migrate revision --autogenerate`, `upgrade head`, `check`
// and `downgrade base` do from the command line.
func Example_migrate() {
	ctx := context.Background()
	url, drop, err := pgtest.CreateDatabase(ctx, "crucible_example")
	if err != nil {
		panic(err)
	}
	defer drop(ctx) //nolint:errcheck
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	meta := registry.Metadata()
	diff, err := migrate.NewRunner(pool, migrate.NewSet(), migrate.WithMetadata(meta)).Autogenerate(ctx)
	if err != nil {
		panic(err)
	}
	rev, err := migrate.Draft(migrate.NewSet(), "create blog", diff)
	if err != nil {
		panic(err)
	}
	rev.ID = "0001"
	r := migrate.NewRunner(pool, migrate.NewSet(*rev), migrate.WithMetadata(meta), migrate.WithLog(os.Stdout))
	if _, err := r.Upgrade(ctx, migrate.Head); err != nil {
		panic(err)
	}
	if _, err := r.Check(ctx); err != nil {
		panic(err)
	}
	fmt.Println("check: no difference")
	if _, err := r.Downgrade(ctx, migrate.Base); err != nil {
		panic(err)
	}
	// Output:
	// upgrade 0001: create blog
	// check: no difference
	// downgrade 0001: create blog
}
