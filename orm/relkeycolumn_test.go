package orm_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// Foreign key columns the program writes itself, instead of (or besides)
// the reference: the value it wrote stands, no later flush takes it back
// or reads the untouched nil reference as an orphan, and after the flush
// both sides of the relationship follow the key.

// setParentID writes child's ParentID column (int64 or *int64), NULL when
// id is 0.
func setParentID(child any, id int64) {
	f := reflect.ValueOf(child).Elem().FieldByName("ParentID")
	switch {
	case f.Kind() == reflect.Int64:
		f.SetInt(id)
	case id == 0:
		f.SetZero()
	default:
		f.Set(reflect.ValueOf(&id))
	}
}

// keyFixture is a parent a with children, a parent z without, both loaded
// with every relationship in a fresh session.
func keyFixture(t *testing.T, e *env, k relKind) (s *orm.Session, a, z *KParent) {
	t.Helper()
	fixtureSeq++
	a, z = &KParent{Name: fmt.Sprint("a", fixtureSeq)}, &KParent{Name: fmt.Sprint("z", fixtureSeq)}
	k.add(a)
	seed := e.db.Session()
	seed.Add(a, z)
	if err := seed.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	s = e.db.Session()
	t.Cleanup(func() { s.Close() })
	ps, err := orm.Query[KParent](s).Where("id = ANY(?)", []int64{a.ID, z.ID}).OrderBy("id").
		Load("Kids", "Pets", "Toys", "Badge", "Seat").All(e.ctx)
	if err != nil || len(ps) != 2 {
		t.Fatalf("load: %d parents, %v", len(ps), err)
	}
	e.cap.reset()
	return s, ps[0], ps[1]
}

// TestChildAddedByKey: a new child given only its parent's key (the
// reference left nil) is inserted with it, later flushes leave it alone
// (its nil reference was never loaded, so it is no orphan), and the held
// parent's loaded field holds it.
func TestChildAddedByKey(t *testing.T) {
	e := setup(t, kindRegistry())
	for _, k := range relKinds() {
		t.Run(k.name, func(t *testing.T) {
			s, _, z := keyFixture(t, e, k)
			c := k.add(&KParent{}) // a new child, attached to nothing held
			setParentID(c, z.ID)
			s.Add(c)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			e.cap.reset()
			if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
				t.Fatalf("second commit: %v, %q", err, e.cap.sqls())
			}
			if !k.in(z, c) || k.ref(c) != z {
				t.Fatalf("in z's field %v, reference to z %v", k.in(z, c), k.ref(c) == z)
			}
			if k.unique {
				return
			}
			s2 := e.db.Session() // again with the parent's field not loaded
			defer s2.Close()
			if _, err := orm.Get[KParent](e.ctx, s2, z.ID); err != nil {
				t.Fatal(err)
			}
			c2 := k.add(&KParent{})
			setParentID(c2, z.ID)
			s2.Add(c2)
			if err := s2.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			e.cap.reset()
			if err := s2.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
				t.Fatalf("second commit: %v, %q", err, e.cap.sqls())
			}
			fx := &fixture{e: e, k: k}
			for _, id := range []int64{k.id(c), k.id(c2)} {
				if got, ok := fx.parentOf(id); !ok || got != z.ID {
					t.Fatalf("child row %d: parent %v, exists %v", id, got, ok)
				}
			}
		})
	}
}

// TestKeyWrittenByTheProgram: a loaded child whose key column the program
// points at another parent is moved by that one UPDATE; afterwards it is in
// the new parent's field, its reference names it, and the next flush sends
// nothing (it does not put the reference's old parent back).
func TestKeyWrittenByTheProgram(t *testing.T) {
	e := setup(t, kindRegistry())
	for _, k := range relKinds() {
		for _, ch := range []struct {
			name   string
			change func(a, z *KParent, c any)
		}{
			{"key only", func(_, z *KParent, c any) { setParentID(c, z.ID) }},
			{"key and removed from the old field", func(a, z *KParent, c any) {
				setParentID(c, z.ID)
				k.remove(a, c)
			}},
		} {
			t.Run(k.name+"/"+ch.name, func(t *testing.T) {
				s, a, z := keyFixture(t, e, k)
				c := k.list(a)[0]
				ch.change(a, z, c)
				if err := s.Commit(e.ctx); err != nil {
					t.Fatal(err)
				}
				fx := &fixture{e: e, k: k}
				if got, ok := fx.parentOf(k.id(c)); !ok || got != z.ID || len(e.statements("UPDATE", "DELETE")) != 1 {
					t.Fatalf("child row: parent %v, exists %v; sent %q", got, ok, e.cap.sqls())
				}
				if !k.in(z, c) || k.in(a, c) || k.ref(c) != z {
					t.Fatalf("in z %v, in a %v, reference to z %v", k.in(z, c), k.in(a, c), k.ref(c) == z)
				}
				e.cap.reset()
				if err := s.Commit(e.ctx); err != nil || len(e.cap.sqls()) != 0 {
					t.Fatalf("second commit: %v, %q", err, e.cap.sqls())
				}
			})
		}
	}
}
