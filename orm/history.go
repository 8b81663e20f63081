package orm

import (
	"fmt"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Relationship history. Every object keeps, per relationship, whether it
// was loaded and the targets it held as of the last load or flush
// (state.relLoaded, state.relSeen); a reference that holds the foreign key
// (manyToOne) needs no list, its column snapshot says which parent the
// row has. Each rule compares its field with that history and records
// claims: "this child was attached to that parent", "this parent let it
// go". The flush then decides once per child and foreign key, across the
// whole session (decide):
//
//   - attached somewhere (appended to a collection, reference pointed at
//     a parent, one-to-one field set): moved — its key is written, and
//     after the flush it is in that parent's field only;
//   - let go and attached nowhere: an orphan — deleted under
//     delete-orphan, else its key set to NULL, and when the key is NOT
//     NULL an *OrphanError, before anything is written;
//   - attached to two different parents: a *RelationConflictError;
//   - its key column written by the program (and attached nowhere): the
//     value stands, and afterwards the fields name the parent the session
//     holds for it (none when it holds none).

// isLoaded reports whether relationship i of st was loaded or written by
// a flush (a collection then holds every target the database has).
func (st *state) isLoaded(i int) bool { return i < 64 && st.relLoaded&(1<<uint(i)) != 0 }

// relSeen is an object's targets as of its last load or flush, per
// relationship (by index in the model's rules; nil for a manyToOne, whose
// history is its key column).
type relSeen [][]mem.Ptr

// seenOf returns the targets relationship i of st held as of its last
// load or flush.
func (st *state) seenOf(i int) []mem.Ptr {
	if st.relSeen != nil && i < len(*st.relSeen) {
		return (*st.relSeen)[i]
	}
	return nil
}

// setSeen replaces the history of st's relationship i with list.
func (st *state) setSeen(i int, list []mem.Ptr) {
	n := len(st.m.rules)
	seen := st.withSeen(make(relSeen, n), n)
	seen[i] = list
	st.relSeen = &seen
}

// withSeen returns a copy of st's history, of n relationships, in buf.
func (st *state) withSeen(buf relSeen, n int) relSeen {
	buf = buf[:n:n]
	if st.relSeen != nil {
		copy(buf, *st.relSeen)
	}
	return buf
}

// claim is what the changes of one flush say about one child along one
// foreign key, and then what the flush decided: link says that the
// child's key is written from to (NULL when to is nil) or, keyed, that
// the key the program wrote stands and to is the parent it names.
type claim struct {
	child   *state
	fk      *fkGroup
	next    int32 // the child's claim along its next foreign key, -1 for none
	inTo    bool  // to's own field made the change: it already holds the child
	keyed   bool  // the program wrote the key column itself
	link    bool  // decided: the key is set from to
	write   bool  // the key changes: the child's statement writes it (dependencies)
	to      mem.Ptr
	via     *relBase // the relationship of the change that named to
	from    mem.Ptr  // a parent whose field let the child go
	fromVia *relBase // its field; set when some field let the child go
	old     mem.Ptr  // the parent the child's row had (dependencies)
}

// claimOf returns the claim of child cs along g, creating it. A child's
// claims are chained from its state, stamped with the flush.
func (fr *relFlush) claimOf(cs *state, g *fkGroup) *claim {
	if c := fr.lookupClaim(cs, g); c != nil {
		return c
	}
	i := int32(len(fr.claims))
	mk := fr.f.mark(cs)
	next := mk.claim
	mk.claim = i
	fr.claims = append(fr.claims, claim{child: cs, fk: g, next: next})
	return &fr.claims[i]
}

// lookupClaim returns the claim of child cs along g, or nil.
func (fr *relFlush) lookupClaim(cs *state, g *fkGroup) *claim {
	for i := fr.f.markOf(cs).claim; i >= 0; i = fr.claims[i].next {
		if fr.claims[i].fk == g {
			return &fr.claims[i]
		}
	}
	return nil
}

// claimsOf calls fn for each claim of child.
func (fr *relFlush) claimsOf(child *state, fn func(c *claim)) {
	for i := fr.f.markOf(child).claim; i >= 0; i = fr.claims[i].next {
		fn(&fr.claims[i])
	}
}

// attachSide says which side's field made a change that attaches a child.
type attachSide uint8

const (
	// childSide: the child's reference (a many_to_one) names the parent.
	childSide attachSide = iota
	// parentSide: the parent's own field (a collection) holds the child.
	parentSide
)

// attachTo records that a change of via, on side, attached child cs to
// parent.
func (fr *relFlush) attachTo(cs *state, g *fkGroup, parent mem.Ptr, via *relBase, side attachSide) {
	c := fr.claimOf(cs, g)
	inTo := side == parentSide
	switch {
	case c.to.IsNil():
		c.to, c.via, c.inTo = parent, via, inTo
	case c.to == parent:
		c.inTo = c.inTo || inTo
	case fr.conflict == nil:
		fr.conflict = &RelationConflictError{Child: rowName(cs), Relations: []string{c.via.String(), via.String()},
			Parents: []string{fr.parentName(g, c.to), fr.parentName(g, parent)}}
	}
}

// parentName names the parent at p of key g: its row, or "users(new)"
// for an object the session does not hold yet.
func (fr *relFlush) parentName(g *fkGroup, p mem.Ptr) string {
	if st := fr.s.stateOf(g.parent, p); st != nil {
		return rowName(st)
	}
	return g.parent.table.Name + "(new)"
}

// letGo records that parent's field (via) let child cs go.
func (fr *relFlush) letGo(cs *state, g *fkGroup, parent mem.Ptr, via *relBase) {
	c := fr.claimOf(cs, g)
	if c.from.IsNil() {
		c.from, c.fromVia = parent, via
	}
}

// keyed records that the program wrote child cs's key g itself: unless a
// field attaches the child elsewhere, the value stands, and after the
// flush the fields follow it (the parent the session holds for that key,
// or none).
func (fr *relFlush) keyed(cs *state, g *fkGroup) {
	fr.claimOf(cs, g).keyed = true
}

// clearKey decides that child cs's key g is set to NULL.
func (fr *relFlush) clearKey(cs *state, g *fkGroup, via *relBase) {
	c := fr.claimOf(cs, g)
	c.link, c.to, c.via = true, mem.Ptr{}, via
}

// movedAway reports whether this flush attaches child cs to a parent
// other than parent along g.
func (fr *relFlush) movedAway(cs *state, g *fkGroup, parent mem.Ptr) bool {
	c := fr.lookupClaim(cs, g)
	return c != nil && !c.to.IsNil() && c.to != parent
}

// decide turns the claims into the keys to write and the orphans to
// delete or detach; see the top of this file.
func (fr *relFlush) decide() error {
	if fr.conflict != nil {
		return fr.conflict
	}
	for i := range fr.claims {
		c := &fr.claims[i]
		cs := c.child
		switch {
		case c.link || cs.deleting || cs.status != Pending && cs.status != Persistent:
		case !c.to.IsNil():
			if cs.status == Persistent && c.fk.keyInPK && c.fk.differs(fr.s, cs, c.to) {
				return fmt.Errorf("%s: %s moves it to another parent, which would change its primary key (delete it and add a new one): %w",
					rowName(cs), c.via, ErrKeyChanged)
			}
			c.link, c.keyed = true, false // a field's attachment wins over a written key
		case c.keyed:
			c.link, c.to, c.via = true, c.fk.parentOf(fr.s, cs.obj), c.fk.childSides[0]
		case c.fromVia != nil && cs.status == Persistent: // let go
			if err := fr.orphan(c.fk, cs, c.from, c.fromVia); err != nil {
				return err
			}
		}
	}
	return fr.displace()
}

// orphan handles child cs let go by parent from (along via) and attached
// nowhere.
func (fr *relFlush) orphan(g *fkGroup, cs *state, from mem.Ptr, via *relBase) error {
	now, _ := g.childKey.keyIn(cs, cs.obj)
	was, _ := g.childKey.stored(cs.snap)
	if now != was {
		return nil // the program wrote the key itself: its value stands
	}
	if ps := fr.s.stateOf(g.parent, from); ps != nil && ps.deleting {
		return nil // the parent's delete cascade decides
	}
	switch {
	case g.orphanRule() != nil:
		fr.markDeleting(cs)
	case g.nullable:
		fr.clearKey(cs, g, via)
	default:
		return fr.orphanError(g, cs, via)
	}
	return nil
}

// pendingOrphans handles the new objects that a parent's field brought
// into the session (its save-update cascade) and that no parent holds any
// more before their first flush: attached along none of their foreign keys
// (no field names a parent, no key is set), they are orphans. Under
// delete-orphan such an object is never inserted: it leaves the session
// with its expunge cascade, as Delete of a pending object does (SQLAlchemy
// expunges a pending orphan too). With nullable keys it is inserted
// without a parent; a NOT NULL key without delete-orphan is an
// *OrphanError.
func (fr *relFlush) pendingOrphans() error {
	var gone []*state
	for _, st := range fr.s.pending {
		if !st.brought || st.status != Pending || fr.attached(st) {
			continue
		}
		var strict *fkGroup // a NOT NULL key that a parent-side field carries
		orphan := false
		for _, g := range st.m.childOf {
			switch {
			case len(g.parentSides) == 0:
			case g.orphanRule() != nil:
				orphan = true
			case !g.nullable && strict == nil:
				strict = g
			}
		}
		switch {
		case orphan:
			gone = append(gone, st)
		case strict != nil:
			return fr.orphanError(strict, st, strict.parentSides[0])
		}
	}
	for _, st := range gone {
		if st.status == Pending {
			fr.s.expungeTree(st)
		}
	}
	return nil
}

// attached reports whether the new object st has a parent along one of
// its foreign keys: a field attached it (or the program wrote the key), or
// the key is set.
func (fr *relFlush) attached(st *state) bool {
	for _, g := range st.m.childOf {
		if c := fr.lookupClaim(st, g); c != nil && c.link && (!c.to.IsNil() || c.keyed) || g.hasKey(st) {
			return true
		}
	}
	return false
}

// displace finds, for every child attached to a parent over a unique key,
// the child that parent had: it is an orphan unless it moves too. A
// parent-side field that was not loaded is read from the database.
func (fr *relFlush) displace() error {
	n := len(fr.claims)
	for i := 0; i < n; i++ {
		l := fr.claims[i]
		if !l.link || l.to.IsNil() || !l.fk.unique || l.keyed {
			continue
		}
		for _, rb := range l.fk.parentSides {
			olds, err := fr.heldChildren(rb, l.to)
			if err != nil {
				return err
			}
			for _, x := range olds {
				if x == l.child || x.deleting || x.status != Persistent || fr.lookupClaim(x, l.fk) != nil {
					continue
				}
				if err := fr.orphan(l.fk, x, l.to, rb); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// heldChildren returns the states of the children parent has along the
// parent-side relationship rb: its field when loaded, else (for a stored
// parent) the rows the database has.
func (fr *relFlush) heldChildren(rb *relBase, parent mem.Ptr) ([]*state, error) {
	ps := fr.s.stateOf(rb.owner, parent)
	if ps == nil || ps.status != Persistent || ps.isLoaded(rb.idx) {
		var out []*state
		for _, t := range rb.targets(parent) {
			if ts := fr.s.stateOf(rb.target, t); ts != nil {
				out = append(out, ts)
			}
		}
		return out, nil
	}
	rows, err := fr.s.db.reg.rules[rb.id].fetch(fr.f.ctx, &loader{s: fr.s}, nil, []*state{ps}, nil)
	out := make([]*state, len(rows))
	for i, row := range rows {
		out[i] = row.st
	}
	return out, err
}

// markDeleting marks st for deletion during the flush; a failed flush
// takes the mark back (relFlush.failed).
func (fr *relFlush) markDeleting(st *state) {
	st.deleting, st.hard = true, false // softly, when its model can (softdelete.go)
	fr.marked = append(fr.marked, st)
}

func (fr *relFlush) orphanError(g *fkGroup, cs *state, via *relBase) error {
	e := &OrphanError{Child: rowName(cs)}
	if via != nil {
		e.Relation = via.String()
	}
	for _, c := range g.childCols {
		e.Columns = append(e.Columns, c.Name)
	}
	return e
}

// minus returns the elements of a that are not in b (a itself when b is
// empty).
func minus(a, b []mem.Ptr) []mem.Ptr {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0 || slices.Equal(a, b):
		return nil
	}
	var out []mem.Ptr
	if len(b) <= 8 {
		for _, p := range a {
			if !p.IsNil() && !slices.Contains(b, p) {
				out = append(out, p)
			}
		}
		return out
	}
	in := make(map[mem.Ptr]struct{}, len(b))
	for _, p := range b {
		in[p] = struct{}{}
	}
	for _, p := range a {
		if _, ok := in[p]; !ok && !p.IsNil() {
			out = append(out, p)
		}
	}
	return out
}

// removePtr returns list without p, in a new slice when p was there.
func removePtr(list []mem.Ptr, p mem.Ptr) []mem.Ptr {
	if !slices.Contains(list, p) {
		return list
	}
	return slices.DeleteFunc(slices.Clone(list), func(x mem.Ptr) bool { return x == p })
}
