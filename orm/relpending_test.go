package orm_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// TestPendingChildLetGo: a new child that came into the session with its
// new parent (the save-update cascade of s.Add) and was taken out of the
// parent's field before the first flush. Under delete-orphan it is never
// inserted: it leaves the session, as Delete of a pending object does
// (SQLAlchemy expunges such a pending orphan too). With a nullable key it
// is inserted without a parent; with a NOT NULL key and no delete-orphan
// the flush fails with an *OrphanError naming the field, and writes
// nothing.
func TestPendingChildLetGo(t *testing.T) {
	e := setup(t, kindRegistry())
	for _, k := range relKinds() {
		t.Run(k.name, func(t *testing.T) {
			fixtureSeq++
			p := &KParent{Name: fmt.Sprint("p", fixtureSeq)}
			c := k.add(p)
			s := e.db.Session()
			defer s.Close()
			s.Add(p)
			k.remove(p, c)
			before := e.count(k.table)
			e.cap.reset()
			err := s.Commit(e.ctx)
			switch k.orphan {
			case orphanDeleted:
				if err != nil || s.Status(c) != orm.Transient || k.id(c) != 0 || e.count(k.table) != before {
					t.Fatalf("err %v; the orphan is %v with id %d; rows %d, want %d", err, s.Status(c), k.id(c), e.count(k.table), before)
				}
			case orphanNulled:
				got, ok := (&fixture{e: e, k: k}).parentOf(k.id(c))
				if err != nil || !ok || got != nil {
					t.Fatalf("err %v; the orphan's row: parent %v, exists %v", err, got, ok)
				}
			case orphanError:
				var oe *orm.OrphanError
				if !errors.As(err, &oe) || !errors.Is(err, orm.ErrOrphan) || oe.Relation != "orm_test.KParent."+k.field {
					t.Fatalf("err = %v, want an OrphanError naming KParent.%s", err, k.field)
				}
				if w := e.statements("INSERT", "UPDATE", "DELETE"); len(w) != 0 || s.Status(p) != orm.Pending {
					t.Fatalf("wrote %q; parent %v", w, s.Status(p))
				}
				return
			}
			if s.Status(p) != orm.Persistent || k.in(p, c) {
				t.Fatalf("parent %v; still holds the child %v", s.Status(p), k.in(p, c))
			}
		})
	}
}
