package orm_test

import (
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// Relationships without the delete cascade whose foreign key has an
// ON DELETE action: the database removes (CASCADE) or detaches (SET NULL)
// the children of a deleted parent.
type PFolder struct {
	ID    int64    `orm:"pk"`
	Files []*PFile `rel:"one_to_many,back_populates:Folder"`
	Notes []*PNote `rel:"one_to_many,back_populates:Folder"`
}

type PFile struct {
	ID       int64    `orm:"pk"`
	FolderID int64    `orm:"fk:p_folders.id,ondelete:cascade"`
	Folder   *PFolder `rel:"many_to_one,back_populates:Files"`
	Name     string
}

type PNote struct {
	ID       int64    `orm:"pk"`
	FolderID *int64   `orm:"fk:p_folders.id,ondelete:set null"`
	Folder   *PFolder `rel:"many_to_one,back_populates:Notes"`
	Name     string
}

// TestDeleteParentOfPassiveChildren: after the parent's delete, the
// children the session holds agree with the database (gone, or without a
// key), and later commits neither fail nor send anything for them —
// whether the parent's collection was loaded or the children were loaded
// on their own.
func TestDeleteParentOfPassiveChildren(t *testing.T) {
	e := setup(t, orm.MustRegistry(&PFolder{}, &PFile{}, &PNote{}))
	for _, tc := range []struct {
		name string
		load func(s *orm.Session, id int64) (*PFolder, []*PFile, []*PNote)
	}{
		{"collections loaded", func(s *orm.Session, id int64) (*PFolder, []*PFile, []*PNote) {
			f, err := orm.Query[PFolder](s).Where("id = ?", id).Load("Files", "Notes").One(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return f, f.Files, f.Notes
		}},
		{"children loaded with their reference", func(s *orm.Session, id int64) (*PFolder, []*PFile, []*PNote) {
			files, err := orm.Query[PFile](s).Where("folder_id = ?", id).Load("Folder").All(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			notes, err := orm.Query[PNote](s).Where("folder_id = ?", id).Load("Folder").All(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return files[0].Folder, files, notes
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := e.db.Session()
			f := &PFolder{Files: []*PFile{{Name: "a"}, {Name: "b"}}, Notes: []*PNote{{Name: "n"}}}
			seed.Add(f)
			if err := seed.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			seed.Close()
			s := e.db.Session()
			defer s.Close()
			folder, files, notes := tc.load(s, f.ID)
			s.Delete(folder)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if rows := e.rows(`SELECT (SELECT count(*) FROM p_files WHERE folder_id = $1), (SELECT count(*) FROM p_notes WHERE id = $2 AND folder_id IS NULL)`,
				f.ID, notes[0].ID); rows[0][0] != int64(0) || rows[0][1] != int64(1) {
				t.Fatalf("files of the folder, detached note: %v", rows)
			}
			notes[0].Name = "edited"
			s.Add(&PFolder{})
			e.cap.reset()
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			if w := e.statements("INSERT", "UPDATE", "DELETE", "WITH"); len(w) != 2 {
				t.Fatalf("later commit sent %q, want the new folder and the note's name", w)
			}
			if rows := e.rows(`SELECT name, folder_id FROM p_notes WHERE id = $1`, notes[0].ID); rows[0][0] != "edited" || rows[0][1] != nil {
				t.Fatalf("note %v", rows)
			}
			if notes[0].Folder != nil || s.Status(files[0]) == orm.Persistent && files[0].Folder != nil {
				t.Fatal("a child still names the deleted folder")
			}
		})
	}
}
