package orm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm"
)

// VArticle is versioned (optimistic locking); its sections follow Merge.
type VArticle struct {
	ID        int64       `orm:"pk"`
	Title     string      `orm:"unique"`
	Body      string      `orm:"default:''"`
	CreatedAt time.Time   `orm:"server_default:now()"`
	Version   int64       `orm:"version"`
	Sections  []*VSection `rel:"one_to_many,back_populates:Article,cascade:all|delete-orphan,order_by:id"`
}

func (VArticle) TableName() string { return "varticles" }

type VSection struct {
	ID        int64     `orm:"pk"`
	ArticleID int64     `orm:"fk:varticles.id"`
	Heading   string    `orm:"default:''"`
	Article   *VArticle `rel:"many_to_one,back_populates:Sections"`
}

func (VSection) TableName() string { return "vsections" }

// seedArticle commits an article with two sections and returns it as a
// detached copy (its session closed).
func seedArticle(t *testing.T, e *env, title string) *VArticle {
	t.Helper()
	s := e.db.Session()
	defer s.Close()
	a := &VArticle{Title: title, Body: "body", Sections: []*VSection{{Heading: "one"}, {Heading: "two"}}}
	s.Add(a)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	e.cap.reset()
	return a
}

func TestMerge(t *testing.T) {
	e := setup(t, orm.MustRegistry(&VArticle{}, &VSection{}))
	for _, tc := range []struct {
		name  string
		merge func(t *testing.T, s *orm.Session, a *VArticle) error
		check func(t *testing.T, a *VArticle)
	}{
		{"a child pointing at an older copy of the root does not undo the root's change", func(t *testing.T, s *orm.Session, a *VArticle) error {
			old := &VArticle{ID: a.ID, Title: a.Title, Body: "old body"}
			in := &VArticle{ID: a.ID, Title: a.Title, Body: "new body", Sections: []*VSection{{ID: a.Sections[0].ID, Heading: "edited", Article: old}}}
			_, err := orm.Merge(e.ctx, s, in)
			return err
		}, func(t *testing.T, a *VArticle) {
			row := e.rows(`SELECT body FROM varticles WHERE id = $1`, a.ID)[0]
			secs := e.rows(`SELECT heading FROM vsections WHERE article_id = $1 ORDER BY id`, a.ID)
			if row[0] != "new body" || len(secs) != 1 || secs[0][0] != "edited" {
				t.Fatalf("body %v, sections %v", row[0], secs)
			}
		}},
		{"a stale version changes nothing", func(t *testing.T, s *orm.Session, a *VArticle) error {
			e.exec(`UPDATE varticles SET body = 'by someone else', version = version + 1 WHERE id = $1`, a.ID)
			in := &VArticle{ID: a.ID, Title: a.Title, Body: "mine", Version: a.Version}
			_, err := orm.Merge(e.ctx, s, in)
			var sd *orm.StaleDataError
			if !errors.As(err, &sd) || !errors.Is(err, orm.ErrStaleData) || sd.Version != a.Version || sd.Stored != a.Version+1 {
				t.Fatalf("merge = %v, want a StaleDataError with both versions", err)
			}
			return nil
		}, func(t *testing.T, a *VArticle) {
			if got := e.rows(`SELECT body FROM varticles WHERE id = $1`, a.ID)[0][0]; got != "by someone else" {
				t.Fatalf("body %v", got)
			}
		}},
		{"a stale child version changes nothing, root included", func(t *testing.T, s *orm.Session, a *VArticle) error {
			e.exec(`UPDATE varticles SET version = version + 1 WHERE id = $1`, a.ID)
			in := &VArticle{ID: a.ID, Title: a.Title, Body: "mine"}
			in.Sections = []*VSection{{ID: a.Sections[0].ID, Heading: "x", Article: &VArticle{ID: a.ID, Version: a.Version}}}
			if _, err := orm.Merge(e.ctx, s, in); !errors.Is(err, orm.ErrStaleData) {
				t.Fatalf("merge = %v, want ErrStaleData", err)
			}
			return nil
		}, func(t *testing.T, a *VArticle) {
			if got := e.rows(`SELECT body FROM varticles WHERE id = $1`, a.ID)[0][0]; got != "body" {
				t.Fatalf("body %v", got)
			}
		}},
		{"the current version merges", func(t *testing.T, s *orm.Session, a *VArticle) error {
			_, err := orm.Merge(e.ctx, s, &VArticle{ID: a.ID, Title: a.Title, Body: "mine", Version: a.Version})
			return err
		}, func(t *testing.T, a *VArticle) {
			row := e.rows(`SELECT body, version FROM varticles WHERE id = $1`, a.ID)[0]
			if row[0] != "mine" || row[1] != a.Version+1 {
				t.Fatalf("row %v", row)
			}
		}},
		{"MergeNonZero keeps what the copy left out", func(t *testing.T, s *orm.Session, a *VArticle) error {
			_, err := orm.Merge(e.ctx, s, &VArticle{ID: a.ID, Body: "patched"}, orm.MergeNonZero())
			return err
		}, func(t *testing.T, a *VArticle) {
			row := e.rows(`SELECT title, body, created_at FROM varticles WHERE id = $1`, a.ID)[0]
			if row[0] != a.Title || row[1] != "patched" || !row[2].(time.Time).Equal(a.CreatedAt) {
				t.Fatalf("row %v (created %v)", row, a.CreatedAt)
			}
		}},
		{"MergeFields copies only the named fields", func(t *testing.T, s *orm.Session, a *VArticle) error {
			_, err := orm.Merge(e.ctx, s, &VArticle{ID: a.ID, Title: "ignored", Body: ""}, orm.MergeFields("Body"))
			return err
		}, func(t *testing.T, a *VArticle) {
			row := e.rows(`SELECT title, body FROM varticles WHERE id = $1`, a.ID)[0]
			secs := e.count("vsections")
			if row[0] != a.Title || row[1] != "" || secs == 0 {
				t.Fatalf("row %v, sections %d", row, secs)
			}
		}},
		{"MergeFields with an unknown name", func(t *testing.T, s *orm.Session, a *VArticle) error {
			if _, err := orm.Merge(e.ctx, s, &VArticle{ID: a.ID}, orm.MergeFields("Nope")); !errors.Is(err, orm.ErrUnknownColumn) {
				t.Fatalf("merge = %v, want ErrUnknownColumn", err)
			}
			return nil
		}, func(t *testing.T, a *VArticle) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := seedArticle(t, e, tc.name)
			s := e.db.Session()
			defer s.Close()
			if err := tc.merge(t, s, a); err != nil {
				t.Fatal(err)
			}
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			tc.check(t, a)
		})
	}
}
