package migrate_test

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// Example autogenerates a first revision from the models, applies it,
// checks that the database matches the models and goes back to base, the
// way a program or a test applies migrations without the command line.
func Example() {
	ctx := context.Background()
	url, drop, err := pgtest.CreateDatabase(ctx, "migrate_example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer drop(ctx) //nolint:errcheck
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	users := &schema.Table{Name: "users",
		Columns: []*schema.Column{
			{Name: "id", Type: schema.Scalar{Name: "bigint"}, Identity: schema.IdentityByDefault},
			{Name: "email", Type: schema.Scalar{Name: "text"}},
			{Name: "mood", Type: schema.EnumRef{Name: "mood"}, ServerDefault: "'ok'"},
		},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_users", Columns: []string{"id"}},
	}
	meta, err := schema.NewMetadata([]*schema.Table{users}, []*schema.Enum{{Name: "mood", Values: []string{"sad", "ok"}}})
	if err != nil {
		fmt.Println(err)
		return
	}

	// revision --autogenerate: what the models need that the database lacks.
	none := migrate.NewSet()
	diff, err := migrate.NewRunner(pool, none, migrate.WithMetadata(meta)).Autogenerate(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	rev, err := migrate.Draft(none, "create users", diff)
	if err != nil {
		fmt.Println(err)
		return
	}
	rev.ID = "0001"
	for _, op := range rev.Upgrade {
		fmt.Println("up:", op)
	}
	for _, op := range rev.Downgrade {
		fmt.Println("down:", op)
	}

	// upgrade head, check, downgrade base.
	r := migrate.NewRunner(pool, migrate.NewSet(*rev), migrate.WithMetadata(meta), migrate.WithLog(os.Stdout))
	if _, err := r.Upgrade(ctx, migrate.Head); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := r.Check(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("check: the database matches the models")
	if _, err := r.Downgrade(ctx, migrate.Base); err != nil {
		fmt.Println(err)
	}
	// Output:
	// up: create enum mood
	// up: create table users
	// down: drop table users
	// down: drop enum mood
	// upgrade 0001: create users
	// check: the database matches the models
	// downgrade 0001: create users
}

// ExampleScope autogenerates in a database that holds more than the
// models describe: another application's table is reported, not dropped,
// and a scope leaves it out altogether.
func ExampleScope() {
	ctx := context.Background()
	url, drop, err := pgtest.CreateDatabase(ctx, "migrate_example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer drop(ctx) //nolint:errcheck
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "CREATE TABLE invoices (id int PRIMARY KEY); CREATE TABLE audit_log (at timestamptz)"); err != nil {
		fmt.Println(err)
		return
	}
	users := &schema.Table{Schema: "app", Name: "users",
		Columns:    []*schema.Column{{Name: "id", Type: schema.Scalar{Name: "bigint"}, Identity: schema.IdentityByDefault}},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		Indexes:    []*schema.Index{{Name: "ix_users_id_hash", Columns: []string{"id"}, Method: "hash"}},
	}
	meta, err := schema.NewMetadata([]*schema.Table{users}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	for _, scope := range []migrate.Scope{{}, {Exclude: []string{"invoices", "audit_*"}}} {
		r := migrate.NewRunner(pool, migrate.NewSet(), migrate.WithMetadata(meta), migrate.WithScope(scope))
		d, err := r.Autogenerate(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("exclude", scope.Exclude)
		for _, op := range d.Ops {
			fmt.Println("  op:", op)
		}
		for _, o := range d.Unmanaged {
			fmt.Println("  not managed:", o)
		}
	}
	// Output:
	// exclude []
	//   op: create schema app
	//   op: create table app.users
	//   not managed: table audit_log
	//   not managed: table invoices
	// exclude [invoices audit_*]
	//   op: create schema app
	//   op: create table app.users
}
