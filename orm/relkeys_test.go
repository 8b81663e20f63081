package orm_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm"
	"github.com/crucible-orm/crucible/relation"
)

// Keys of every type the mapper accepts meet: a uuid held in a string, a
// [16]byte and a pgtype.UUID, integers of different widths, composite
// keys; through the identity map, loads and the foreign key sync.

// UDoc has a uuid key in a string.
type UDoc struct {
	ID     string    `orm:"pk,type:uuid,server_default:gen_random_uuid()"`
	Title  string    `orm:"unique"`
	Labels []*ULabel `rel:"many_to_many,secondary:udoc_labels,back_populates:Docs"`
	Notes  []*UNote  `rel:"one_to_many,back_populates:Doc,cascade:all|delete-orphan"`
}

func (UDoc) TableName() string { return "udocs" }

// ULabel has a uuid key in a [16]byte.
type ULabel struct {
	ID   [16]byte `orm:"pk,server_default:gen_random_uuid()"`
	Name string   `orm:"unique"`
	Docs []*UDoc  `rel:"many_to_many,secondary:udoc_labels,back_populates:Labels"`
}

func (ULabel) TableName() string { return "ulabels" }

// UNote has a pgtype.UUID foreign key to the string key of UDoc.
type UNote struct {
	ID    int64       `orm:"pk"`
	DocID pgtype.UUID `orm:"fk:udocs.id"`
	Body  string
	Doc   *UDoc `rel:"many_to_one,back_populates:Notes"`
}

func (UNote) TableName() string { return "unotes" }

// CUser and CGroup have composite keys of mixed types.
type CUser struct {
	TenantID int64     `orm:"pk,identity:none"`
	ID       int64     `orm:"pk,identity:none"`
	Name     string    `orm:"unique"`
	Groups   []*CGroup `rel:"many_to_many,secondary:cmembers,back_populates:Users"`
}

func (CUser) TableName() string { return "cusers" }

type CGroup struct {
	TenantID int32    `orm:"pk,identity:none"`
	Code     string   `orm:"pk"`
	Users    []*CUser `rel:"many_to_many,secondary:cmembers,back_populates:Groups"`
}

func (CGroup) TableName() string { return "cgroups" }

func keysRegistry() *orm.Registry {
	return orm.MustRegistry(&UDoc{}, &ULabel{}, &UNote{}, &CUser{}, &CGroup{})
}

func TestManyToManyKeyTypes(t *testing.T) {
	e := setup(t, keysRegistry())
	s := e.db.Session()
	defer s.Close()
	red, blue := &ULabel{Name: "red"}, &ULabel{Name: "blue"}
	d1 := &UDoc{Title: "one", Labels: []*ULabel{red, blue}, Notes: []*UNote{{Body: "n1"}, {Body: "n2"}}}
	d2 := &UDoc{Title: "two", Labels: []*ULabel{red}}
	ann := &CUser{TenantID: 1, ID: 10, Name: "ann"}
	g1, g2 := &CGroup{TenantID: 1, Code: "ops"}, &CGroup{TenantID: 1, Code: "dev"}
	ann.Groups = []*CGroup{g1, g2}
	bob := &CUser{TenantID: 1, ID: 11, Name: "bob", Groups: []*CGroup{g2}}
	s.Add(d1, d2, ann, bob)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if d1.Notes[0].DocID.Bytes == ([16]byte{}) || !d1.Notes[0].DocID.Valid || d1.Notes[0].Doc != d1 {
		t.Fatalf("note key not synced from the string uuid: %+v", d1.Notes[0].DocID)
	}
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("a second commit sent %q (%v): keys of different Go types compare unequal", e.cap.sqls(), err)
	}

	for _, tc := range []struct {
		name  string
		load  func(s *orm.Session) error
		check func(t *testing.T)
	}{
		{"string uuid owner to [16]byte targets", func(s *orm.Session) error {
			docs, err := orm.Query[UDoc](s).Load("Labels", "Notes").OrderBy("title").All(e.ctx)
			if err == nil && (len(docs) != 2 || len(docs[0].Labels) != 2 || len(docs[1].Labels) != 1 || len(docs[0].Notes) != 2) {
				err = errors.New("wrong counts")
			}
			if err == nil && docs[0].Labels[0] != docs[1].Labels[0] && docs[0].Labels[1] != docs[1].Labels[0] {
				err = errors.New("the shared label is two objects")
			}
			return err
		}, nil},
		{"[16]byte owner to string uuid targets", func(s *orm.Session) error {
			labels, err := orm.Query[ULabel](s).Load("Docs").OrderBy("name").All(e.ctx)
			if err == nil && (len(labels) != 2 || len(labels[0].Docs) != 1 || len(labels[1].Docs) != 2) {
				err = errors.New("wrong counts")
			}
			return err
		}, nil},
		{"pgtype.UUID child to string uuid parent", func(s *orm.Session) error {
			notes, err := orm.Query[UNote](s).Load("Doc").All(e.ctx)
			if err == nil && (len(notes) != 2 || notes[0].Doc == nil || notes[0].Doc != notes[1].Doc || notes[0].Doc.Title != "one") {
				err = errors.New("notes not stitched to their doc")
			}
			return err
		}, nil},
		{"composite keys both ways", func(s *orm.Session) error {
			users, err := orm.Query[CUser](s).Load("Groups").OrderBy("id").All(e.ctx)
			if err != nil {
				return err
			}
			groups, err := orm.Query[CGroup](s).Load("Users").OrderBy("code").All(e.ctx)
			if err == nil && (len(users[0].Groups) != 2 || len(users[1].Groups) != 1 || len(groups[0].Users) != 2 || len(groups[1].Users) != 1) {
				err = errors.New("wrong counts")
			}
			return err
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			other := e.db.Session()
			defer other.Close()
			if err := tc.load(other); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("remove and add by composite key", func(t *testing.T) {
		other := e.db.Session()
		defer other.Close()
		u, err := orm.Query[CUser](other).Where("name = ?", "ann").Load("Groups").One(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		dev := u.Groups[slices.IndexFunc(u.Groups, func(g *CGroup) bool { return g.Code == "dev" })]
		u.Groups = slices.DeleteFunc(u.Groups, func(g *CGroup) bool { return g == dev })
		u.Groups = append(u.Groups, &CGroup{TenantID: 1, Code: "qa"})
		if err := other.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		rows := e.rows(`SELECT c_group_code FROM cmembers WHERE c_user_id = 10 ORDER BY 1`)
		if len(rows) != 2 || rows[0][0] != "ops" || rows[1][0] != "qa" || slices.Contains(dev.Users, u) {
			t.Fatalf("ann's groups: %v", rows)
		}
	})
	t.Run("uuid given as text finds the held object", func(t *testing.T) {
		got, err := orm.Get[UDoc](e.ctx, s, strings.ToUpper(d1.ID))
		if err != nil || got != d1 {
			t.Fatalf("Get by the upper-case uuid: %v, same %v", err, got == d1)
		}
	})
}

// A foreign key whose Go type cannot hold the key it references is found
// at registration, even when the column types agree (a string field
// declared bigint).
type BadRefParent struct {
	ID   int64          `orm:"pk"`
	Kids []*BadRefChild `rel:"one_to_many,back_populates:Parent"`
}

type BadRefChild struct {
	ID       int64         `orm:"pk"`
	ParentID string        `orm:"type:bigint,fk:bad_ref_parents.id"`
	Parent   *BadRefParent `rel:"many_to_one,back_populates:Kids"`
}

func TestForeignKeyTypeMismatch(t *testing.T) {
	_, err := orm.NewRegistry(&BadRefParent{}, &BadRefChild{})
	var re *relation.RelationError
	if !errors.Is(err, relation.ErrKeyType) || !errors.As(err, &re) || !strings.Contains(err.Error(), "parent_id") {
		t.Fatalf("err = %v, want a RelationError matching ErrKeyType", err)
	}
}
