package orm_test

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// The relationship change matrix: every kind of relationship (with each
// orphan rule) × every way a program moves or lets go of a child, each
// checked in the rows (plain SQL), the statements sent and both sides of
// the relationship in memory.

// KParent has one relationship of each kind, each to its own child type.
type KParent struct {
	ID    int64    `orm:"pk"`
	Name  string   `orm:"unique"`
	Kids  []*KKid  `rel:"one_to_many,back_populates:Parent,cascade:all|delete-orphan,order_by:id"`
	Pets  []*KPet  `rel:"one_to_many,back_populates:Parent,order_by:id"`
	Toys  []*KToy  `rel:"one_to_many,back_populates:Parent,order_by:id"`
	Badge *KBadge  `rel:"one_to_one,back_populates:Parent,cascade:all|delete-orphan"`
	Seat  *KSeat   `rel:"one_to_one,back_populates:Parent"`
	Clubs []*KClub `rel:"many_to_many,secondary:kmembers,back_populates:Members,order_by:id"`
	// Two more association tables, one way only, for the statement order.
	Fans   []*KClub `rel:"many_to_many,secondary:kfans"`
	Guests []*KClub `rel:"many_to_many,secondary:kguests,cascade:all"` // deleting the parent deletes them
}

func (KParent) TableName() string { return "kparents" }

// KKid: NOT NULL key, delete-orphan on the parent's side.
type KKid struct {
	ID       int64    `orm:"pk"`
	ParentID int64    `orm:"fk:kparents.id"`
	Parent   *KParent `rel:"many_to_one,back_populates:Kids"`
}

func (KKid) TableName() string { return "kkids" }

// KPet: nullable key, no delete-orphan: an orphan's key is set to NULL.
type KPet struct {
	ID       int64    `orm:"pk"`
	ParentID *int64   `orm:"fk:kparents.id"`
	Parent   *KParent `rel:"many_to_one,back_populates:Pets"`
}

func (KPet) TableName() string { return "kpets" }

// KToy: NOT NULL key, no delete-orphan: an orphan is an error.
type KToy struct {
	ID       int64    `orm:"pk"`
	ParentID int64    `orm:"fk:kparents.id"`
	Parent   *KParent `rel:"many_to_one,back_populates:Toys"`
}

func (KToy) TableName() string { return "ktoys" }

// KBadge: a one-to-one over a unique NOT NULL key, delete-orphan.
type KBadge struct {
	ID       int64    `orm:"pk"`
	ParentID int64    `orm:"unique,fk:kparents.id"`
	Parent   *KParent `rel:"many_to_one,back_populates:Badge"`
}

func (KBadge) TableName() string { return "kbadges" }

// KSeat: a one-to-one over a unique nullable key, no delete-orphan.
type KSeat struct {
	ID       int64    `orm:"pk"`
	ParentID *int64   `orm:"unique,fk:kparents.id"`
	Parent   *KParent `rel:"many_to_one,back_populates:Seat"`
}

func (KSeat) TableName() string { return "kseats" }

// KClub: the other side of a many-to-many.
type KClub struct {
	ID      int64      `orm:"pk"`
	Name    string     `orm:"unique"`
	Members []*KParent `rel:"many_to_many,secondary:kmembers,back_populates:Clubs,order_by:id"`
}

func (KClub) TableName() string { return "kclubs" }

func kindRegistry() *orm.Registry {
	return orm.MustRegistry(&KParent{}, &KKid{}, &KPet{}, &KToy{}, &KBadge{}, &KSeat{}, &KClub{})
}

// The outcomes of letting a child go.
const (
	orphanDeleted = "deleted"
	orphanNulled  = "nulled"
	orphanError   = "error"
)

// relKind drives one relationship of KParent through closures on its
// child type.
type relKind struct {
	name, table, field string
	orphan             string // what letting a child go does
	unique             bool   // one-to-one: the target parent's own child is displaced
	add                func(p *KParent) any
	list               func(p *KParent) []any
	in                 func(p *KParent, c any) bool
	remove             func(p *KParent, c any)
	put                func(p *KParent, c any)
	setRef             func(c any, p *KParent)
	ref                func(c any) *KParent
	id                 func(c any) int64
}

// collKind describes a one_to_many field of KParent.
func collKind[C any](name, table, field, orphan string, coll func(*KParent) *[]*C, ref func(*C) **KParent, id func(*C) int64) relKind {
	return relKind{name: name, table: table, field: field, orphan: orphan,
		add: func(p *KParent) any { c := new(C); *coll(p) = append(*coll(p), c); return c },
		list: func(p *KParent) []any {
			var out []any
			for _, c := range *coll(p) {
				out = append(out, c)
			}
			return out
		},
		in: func(p *KParent, c any) bool { return slices.Contains(*coll(p), c.(*C)) },
		remove: func(p *KParent, c any) {
			*coll(p) = slices.DeleteFunc(slices.Clone(*coll(p)), func(x *C) bool { return x == c.(*C) })
		},
		put:    func(p *KParent, c any) { *coll(p) = append(*coll(p), c.(*C)) },
		setRef: func(c any, p *KParent) { *ref(c.(*C)) = p },
		ref:    func(c any) *KParent { return *ref(c.(*C)) },
		id:     func(c any) int64 { return id(c.(*C)) },
	}
}

// oneKind describes a one_to_one field of KParent.
func oneKind[C any](name, table, field, orphan string, one func(*KParent) **C, ref func(*C) **KParent, id func(*C) int64) relKind {
	return relKind{name: name, table: table, field: field, orphan: orphan, unique: true,
		add: func(p *KParent) any { c := new(C); *one(p) = c; return c },
		list: func(p *KParent) []any {
			if *one(p) == nil {
				return nil
			}
			return []any{*one(p)}
		},
		in: func(p *KParent, c any) bool { return *one(p) == c.(*C) },
		remove: func(p *KParent, c any) {
			if *one(p) == c.(*C) {
				*one(p) = nil
			}
		},
		put:    func(p *KParent, c any) { *one(p) = c.(*C) },
		setRef: func(c any, p *KParent) { *ref(c.(*C)) = p },
		ref:    func(c any) *KParent { return *ref(c.(*C)) },
		id:     func(c any) int64 { return id(c.(*C)) },
	}
}

func relKinds() []relKind {
	return []relKind{
		collKind("one_to_many delete-orphan", "kkids", "Kids", orphanDeleted,
			func(p *KParent) *[]*KKid { return &p.Kids }, func(c *KKid) **KParent { return &c.Parent }, func(c *KKid) int64 { return c.ID }),
		collKind("one_to_many nullable", "kpets", "Pets", orphanNulled,
			func(p *KParent) *[]*KPet { return &p.Pets }, func(c *KPet) **KParent { return &c.Parent }, func(c *KPet) int64 { return c.ID }),
		collKind("one_to_many not null", "ktoys", "Toys", orphanError,
			func(p *KParent) *[]*KToy { return &p.Toys }, func(c *KToy) **KParent { return &c.Parent }, func(c *KToy) int64 { return c.ID }),
		oneKind("one_to_one delete-orphan", "kbadges", "Badge", orphanDeleted,
			func(p *KParent) **KBadge { return &p.Badge }, func(c *KBadge) **KParent { return &c.Parent }, func(c *KBadge) int64 { return c.ID }),
		oneKind("one_to_one nullable", "kseats", "Seat", orphanNulled,
			func(p *KParent) **KSeat { return &p.Seat }, func(c *KSeat) **KParent { return &c.Parent }, func(c *KSeat) int64 { return c.ID }),
	}
}

// fixture is one case's data: parents a and b loaded in a fresh session
// with all their relationships; c is a's child to move, sib its sibling
// (collections), b0 b's own child.
type fixture struct {
	e        *env
	s        *orm.Session
	k        relKind
	a, b     *KParent
	c, sib   any
	b0       any
	fresh    *KParent // a parent created by the change, if any
	newOwner *KParent // where the change moves c, nil when it lets it go
}

var fixtureSeq int

func newFixture(t *testing.T, e *env, k relKind) *fixture {
	t.Helper()
	fixtureSeq++
	a := &KParent{Name: fmt.Sprint("a", fixtureSeq)}
	b := &KParent{Name: fmt.Sprint("b", fixtureSeq)}
	k.add(a)
	if !k.unique {
		k.add(a)
	}
	k.add(b)
	seed := e.db.Session()
	seed.Add(a, b)
	if err := seed.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	s := e.db.Session()
	t.Cleanup(func() { s.Close() })
	ps, err := orm.Query[KParent](s).Where("id = ANY(?)", []int64{a.ID, b.ID}).OrderBy("id").
		Load("Kids", "Pets", "Toys", "Badge", "Seat", "Clubs").All(e.ctx)
	if err != nil || len(ps) != 2 {
		t.Fatalf("load: %d parents, %v", len(ps), err)
	}
	fx := &fixture{e: e, s: s, k: k, a: ps[0], b: ps[1]}
	fx.c, fx.sib, fx.b0 = fx.children(fx.a)[0], nil, fx.children(fx.b)[0]
	if !k.unique {
		fx.sib = fx.children(fx.a)[1]
	}
	e.cap.reset()
	return fx
}

// children returns p's children along the fixture's kind.
func (fx *fixture) children(p *KParent) []any { return fx.k.list(p) }

// mentioning returns the captured statements that contain part.
func (e *env) mentioning(part string) []string {
	var out []string
	for _, s := range e.cap.sqls() {
		if strings.Contains(s, part) {
			out = append(out, s)
		}
	}
	return out
}

// parentOf returns the parent_id column of child id, nil for NULL, and
// whether the row exists.
func (fx *fixture) parentOf(id int64) (any, bool) {
	rows := fx.e.rows(`SELECT parent_id FROM `+fx.k.table+` WHERE id = $1`, id)
	if len(rows) == 0 {
		return nil, false
	}
	return rows[0][0], true
}

// relChange is one way of changing a relationship.
type relChange struct {
	name  string
	moves bool // the child ends with a new parent (else it is let go)
	apply func(fx *fixture)
}

func relChanges() []relChange {
	return []relChange{
		{"moved by the collection side", true, func(fx *fixture) {
			fx.k.remove(fx.a, fx.c)
			fx.k.put(fx.b, fx.c)
			fx.newOwner = fx.b
		}},
		{"moved by the reference side", true, func(fx *fixture) {
			fx.k.setRef(fx.c, fx.b)
			fx.newOwner = fx.b
		}},
		{"moved by both sides", true, func(fx *fixture) {
			fx.k.remove(fx.a, fx.c)
			fx.k.put(fx.b, fx.c)
			fx.k.setRef(fx.c, fx.b)
			fx.newOwner = fx.b
		}},
		{"appended to the new parent only", true, func(fx *fixture) {
			fx.k.put(fx.b, fx.c)
			fx.newOwner = fx.b
		}},
		{"moved to a parent created in the same flush, collection side", true, func(fx *fixture) {
			fx.fresh = &KParent{Name: fmt.Sprint("n", fixtureSeq)}
			fx.k.put(fx.fresh, fx.c)
			fx.s.Add(fx.fresh)
			fx.newOwner = fx.fresh
		}},
		{"moved to a parent created in the same flush, reference side", true, func(fx *fixture) {
			fx.fresh = &KParent{Name: fmt.Sprint("n", fixtureSeq)}
			fx.k.setRef(fx.c, fx.fresh)
			fx.newOwner = fx.fresh
		}},
		{"reference set to nil", false, func(fx *fixture) { fx.k.setRef(fx.c, nil) }},
		{"removed from the collection", false, func(fx *fixture) { fx.k.remove(fx.a, fx.c) }},
	}
}

func TestRelationshipChanges(t *testing.T) {
	e := setup(t, kindRegistry())
	for _, k := range relKinds() {
		for _, ch := range relChanges() {
			t.Run(k.name+"/"+ch.name, func(t *testing.T) {
				fx := newFixture(t, e, k)
				ch.apply(fx)
				err := fx.s.Commit(e.ctx)
				switch {
				case ch.moves:
					fx.checkMoved(t, err)
				case k.orphan == orphanError:
					fx.checkRefused(t, err)
				default:
					fx.checkLetGo(t, err)
				}
			})
		}
	}
}

// checkMoved: one UPDATE of the child's key, the child in its new parent's
// field only, pointing back at it; nothing deleted but a displaced
// one-to-one child under delete-orphan.
func (fx *fixture) checkMoved(t *testing.T, err error) {
	t.Helper()
	k, c, to := fx.k, fx.c, fx.newOwner
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := fx.parentOf(k.id(c)); !ok || got != to.ID {
		t.Fatalf("row of the child: parent %v (exists %v), want %d", got, ok, to.ID)
	}
	if !k.in(to, c) || k.in(fx.a, c) || k.ref(c) != to {
		t.Fatalf("in memory: in new parent %v, in old %v, reference to new %v", k.in(to, c), k.in(fx.a, c), k.ref(c) == to)
	}
	if fx.fresh == nil && k.in(fx.b, c) != (to == fx.b) {
		t.Fatalf("in b: %v", k.in(fx.b, c))
	}
	dels := fx.e.mentioning(`DELETE FROM "` + k.table + `"`)
	ups := fx.e.mentioning(`UPDATE "` + k.table + `"`)
	switch {
	case !k.unique || to == fx.fresh:
		if len(dels) != 0 || len(ups) != 1 {
			t.Fatalf("statements on %s: %q", k.table, fx.e.cap.sqls())
		}
		if fx.sib != nil {
			if got, _ := fx.parentOf(k.id(fx.sib)); got != fx.a.ID || !k.in(fx.a, fx.sib) {
				t.Fatalf("sibling moved too: parent %v", got)
			}
		}
	default:
		fx.checkDisplaced(t, dels)
	}
	fx.e.cap.reset()
	if err := fx.s.Commit(fx.e.ctx); err != nil || len(fx.e.cap.sqls()) != 0 {
		t.Fatalf("second commit: %v, %q", err, fx.e.cap.sqls())
	}
}

// checkDisplaced: b's own one-to-one child, displaced by c, was deleted
// (delete-orphan) or detached (nullable) before c took the unique key.
func (fx *fixture) checkDisplaced(t *testing.T, dels []string) {
	t.Helper()
	got, exists := fx.parentOf(fx.k.id(fx.b0))
	switch fx.k.orphan {
	case orphanDeleted:
		if exists || len(dels) != 1 {
			t.Fatalf("displaced child: exists %v, deletes %q", exists, dels)
		}
	case orphanNulled:
		if !exists || got != nil || fx.k.ref(fx.b0) != nil {
			t.Fatalf("displaced child: parent %v, reference %v", got, fx.k.ref(fx.b0))
		}
	}
	if fx.k.in(fx.b, fx.b0) {
		t.Fatal("displaced child still in its parent's field")
	}
}

// checkLetGo: the orphan is deleted or its key set to NULL.
func (fx *fixture) checkLetGo(t *testing.T, err error) {
	t.Helper()
	k, c := fx.k, fx.c
	if err != nil {
		t.Fatal(err)
	}
	got, exists := fx.parentOf(k.id(c))
	switch k.orphan {
	case orphanDeleted:
		if exists {
			t.Fatalf("orphan still there (parent %v)", got)
		}
	case orphanNulled:
		if !exists || got != nil || k.ref(c) != nil {
			t.Fatalf("orphan: exists %v, parent %v, reference %v", exists, got, k.ref(c))
		}
	}
	if k.in(fx.a, c) {
		t.Fatal("orphan still in its parent's field")
	}
	if fx.sib != nil {
		if got, _ := fx.parentOf(k.id(fx.sib)); got != fx.a.ID {
			t.Fatalf("sibling: parent %v", got)
		}
	}
}

// checkRefused: a NOT NULL key without delete-orphan cannot let a child
// go: an OrphanError naming the field, and nothing written.
func (fx *fixture) checkRefused(t *testing.T, err error) {
	t.Helper()
	var oe *orm.OrphanError
	if !errors.As(err, &oe) || !errors.Is(err, orm.ErrOrphan) || !strings.HasSuffix(oe.Relation, "."+fx.k.field) && !strings.HasSuffix(oe.Relation, ".Parent") {
		t.Fatalf("err = %v, want an OrphanError", err)
	}
	if w := fx.e.statements("UPDATE", "DELETE", "INSERT"); len(w) != 0 {
		t.Fatalf("wrote %q", w)
	}
	if got, _ := fx.parentOf(fx.k.id(fx.c)); got != fx.a.ID {
		t.Fatalf("row: parent %v", got)
	}
}

func TestManyToManyChanges(t *testing.T) {
	e := setup(t, kindRegistry())
	without := func(list []*KClub, c *KClub) []*KClub {
		return slices.DeleteFunc(slices.Clone(list), func(x *KClub) bool { return x == c })
	}
	for _, tc := range []struct {
		name   string
		change func(s *orm.Session, p *KParent, kept, other *KClub) *KClub
		member bool // the returned club has p as a member afterwards
	}{
		{"added from the owner side", func(_ *orm.Session, p *KParent, _, other *KClub) *KClub {
			p.Clubs = append(p.Clubs, other)
			return other
		}, true},
		{"added from the target side", func(_ *orm.Session, p *KParent, _, other *KClub) *KClub {
			other.Members = append(other.Members, p)
			return other
		}, true},
		{"added from both sides", func(_ *orm.Session, p *KParent, _, other *KClub) *KClub {
			p.Clubs = append(p.Clubs, other)
			other.Members = append(other.Members, p)
			return other
		}, true},
		{"added to a club created in the same flush", func(_ *orm.Session, p *KParent, _, _ *KClub) *KClub {
			fresh := &KClub{Name: fmt.Sprint("fresh", fixtureSeq)}
			p.Clubs = append(p.Clubs, fresh)
			return fresh
		}, true},
		{"removed from the owner side", func(_ *orm.Session, p *KParent, kept, _ *KClub) *KClub {
			p.Clubs = without(p.Clubs, kept)
			return kept
		}, false},
		{"removed from the target side", func(_ *orm.Session, p *KParent, kept, _ *KClub) *KClub {
			kept.Members = slices.DeleteFunc(slices.Clone(kept.Members), func(x *KParent) bool { return x == p })
			return kept
		}, false},
		{"owner deleted", func(s *orm.Session, p *KParent, kept, _ *KClub) *KClub {
			s.Delete(p)
			return kept
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fixtureSeq++
			kept, other := &KClub{Name: fmt.Sprint("kept", fixtureSeq)}, &KClub{Name: fmt.Sprint("other", fixtureSeq)}
			seed := e.db.Session()
			seed.Add(&KParent{Name: fmt.Sprint("m", fixtureSeq), Clubs: []*KClub{kept}}, other)
			if err := seed.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			seed.Close()
			s := e.db.Session()
			defer s.Close()
			p, err := orm.Query[KParent](s).Where("name = ?", fmt.Sprint("m", fixtureSeq)).Load("Clubs.Members").One(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			o, err := orm.Query[KClub](s).Where("id = ?", other.ID).Load("Members").One(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			club := tc.change(s, p, p.Clubs[0], o)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			n := e.rows(`SELECT count(*) FROM kmembers WHERE k_parent_id = $1 AND k_club_id = $2`, p.ID, club.ID)[0][0].(int64)
			inBoth := slices.Contains(p.Clubs, club) && slices.Contains(club.Members, p)
			inNone := !slices.Contains(p.Clubs, club) && !slices.Contains(club.Members, p)
			if tc.member && (n != 1 || !inBoth) || !tc.member && (n != 0 || !inNone && s.Status(p) != orm.Transient) {
				t.Fatalf("rows %d; in both fields %v, in none %v", n, inBoth, inNone)
			}
			if e.count("kclubs") < 2 {
				t.Fatal("a club was deleted")
			}
		})
	}
}

// TestFlushOrderIsStable runs the same changes on the same data in fresh
// databases (so that generated keys repeat) and compares the statements
// and their arguments: no map order leaks into what is sent.
func TestFlushOrderIsStable(t *testing.T) {
	var first string
	for round := range 3 {
		e := setup(t, kindRegistry())
		s := e.db.Session()
		clubs := make([]*KClub, 6)
		for i := range clubs {
			clubs[i] = &KClub{Name: fmt.Sprint("c", i)}
		}
		ps := make([]*KParent, 4)
		for i := range ps {
			ps[i] = &KParent{Name: fmt.Sprint("p", i), Kids: []*KKid{{}, {}}, Pets: []*KPet{{}}, Seat: &KSeat{}}
		}
		s.Add(anyOf(ps)...)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.cap.reset()
		for i, p := range ps {
			p.Clubs = append(p.Clubs, clubs[(i+3)%6], clubs[i])
			p.Fans = append(p.Fans, clubs[(i+1)%6], clubs[i])
			p.Guests = append(p.Guests, clubs[(i+2)%6])
			clubs[5-i].Members = append(clubs[5-i].Members, p)
			ps[(i+1)%4].Kids = append(ps[(i+1)%4].Kids, p.Kids[0])
			p.Pets = nil
		}
		ps[0].Seat, ps[1].Seat = ps[1].Seat, nil
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := sentText(e.cap.stmts)
		s.Close()
		if round == 0 {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("round %d sent\n%v\nround 0 sent\n%v", round, got, first)
		}
	}
}

// sentText renders captured statements with their arguments, pointers
// followed (and addresses the driver's wrappers print left out).
func sentText(stmts []captured) string {
	var b strings.Builder
	for _, st := range stmts {
		b.WriteString(st.SQL)
		for _, a := range st.Args {
			v := reflect.ValueOf(a)
			for v.Kind() == reflect.Pointer && !v.IsNil() {
				v = v.Elem()
			}
			fmt.Fprintf(&b, " %v", v)
		}
		b.WriteString("\n")
	}
	return regexp.MustCompile(`0x[0-9a-f]+`).ReplaceAllString(b.String(), "ptr")
}

func anyOf[T any](xs []*T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// A new one-to-one child attached from its own side to a parent whose
// field was not loaded: the flush finds the child it replaces in the
// database and deletes (or detaches) it first.
func TestOneToOneReplacedFromTheChildSide(t *testing.T) {
	e := setup(t, kindRegistry())
	seed := e.db.Session()
	p := &KParent{Name: "p", Badge: &KBadge{}, Seat: &KSeat{}}
	seed.Add(p)
	if err := seed.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	oldBadge, oldSeat := p.Badge.ID, p.Seat.ID
	s := e.db.Session()
	defer s.Close()
	held, err := orm.Get[KParent](e.ctx, s, p.ID) // Badge and Seat not loaded
	if err != nil || held.Badge != nil {
		t.Fatalf("get: %v, badge %v", err, held.Badge)
	}
	badge, seat := &KBadge{Parent: held}, &KSeat{Parent: held}
	s.Add(badge, seat)
	e.cap.reset()
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if rows := e.rows(`SELECT id FROM kbadges WHERE parent_id = $1`, p.ID); len(rows) != 1 || rows[0][0] != badge.ID || badge.ID == oldBadge {
		t.Fatalf("badges of p: %v", rows)
	}
	if n := e.rows(`SELECT count(*) FROM kbadges WHERE id = $1`, oldBadge)[0][0].(int64); n != 0 {
		t.Fatal("the replaced badge is still there")
	}
	if got := e.rows(`SELECT parent_id FROM kseats WHERE id = $1`, oldSeat)[0][0]; got != nil {
		t.Fatalf("replaced seat: parent %v, want NULL", got)
	}
	if held.Badge != badge || held.Seat != seat {
		t.Fatal("the parent's fields do not name the new children")
	}
	if sel := e.statements("SELECT"); len(sel) != 2 {
		t.Fatalf("selects %q, want one per one-to-one", sel)
	}
}

// delete on a many_to_many deletes the targets themselves, loaded first
// when they were not.
func TestManyToManyDeleteCascade(t *testing.T) {
	e := setup(t, kindRegistry())
	seed := e.db.Session()
	p := &KParent{Name: "p", Guests: []*KClub{{Name: "g1"}, {Name: "g2"}}, Clubs: []*KClub{{Name: "kept"}}}
	seed.Add(p)
	if err := seed.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	s := e.db.Session()
	defer s.Close()
	held, err := orm.Get[KParent](e.ctx, s, p.ID) // Guests not loaded
	if err != nil {
		t.Fatal(err)
	}
	s.Delete(held)
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	rows := e.rows(`SELECT name FROM kclubs ORDER BY name`)
	if len(rows) != 1 || rows[0][0] != "kept" || e.count("kguests") != 0 || e.count("kmembers") != 0 {
		t.Fatalf("clubs left %v, guest rows %d", rows, e.count("kguests"))
	}
}
