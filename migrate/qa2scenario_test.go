package migrate_test

import (
	"context"
	"errors"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

// Scenarios from docs/models.md ("Indexes"), written as a new user would:
// its models as the page declares them, from an empty database up, the
// catalog read by plain SQL, nothing left to do, and nothing left after
// the downgrade.

type DocFilm struct {
	FilmID   int32     `orm:"pk,type:serial"`
	Title    string    `orm:"index:idx_title,index:idx_title_pattern,opclass:text_pattern_ops"`
	Features *[]string `orm:"type:text[],index:idx_special_features,using:gin"`
	Fulltext string    `orm:"type:tsvector,index:film_fulltext_idx,using:gist"`
}

func (DocFilm) TableName() string { return "film" }

type DocRental struct {
	RentalID    int32     `orm:"pk,type:serial"`
	RentalDate  time.Time `orm:"unique_index:idx_unq_rental,position:1,index:idx_rental_date_brin,using:brin"`
	InventoryID int32     `orm:"unique_index:idx_unq_rental,position:2"`
	CustomerID  int16     `orm:"unique_index:idx_unq_rental,position:3"`
}

func (DocRental) TableName() string { return "rental" }

type DocCustomer struct {
	CustomerID int32  `orm:"pk,type:serial"`
	StoreID    int16  `orm:"index:idx_active_customers,position:1,where:activebool"`
	LastName   string `orm:"index:idx_active_customers,position:2"`
	Activebool bool   `orm:"default:true,server_default:true"`
}

func (DocCustomer) TableName() string { return "customer" }

func TestModelsDocIndexes(t *testing.T) {
	h := newHistory(t)
	meta := mapModels(t, &DocFilm{}, &DocRental{}, &DocCustomer{})
	h.revise(meta, "indexes")
	h.upgrade(meta, migrate.Head)
	got := h.strings(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%pkey' AND indexname NOT LIKE 'pk_%' ORDER BY indexname`)
	want := []string{
		"CREATE INDEX film_fulltext_idx ON public.film USING gist (fulltext)",
		"CREATE INDEX idx_active_customers ON public.customer USING btree (store_id, last_name) WHERE activebool",
		"CREATE INDEX idx_rental_date_brin ON public.rental USING brin (rental_date)",
		"CREATE INDEX idx_special_features ON public.film USING gin (features)",
		"CREATE INDEX idx_title ON public.film USING btree (title)",
		"CREATE INDEX idx_title_pattern ON public.film USING btree (title text_pattern_ops)",
		"CREATE UNIQUE INDEX idx_unq_rental ON public.rental USING btree (rental_date, inventory_id, customer_id)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("indexes:\n%q\nwant\n%q", got, want)
	}
	h.assertClean(meta, "after upgrade")
	h.downgrade(meta, migrate.Base)
	h.assertEmptySchema()
}

// "Only a btree index can be unique …, and a hash or spgist index takes
// one column; the mapper says so at registration"; "position:N … for
// every column of the index or for none"; two different methods of one
// named index are an error.
func TestModelsDocIndexMistakes(t *testing.T) {
	type UniqueGin struct {
		ID   int64
		Tags []string `orm:"unique_index:ux_tags,using:gin"`
	}
	type HashTwo struct {
		ID int64
		A  string `orm:"index:ix_ab,using:hash"`
		B  string `orm:"index:ix_ab"`
	}
	type SomePositions struct {
		ID int64
		A  string `orm:"index:ix_ab,position:2"`
		B  string `orm:"index:ix_ab"`
	}
	type TwoMethods struct {
		ID int64
		A  string `orm:"index:ix_ab,using:btree"`
		B  string `orm:"index:ix_ab,using:hash"`
	}
	type BadMethod struct {
		ID int64
		A  string `orm:"index,using:fulltext"`
	}
	for _, tc := range []struct {
		name  string
		model any
	}{
		{"unique gin", &UniqueGin{}},
		{"hash of two columns", &HashTwo{}},
		{"position on some columns", &SomePositions{}},
		{"two methods", &TwoMethods{}},
		{"unknown method", &BadMethod{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := schema.NewMapper().MapAll(tc.model)
			if err == nil {
				t.Fatal("mapped without an error")
			}
			if !errors.Is(err, schema.ErrBadValue) {
				t.Errorf("%v: want ErrBadValue", err)
			}
		})
	}
}

// "A column may use a domain or any other type by name (type:year); the
// type itself is yours to create, with an Execute in a revision"
// (docs/migrations.md): an enum type made by hand and named by a model's
// column is no false difference, is not reported as unmanaged, and is
// never dropped, even with DropUnmanaged.
type HandMoodUser struct {
	ID   int64
	Mood *string `orm:"type:handmood"`
}

func (HandMoodUser) TableName() string { return "mood_users" }

func TestEnumTypeNamedByAColumn(t *testing.T) {
	h := newHistory(t)
	ctx := context.Background()
	if _, err := h.pool.Exec(ctx, `CREATE TYPE handmood AS ENUM ('ok', 'meh')`); err != nil {
		t.Fatal(err)
	}
	meta := mapModels(t, &HandMoodUser{})
	h.revise(meta, "mood users")
	h.upgrade(meta, migrate.Head)
	if _, err := h.pool.Exec(ctx, `INSERT INTO mood_users (mood) VALUES ('meh')`); err != nil {
		t.Fatal(err)
	}
	for _, scope := range []migrate.Scope{{}, {DropUnmanaged: true}} {
		d, err := h.runner(meta, migrate.WithScope(scope)).Autogenerate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Empty() || len(d.Unmanaged) != 0 {
			t.Errorf("scope %+v: ops %q, unmanaged %q; want nothing", scope, opNames(d.Ops), objectNames(d.Unmanaged))
		}
	}
	h.downgrade(meta, migrate.Base)
	if n := h.count(`SELECT count(*) FROM pg_type WHERE typname = 'handmood'`); n != 1 {
		t.Errorf("handmood gone after the downgrade")
	}
}

// A database whose version table names a revision the set lacks (migrated
// by a newer build, or the wrong -dir) is an error, exit 2, not "pending":
// upgrading would not help, and docs/migrations.md lists
// UnknownRevisionError for "the version table names a revision the set
// lacks".
func TestCheckUnknownRevisionInTheVersionTable(t *testing.T) {
	url := pgtest.New(t)
	var revs []migrate.Revision
	for _, rev := range simpleSet().Revisions() {
		revs = append(revs, *rev)
	}
	newer := migrate.NewSet(append(revs, migrate.Revision{ID: "z9", Down: revs[len(revs)-1].ID, Message: "newer"})...)
	if _, errOut, code := run(nil, newer, "upgrade", "head", "-database-url", url); code != 0 {
		t.Fatalf("upgrade: exit %d: %s", code, errOut)
	}
	r := migrate.NewRunner(openPool(t, url), simpleSet(), migrate.WithMetadata(thingsMeta(t)))
	for _, call := range []struct {
		name string
		run  func() error
	}{
		{"Check", func() error { _, err := r.Check(context.Background()); return err }},
		{"Autogenerate", func() error { _, err := r.Autogenerate(context.Background()); return err }},
	} {
		var unknown *migrate.UnknownRevisionError
		if err := call.run(); !errors.As(err, &unknown) || unknown.Revision != "z9" || errors.Is(err, migrate.ErrNotUpToDate) {
			t.Errorf("%s: %v, want an UnknownRevisionError naming z9", call.name, err)
		}
	}
	out, errOut, code := run(thingsMeta(t), simpleSet(), "check", "-json", "-database-url", url)
	if code != 2 || !strings.Contains(out, `"status":"error"`) || !strings.Contains(errOut, `unknown revision "z9"`) {
		t.Errorf("check -json: exit %d, stdout %q, stderr %q; want exit 2, status error", code, out, errOut)
	}
}

// "migrate.Compare(live, want, scope), which knows no revisions, drops a
// table or type that want lacks only with DropUnmanaged."
func TestCompareDropsOnlyWithDropUnmanaged(t *testing.T) {
	status := &schema.Enum{Name: "status", Values: []string{"a"}}
	live := meta(t, []*schema.Enum{status}, table("things", col("id", "integer")), table("invoices", col("id", "integer")))
	want := meta(t, nil, table("things", col("id", "integer")))
	d, err := migrate.Compare(live, want, migrate.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Empty() || !slices.Equal(objectNames(d.Unmanaged), []string{"table invoices", "type status"}) {
		t.Errorf("default scope: ops %q, unmanaged %q", opNames(d.Ops), objectNames(d.Unmanaged))
	}
	d, err = migrate.Compare(live, want, migrate.Scope{DropUnmanaged: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := opNames(d.Ops); !slices.Equal(got, []string{"drop table invoices", "drop enum status"}) || len(d.Unmanaged) != 0 {
		t.Errorf("DropUnmanaged: ops %q, unmanaged %q", got, objectNames(d.Unmanaged))
	}
	if _, err := migrate.Compare(live, want, migrate.Scope{Exclude: []string{"a[b"}}); !errors.Is(err, path.ErrBadPattern) {
		t.Errorf("a malformed pattern: %v, want path.ErrBadPattern", err)
	}
}
