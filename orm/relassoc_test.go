package orm_test

import (
	"errors"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// The association-object pattern exactly as docs/relationships.md writes
// it: a Student with no column but its key, an Enrollment whose primary
// key is made of its two foreign keys.
type AStudent struct {
	ID          int64          `orm:"pk"`
	Enrollments []*AEnrollment `rel:"one_to_many,back_populates:Student,cascade:all|delete-orphan"`
}

type ACourse struct {
	ID          int64 `orm:"pk"`
	Title       string
	Enrollments []*AEnrollment `rel:"one_to_many,back_populates:Course"`
}

type AEnrollment struct {
	StudentID int64 `orm:"pk,fk:a_students.id,ondelete:cascade"`
	CourseID  int64 `orm:"pk,fk:a_courses.id,ondelete:cascade"`
	Grade     *string
	Student   *AStudent `rel:"many_to_one,back_populates:Enrollments"`
	Course    *ACourse  `rel:"many_to_one,back_populates:Enrollments"`
}

// TestAssociationObjectKeys: several rows with no column to send are
// inserted (one INSERT … DEFAULT VALUES each), and moving a link object
// to another parent — which would change its primary key — is refused
// with ErrKeyChanged before anything is written, from either side.
func TestAssociationObjectKeys(t *testing.T) {
	e := setup(t, orm.MustRegistry(&AStudent{}, &ACourse{}, &AEnrollment{}))
	s := e.db.Session()
	defer s.Close()
	alice, bob, algebra := &AStudent{}, &AStudent{}, &ACourse{Title: "algebra"}
	s.Add(&AEnrollment{Student: alice, Course: algebra, Grade: ptr("A")}, bob)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if alice.ID == 0 || bob.ID == 0 || alice.ID == bob.ID || e.count("a_students") != 2 {
		t.Fatalf("students %d and %d, %d rows", alice.ID, bob.ID, e.count("a_students"))
	}
	for _, tc := range []struct {
		name string
		move func(en *AEnrollment)
	}{
		{"reference pointed at another student", func(en *AEnrollment) { en.Student = bob }},
		{"appended to another student's collection", func(en *AEnrollment) { bob.Enrollments = append(bob.Enrollments, en) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s2 := e.db.Session()
			defer s2.Close()
			en, err := orm.Query[AEnrollment](s2).Load("Student").One(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			bob, _ = orm.Get[AStudent](e.ctx, s2, bob.ID)
			e.cap.reset()
			tc.move(en)
			if err := s2.Commit(e.ctx); !errors.Is(err, orm.ErrKeyChanged) {
				t.Fatalf("err = %v, want ErrKeyChanged", err)
			}
			if w := e.statements("INSERT", "UPDATE", "DELETE", "WITH"); len(w) != 0 {
				t.Fatalf("wrote %q", w)
			}
			if rows := e.rows(`SELECT student_id FROM a_enrollments`); len(rows) != 1 || rows[0][0] != alice.ID {
				t.Fatalf("enrollments %v", rows)
			}
		})
	}
}
