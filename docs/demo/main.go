// Command demo walks through Crucible end to end on a real PostgreSQL: the
// blog model of the guide is registered, a first migration is generated from
// it and applied, a session creates, loads, changes and deletes objects
// (printing each SQL statement it sends), and the database is migrated back
// to empty.
//
// Run it with `make demo`. It always works in a fresh database of its own,
// created the way the tests make theirs: on the server DATABASE_URL names
// when it is set (the database in the URL is left alone), else on a
// throwaway cluster started from the local PostgreSQL binaries. The
// database is dropped at the end, so the demo never touches an existing
// database's objects.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/orm"
)

// Gender is a native PostgreSQL enum type named "gender".
type Gender string

// The values of Gender.
const (
	Male      Gender = "MALE"
	Female    Gender = "FEMALE"
	Undefined Gender = "UNDEFINED"
)

// EnumValues makes Gender an enum type.
func (Gender) EnumValues() []string { return []string{"MALE", "FEMALE", "UNDEFINED"} }

// Base is embedded by every model: its columns come first.
type Base struct {
	ID        int64     `orm:"pk"`
	CreatedAt time.Time `orm:"server_default:now()"`
	UpdatedAt time.Time `orm:"server_default:now(),onupdate:now()"`
}

// User has one profile and many posts.
type User struct {
	Base
	Username string   `orm:"unique"`
	Email    string   `orm:"unique,index"`
	Phone    *string  // NULL allowed
	Profile  *Profile `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan"`
	Posts    []*Post  `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan,order_by:id"`
}

// Profile belongs to exactly one user.
type Profile struct {
	Base
	UserID    int64             `orm:"unique,fk:users.id,ondelete:cascade"`
	User      *User             `rel:"many_to_one,back_populates:Profile"`
	Gender    Gender            `orm:"default:UNDEFINED,server_default:'UNDEFINED'"`
	Interests []string          `orm:"type:text[]"`
	Contacts  map[string]string `orm:"type:jsonb"`
}

// Post is written by a user and has comments and tags.
type Post struct {
	Base
	Title    string
	UserID   int64      `orm:"fk:users.id"`
	User     *User      `rel:"many_to_one,back_populates:Posts"`
	Comments []*Comment `rel:"one_to_many,back_populates:Post,cascade:all|delete-orphan,order_by:id"`
	Tags     []*Tag     `rel:"many_to_many,secondary:post_tags,back_populates:Posts,order_by:name"`
}

// Comment is a comment on a post.
type Comment struct {
	Base
	Body   string
	PostID int64 `orm:"fk:posts.id"`
	Post   *Post `rel:"many_to_one,back_populates:Comments"`
}

// Tag labels posts.
type Tag struct {
	ID    int64   `orm:"pk"`
	Name  string  `orm:"unique"`
	Posts []*Post `rel:"many_to_many,secondary:post_tags,back_populates:Tags"`
}

func main() {
	err := run(context.Background(), os.Stdout)
	pgtest.Shutdown() // stops a throwaway server this process started
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// run creates the demo's own database, runs the demo in it and drops it.
func run(ctx context.Context, out io.Writer) (err error) {
	url, drop, err := pgtest.CreateDatabase(ctx, "crucible_demo")
	if err != nil {
		return err
	}
	defer func() {
		if derr := drop(context.WithoutCancel(ctx)); err == nil {
			err = derr
		}
	}()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "0. Working in a fresh database, %s, dropped at the end.\n", cfg.Database)
	return demo(ctx, url, out)
}

func demo(ctx context.Context, url string, out io.Writer) error {
	reg, err := orm.NewRegistry(&User{}, &Profile{}, &Post{}, &Comment{}, &Tag{})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "1. Registered the models; tables in foreign-key order:")
	for _, t := range reg.Metadata().Tables() {
		fmt.Fprintf(out, "   %s (%d columns)\n", t.Name, len(t.Columns))
	}

	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	revisions, err := migrateUp(ctx, pool, reg, out)
	if err != nil {
		return err
	}

	db, err := orm.New(pool, reg, orm.WithLogger(slog.New(sqlPrinter{out})))
	if err != nil {
		return err
	}
	if err := session(ctx, db, out); err != nil {
		return err
	}

	fmt.Fprintln(out, "6. Migrating back to base leaves the database empty.")
	r := migrate.NewRunner(pool, revisions, migrate.WithMetadata(reg.Metadata()))
	_, err = r.Downgrade(ctx, migrate.Base)
	return err
}

// migrateUp autogenerates the first revision from the models, applies it
// and returns the demo's migration history: that one revision.
func migrateUp(ctx context.Context, pool *pgxpool.Pool, reg *orm.Registry, out io.Writer) (*migrate.Set, error) {
	empty := migrate.NewSet()
	diff, err := migrate.NewRunner(pool, empty, migrate.WithMetadata(reg.Metadata())).Autogenerate(ctx)
	if err != nil {
		return nil, err
	}
	rev, err := migrate.Draft(empty, "create blog", diff)
	if err != nil {
		return nil, err
	}
	rev.ID = "0001"
	fmt.Fprintln(out, "2. Autogenerated revision 0001 (migrate revision --autogenerate):")
	for _, op := range rev.Upgrade {
		fmt.Fprintln(out, "   up:", op)
	}
	revisions := migrate.NewSet(*rev)
	r := migrate.NewRunner(pool, revisions, migrate.WithMetadata(reg.Metadata()))
	if _, err := r.Upgrade(ctx, migrate.Head); err != nil {
		return nil, err
	}
	if _, err := r.Check(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "   Upgraded to head; check finds no difference between models and database.")
	return revisions, nil
}

// session runs the unit of work, loading, dirty checking and cascades.
func session(ctx context.Context, db *orm.DB, out io.Writer) error {
	s := db.Session()
	defer s.Close()

	fmt.Fprintln(out, "3. One commit writes a user, the profile, two posts, a comment and tags:")
	golang, sql := &Tag{Name: "go"}, &Tag{Name: "sql"}
	u := &User{Username: "john", Email: "john@example.com"}
	u.Profile = &Profile{Gender: Male, Interests: []string{"go", "postgres"}, Contacts: map[string]string{"mastodon": "@john"}}
	u.Posts = []*Post{
		{Title: "hello", Tags: []*Tag{golang}, Comments: []*Comment{{Body: "first!"}}},
		{Title: "again", Tags: []*Tag{golang, sql}},
	}
	s.Add(u)
	if err := s.Commit(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "   user %d, profile %d, posts %d and %d; created_at read back: %t\n",
		u.ID, u.Profile.ID, u.Posts[0].ID, u.Posts[1].ID, !u.CreatedAt.IsZero())

	fmt.Fprintln(out, "4. A fresh session loads users with posts, comments and tags in 1 + 3 statements:")
	s2 := db.Session()
	defer s2.Close()
	users, err := orm.Query[User](s2).
		Where("email LIKE ?", "%@example.com").
		Load("Posts.Comments", "Posts.Tags").
		OrderBy("username").
		All(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		for _, p := range u.Posts {
			fmt.Fprintf(out, "   %s: %q, %d comment(s), %d tag(s), back-reference kept: %t\n",
				u.Username, p.Title, len(p.Comments), len(p.Tags), p.User == u)
		}
	}

	fmt.Fprintln(out, "5. Dirty checking sends only what changed; deleting the user cascades:")
	john := users[0]
	john.Email = "j@example.com"
	if err := s2.Commit(ctx); err != nil {
		return err
	}
	s2.Delete(john)
	return s2.Commit(ctx)
}

// sqlPrinter is a minimal slog.Handler printing each statement the session
// sends on one line.
type sqlPrinter struct{ out io.Writer }

func (sqlPrinter) Enabled(context.Context, slog.Level) bool { return true }
func (p sqlPrinter) WithAttrs([]slog.Attr) slog.Handler     { return p }
func (p sqlPrinter) WithGroup(string) slog.Handler          { return p }

func (p sqlPrinter) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "sql" {
			sql := strings.Join(strings.Fields(a.Value.String()), " ")
			if len(sql) > 110 {
				sql = sql[:107] + "..."
			}
			fmt.Fprintln(p.out, "   SQL:", sql)
		}
		return true
	})
	return nil
}
