package orm

import (
	"context"
	"errors"
	"math/bits"
	"reflect"
	"testing"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// These tests drive the flush's row-level seams through a plain
// many_to_one: a child row whose foreign key is copied from a parent
// generated in the same flush.

type hookParent struct {
	ID   int64 `orm:"pk"`
	Name string
}

type hookChild struct {
	ID       int64       `orm:"pk"`
	ParentID int64       `orm:"fk:hook_parents.id"`
	Note     string      `orm:"check:note <> 'bad'"`
	Parent   *hookParent `rel:"many_to_one"`
}

var typeOfParent = reflect.TypeFor[hookParent]()

func hookDB(t *testing.T) (*DB, context.Context) {
	ctx := context.Background()
	reg, err := NewRegistry(&hookParent{}, &hookChild{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, pgtest.New(t), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.CreateAll(ctx); err != nil {
		t.Fatal(err)
	}
	return db, ctx
}

func TestSyncGeneratedKey(t *testing.T) {
	db, ctx := hookDB(t)
	s := db.Session()
	defer s.Close()
	p := &hookParent{Name: "p"}
	c1 := &hookChild{Parent: p, Note: "one"}
	c2 := &hookChild{Parent: p, Note: "two"}
	s.Add(c1, c2) // the parent comes in through the cascade
	if got := s.Status(p); got != Pending {
		t.Fatalf("parent status %v, want pending", got)
	}
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if p.ID == 0 || c1.ParentID != p.ID || c2.ParentID != p.ID {
		t.Fatalf("keys not synced: parent %d, children %d %d", p.ID, c1.ParentID, c2.ParentID)
	}
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM hook_children WHERE parent_id = $1`, p.ID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("children in the database: %d, %v", n, err)
	}

	t.Run("a failure after the parent's insert restores both", func(t *testing.T) {
		p2 := &hookParent{Name: "p2"}
		bad := &hookChild{Parent: p2, Note: "bad"}
		s.Add(bad)
		err := s.Commit(ctx)
		if !errors.Is(err, ErrCheckViolation) {
			t.Fatalf("err = %v, want a check violation", err)
		}
		if p2.ID != 0 || bad.ParentID != 0 || s.Status(p2) != Pending {
			t.Fatalf("not restored: parent %d (%v), child fk %d", p2.ID, s.Status(p2), bad.ParentID)
		}
		bad.Note = "good"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if bad.ParentID != p2.ID || p2.ID == 0 {
			t.Fatalf("retry: parent %d, child fk %d", p2.ID, bad.ParentID)
		}
	})
}

// TestCycle checks the plan's cycle report: two rows that each claim to
// need the other first.
func TestCycle(t *testing.T) {
	reg, err := NewRegistry(&hookParent{}, &hookChild{})
	if err != nil {
		t.Fatal(err)
	}
	m := reg.byType[typeOfParent]
	f := &flush{id: 1} // a flush id is never 0 (nextFlushID), the id of states no flush marked
	for i := range 2 {
		st := &state{m: m, obj: mem.Of(&hookParent{Name: "p"}), status: Pending, ord: uint32(i + 1)}
		f.newAction(actInsert, st)
	}
	f.dependsOn(f.actions[0], f.actions[1], copiesValues)
	f.dependsOn(f.actions[1], f.actions[0], copiesValues)
	var cycle *CycleError
	if err := f.layer(); !errors.As(err, &cycle) || len(cycle.Rows) != 3 || cycle.Rows[0] != "insert hook_parents(new #1)" {
		t.Fatalf("err = %v, want a cycle of two rows", err)
	}
}

func TestClassifyLostCommit(t *testing.T) {
	lost := errors.New("read tcp: connection reset by peer")
	cases := []struct {
		name    string
		p       pipe
		unknown bool
	}{
		{"commit in flight", pipe{commit: true, stage: stageCommit}, true},
		{"statement before the commit", pipe{commit: true, stage: stageSteps}, true},
		{"implicit transaction in flight", pipe{implicit: true, stage: stageDone}, true},
		{"no commit sent", pipe{stage: stageSteps}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var u *UnknownOutcomeError
			if got := errors.As(tc.p.classify(lost, "x", nil), &u); got != tc.unknown {
				t.Fatalf("unknown outcome = %v, want %v", got, tc.unknown)
			}
		})
	}
}

func (hookChild) TableName() string { return "hook_children" }

// TestReparent plans a flush whose only change is a child's reference to a
// new parent: the child gets an update action, waiting for the parent's
// generated key.
func TestReparent(t *testing.T) {
	db, ctx := hookDB(t)
	s := db.Session()
	defer s.Close()
	old := &hookParent{Name: "old"}
	c := &hookChild{Parent: old, Note: "n"}
	s.Add(c)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	c.Parent = &hookParent{Name: "new"}
	f, err := s.plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs := s.stateOf(s.db.reg.byType[reflect.TypeFor[hookChild]()], mem.Of(c))
	up := f.actionOf(cs)
	if up == nil || up.kind != actUpdate || bits.OnesCount64(up.valued) != 1 {
		t.Fatalf("child action %v, want an update waiting for the new parent's key", up)
	}
	f.rel.failed()
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var parent int64
	if err := db.Pool().QueryRow(ctx, `SELECT parent_id FROM hook_children WHERE id = $1`, c.ID).Scan(&parent); err != nil {
		t.Fatal(err)
	}
	if parent != c.Parent.ID || parent == old.ID {
		t.Fatalf("row: parent %d (new %d)", parent, c.Parent.ID)
	}
}

func TestLoadRows(t *testing.T) {
	db, ctx := hookDB(t)
	s := db.Session()
	defer s.Close()
	p := &hookParent{Name: "p"}
	s.Add(p)
	if err := s.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	m := db.reg.byType[typeOfParent]
	ts := db.sql[m.id]
	objs, err := s.loadRows(ctx, m, "SELECT "+ts.list+" FROM "+ts.table+" WHERE id = ANY($1)", []any{[]int64{p.ID}})
	if err != nil || len(objs) != 1 || objs[0] != mem.Of(p) {
		t.Fatalf("loadRows = %v, %v; want the held parent", objs, err)
	}
}

// TestReorderByIdentity checks the fallback of matchByIdentity: returned
// rows that did not come back in key order are redistributed so that keys
// ascend in insert order, each with its own returned values.
func TestReorderByIdentity(t *testing.T) {
	reg, err := NewRegistry(&hookParent{}, &hookChild{})
	if err != nil {
		t.Fatal(err)
	}
	s := (&DB{reg: reg}).Session()
	m := reg.byType[typeOfParent]
	objs := []*hookParent{{ID: 3, Name: "third"}, {ID: 1, Name: "first"}, {ID: 2, Name: "second"}}
	states := make([]*state, len(objs))
	for i, o := range objs {
		states[i] = &state{m: m, obj: mem.Of(o)}
	}
	var ret colSet
	for _, c := range m.cols {
		ret.add(c.pos)
	}
	reorder(s, m, ret, states, m.pk[0])
	for i, want := range []string{"first", "second", "third"} {
		if objs[i].ID != int64(i+1) || objs[i].Name != want {
			t.Fatalf("object %d = %+v, want id %d %s", i, *objs[i], i+1, want)
		}
	}
}
