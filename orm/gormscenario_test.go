package orm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm"
)

// Scenarios a GORM user writes from docs/from-gorm.md: its models as the
// page declares them, and each row of its CRUD, transaction, association
// and error tables, checked by plain SQL.

type GBase struct {
	ID        int64     `orm:"pk"`
	CreatedAt time.Time `orm:"server_default:now()"`
	UpdatedAt time.Time `orm:"server_default:now(),onupdate:now()"`
}

type GUser struct {
	GBase
	Name      string       `orm:"size:100"`
	Email     string       `orm:"unique"`
	Age       *int         `orm:"check:age >= 0"`
	Role      string       `orm:"default:member"`
	DeletedAt *time.Time   `orm:"soft_delete"`
	Profile   *GProfile    `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan"`
	Orders    []*GOrder    `rel:"one_to_many,back_populates:User,cascade:all"`
	Languages []*GLanguage `rel:"many_to_many,secondary:user_languages"`
}

func (GUser) TableName() string { return "users" }

type GProfile struct {
	GBase
	UserID int64  `orm:"unique,fk:users.id,ondelete:cascade"`
	User   *GUser `rel:"many_to_one,back_populates:Profile"`
}

func (GProfile) TableName() string { return "profiles" }

type GOrder struct {
	GBase
	State  string
	UserID int64  `orm:"fk:users.id"`
	User   *GUser `rel:"many_to_one,back_populates:Orders"`
}

func (GOrder) TableName() string { return "orders" }

type GLanguage struct {
	GBase
	Code string `orm:"unique"`
}

func (GLanguage) TableName() string { return "languages" }

func gormRegistry() *orm.Registry {
	return orm.MustRegistry(&GUser{}, &GProfile{}, &GOrder{}, &GLanguage{})
}

func TestFromGormCRUD(t *testing.T) {
	e := setup(t, gormRegistry())
	ctx := e.ctx
	s := e.db.Session()
	defer s.Close()

	u := &GUser{Name: "Jinzhu", Email: "j@example.com"}
	s.Add(u)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.CreatedAt.IsZero() || u.Role != "member" {
		t.Fatalf("after the insert: %+v", u)
	}
	// "SkipDefaultTransaction: nothing to skip: a commit of a single
	// statement sends no BEGIN/COMMIT".
	for _, q := range e.cap.sqls() {
		if q == "BEGIN" || q == "COMMIT" {
			t.Errorf("a single-statement commit sent %s: %q", q, e.cap.sqls())
		}
	}
	age := 0
	u.Age = &age
	u.Role = "" // a change like any other
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT age, role FROM users WHERE id = $1`, u.ID)[0]; got[0] != int64(0) || got[1] != "" {
		t.Fatalf("age, role = %v, want 0 and empty", got)
	}

	// Bulk create through a repository: one INSERT for the lot.
	more := []*GUser{{Name: "a", Email: "a@x", Age: new(int)}, {Name: "b", Email: "b@x"}, {Name: "c", Email: "c@x"}}
	*more[0].Age = 30
	e.cap.reset()
	orm.NewRepository[GUser](s).Add(more...)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	inserts := 0
	for _, q := range e.cap.sqls() {
		if strings.HasPrefix(q, `INSERT INTO "users"`) {
			inserts++
			if !strings.Contains(q, "unnest") {
				t.Errorf("bulk insert without unnest: %s", q)
			}
		}
	}
	if inserts != 1 {
		t.Errorf("%d INSERTs for three users, want 1: %q", inserts, e.cap.sqls())
	}

	if got, err := orm.Get[GUser](ctx, s, u.ID); err != nil || got != u {
		t.Fatalf("Get: %v, %v: want the session's object", got, err)
	}
	first, err := orm.Query[GUser](s).Where("name = ?", "Jinzhu").OrderBy("id").First(ctx)
	if err != nil || first != u {
		t.Fatalf("First: %v, %v", first, err)
	}
	page, err := orm.Query[GUser](s).Where("age > ?", 18).OrderBy("-age").Limit(10).Offset(0).All(ctx)
	if err != nil || len(page) != 1 || page[0].Name != "a" {
		t.Fatalf("Where/OrderBy/Limit/Offset: %v, %v", page, err)
	}
	if n, err := orm.Query[GUser](s).Where("email LIKE ?", "%@x").Count(ctx); err != nil || n != 3 {
		t.Fatalf("Count: %d, %v", n, err)
	}
	if ok, err := orm.Query[GUser](s).Where("name = ?", "nobody").Exists(ctx); err != nil || ok {
		t.Fatalf("Exists: %v, %v", ok, err)
	}
	n := 0
	for x, err := range orm.Query[GUser](s).OrderBy("id").Iter(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if x == nil {
			t.Fatal("Iter yielded nil")
		}
		n++
	}
	if n != 4 {
		t.Fatalf("Iter: %d users, want 4", n)
	}

	// Statement-level update and delete.
	if k, err := orm.Update[GUser](s).Where("age IS NULL").Set("Role", "guest").Exec(ctx); err != nil || k != 2 {
		t.Fatalf("Update: %d, %v", k, err)
	}
	if more[1].Role != "guest" {
		t.Errorf("the session's object after Update: role %q, want guest (kept in step)", more[1].Role)
	}
	if _, err := orm.Delete[GUser](s).Exec(ctx); !errors.Is(err, orm.ErrNoCondition) {
		t.Fatalf("Delete without a condition: %v, want ErrNoCondition", err)
	}
	if k, err := s.Exec(ctx, "UPDATE users SET name = upper(name) WHERE email = ?", "c@x"); err != nil || k != 1 {
		t.Fatalf("Exec: %d, %v", k, err)
	}
	raw, err := orm.Raw[GUser](s, "SELECT * FROM users WHERE email = ?", "c@x").All(ctx)
	if err != nil || len(raw) != 1 {
		t.Fatalf("Raw: %v, %v", raw, err)
	}

	// Upsert as a statement.
	dup := &GUser{Name: "Jinzhu Two", Email: "j@example.com"}
	if _, err := orm.Insert(s, dup).OnConflict("Email").DoUpdate("Name").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Update, Exec and Insert run in the session's transaction: a GORM
	// user must commit them (docs/from-gorm.md says so).
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT count(*) FROM users WHERE role = 'guest' OR name = 'C'`)[0][0]; got != int64(2) {
		t.Fatalf("after Commit: %v rows updated by Update and Exec, want 2", got)
	}
	if got := e.rows(`SELECT count(*), min(name) FROM users WHERE email = 'j@example.com'`)[0]; got[0] != int64(1) || got[1] != "Jinzhu Two" {
		t.Fatalf("after the upsert: %v", got)
	}

	// Soft delete: gone from queries, there WithDeleted; HardDelete removes the row.
	s.Delete(more[2])
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if e.count("users") != 4 {
		t.Fatalf("a soft delete removed the row")
	}
	if n, _ := orm.Query[GUser](s).Count(ctx); n != 3 {
		t.Errorf("Count after a soft delete: %d, want 3", n)
	}
	if n, _ := orm.Query[GUser](s).WithDeleted().Count(ctx); n != 4 {
		t.Errorf("WithDeleted().Count: %d, want 4", n)
	}
	if _, err := orm.Delete[GUser](s).WithDeleted().Hard().Where("email = ?", "c@x").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if e.count("users") != 3 {
		t.Errorf("Hard delete left the row")
	}

	// Errors.
	if _, err := orm.Get[GUser](ctx, s, int64(999)); !errors.Is(err, orm.ErrNotFound) || !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("Get of a missing row: %v, want ErrNotFound matching pgx.ErrNoRows", err)
	}
	s.Add(&GUser{Name: "x", Email: "a@x"})
	err = s.Commit(ctx)
	var ce *orm.ConstraintError
	if !errors.Is(err, orm.ErrUniqueViolation) || !errors.As(err, &ce) || ce.Table != "users" || !slices.Equal(ce.Columns, []string{"email"}) {
		t.Errorf("duplicate email: %v (%+v), want a unique violation naming users.email", err, ce)
	}
}

func TestFromGormTransactionsAndAssociations(t *testing.T) {
	e := setup(t, gormRegistry())
	ctx := e.ctx
	boom := errors.New("boom")
	err := e.db.Transaction(ctx, func(s *orm.Session) error {
		s.Add(&GUser{Name: "rolled", Email: "r@x"})
		return boom
	})
	if !errors.Is(err, boom) || e.count("users") != 0 {
		t.Fatalf("Transaction returning an error: %v, %d users", err, e.count("users"))
	}
	en, fr := &GLanguage{Code: "en"}, &GLanguage{Code: "fr"}
	err = e.db.Transaction(ctx, func(s *orm.Session) error {
		u := &GUser{Name: "kept", Email: "k@x", Profile: &GProfile{},
			Orders: []*GOrder{{State: "open"}, {State: "cancelled"}}, Languages: []*GLanguage{en}}
		s.Add(u)
		_ = s.Nested(ctx, func(s *orm.Session) error {
			s.Add(&GUser{Name: "nested", Email: "n@x"})
			return boom
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM orders), (SELECT count(*) FROM profiles), (SELECT count(*) FROM user_languages)`)[0]; !slices.Equal(got, []any{int64(1), int64(2), int64(1), int64(1)}) {
		t.Fatalf("users, orders, profiles, user_languages = %v, want 1 2 1 1 (the savepoint rolled back)", got)
	}

	s := e.db.Session()
	defer s.Close()
	us, err := orm.Query[GUser](s).Load("Orders", orm.Where("state <> ?", "cancelled")).LoadJoined("Profile").All(ctx)
	if err != nil || len(us) != 1 || len(us[0].Orders) != 1 || us[0].Profile == nil {
		t.Fatalf("Load with a condition and LoadJoined: %v, %v", us, err)
	}
	u := us[0]
	if err := s.LoadRelated(ctx, u, "Languages"); err != nil || len(u.Languages) != 1 {
		t.Fatalf("LoadRelated: %v, %v", u.Languages, err)
	}
	u.Languages = append(u.Languages, fr)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count("user_languages"); n != 2 {
		t.Fatalf("after Append: %d user_languages rows, want 2", n)
	}
	u.Languages = nil // Clear
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count("user_languages"); n != 0 || e.count("languages") != 2 {
		t.Fatalf("after Clear: %d user_languages rows, %d languages; want 0 and 2", n, e.count("languages"))
	}
	has, err := orm.Query[GUser](s).Has("Orders", orm.Where("state = ?", "open")).Count(ctx)
	if err != nil || has != 1 {
		t.Fatalf("Has: %d, %v", has, err)
	}
	joined, err := orm.Query[GUser](s).Join("Profile").Where("? = ?", orm.Col("Profile.UserID"), u.ID).Count(ctx)
	if err != nil || joined != 1 {
		t.Fatalf("Join: %d, %v", joined, err)
	}
	type row struct {
		State string
		N     int64
	}
	rows, err := orm.Select[row](orm.Query[GOrder](s).GroupBy("State").Having("? > ?", orm.CountAll(), 0).OrderBy("State"), "State", orm.CountAll().As("n")).All(ctx)
	if err != nil || len(rows) != 2 || *rows[0] != (row{"cancelled", 1}) {
		t.Fatalf("Select/GroupBy/Having: %v, %v", rows, err)
	}
	// cascade:all on Orders: deleting the user deletes its orders.
	s.HardDelete(u)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM orders), (SELECT count(*) FROM profiles)`)[0]; !slices.Equal(got, []any{int64(0), int64(0), int64(0)}) {
		t.Fatalf("after deleting the user: %v", got)
	}
}
