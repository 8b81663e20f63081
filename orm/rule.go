package orm

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// Relationship rules, after SQLAlchemy's dependency processors
// (orm/dependency.py). When the registry is built every relationship gets
// one rule of its direction's type:
//
//   - oneToMany: a collection whose targets hold the foreign key;
//   - oneToOne: the parent side of a one_to_one (a oneToMany of one
//     target, over a unique key: the old child leaves before a new one
//     takes its place);
//   - manyToOne: a reference whose owner holds the foreign key (also the
//     child side of a one_to_one);
//   - manyToMany: a collection through an association table.
//
// The rule owns what its kind means: the history of the field since it was
// loaded (changes), the delete cascade along it (needsLoad, deleted), the
// association rows (manyToMany) and the loader's step (held, fetch). What
// all kinds share is relBase. The two relationships over one foreign key
// share one fkGroup, so that a flush decides a child's parent once per key
// whichever side the program changed (relflush.go).
type rule interface {
	base() *relBase
	// added returns the targets attached to st's field since it was
	// loaded or flushed (all of them for a pending object): what the
	// save-update cascade follows at flush.
	added(s *Session, st *state) []mem.Ptr
	// changes records in fr what changed in st's field since it was
	// loaded or flushed: children claimed or let go, association pairs.
	changes(fr *relFlush, st *state)
	// needsLoad reports whether deleting st needs the field's targets
	// loaded first (the field is not loaded and the database will not
	// act on its rows by itself); a lazy:raise field is an error instead.
	needsLoad(fr *relFlush, st *state) (bool, error)
	// deleted follows the deletion of st: targets to delete are marked and
	// appended to next, keys to clear and association rows recorded.
	deleted(fr *relFlush, st *state, next []*state) []*state
	// held returns the rows of the owners' groups the session can answer
	// without a statement, and the groups' owners still to select.
	held(l *loader, g *keyGroups) ([]loadedRow, []*state)
	// fetch selects the targets of the owners reps (one per key of the
	// groups g, which may be nil).
	fetch(ctx context.Context, l *loader, g *keyGroups, reps []*state, opts *loadOpts) ([]loadedRow, error)
}

// relBase is what every rule knows of its relationship; built at
// registration and immutable.
type relBase struct {
	r             *relation.Relation
	id            int // index in Registry.rules
	idx           int // position among the owner's rules
	owner, target *model
	back          *relBase // the back_populates partner, nil when none
	// local and remote are the join columns of the owner and the target
	// (for a many_to_many, the keys its association columns copy); their
	// codecs give equal keys for matching rows on both sides.
	local, remote       []*column
	localKey, remoteKey keyCodec
	fk                  *fkGroup // the foreign key carrying it; nil for a many_to_many
}

func (rb *relBase) base() *relBase { return rb }

// String names the relationship ("blog.User.Posts").
func (rb *relBase) String() string { return rb.r.String() }

// targets returns the objects the field holds: the elements of a
// collection, or the one pointer of a to-one field (none when nil).
func (rb *relBase) targets(owner mem.Ptr) []mem.Ptr {
	if rb.r.Uselist {
		return rb.many(owner)
	}
	if p := rb.one(owner); !p.IsNil() {
		return []mem.Ptr{p}
	}
	return nil
}

// history calls add for each target attached to st's field since its
// last load or flush (every target of a new object), and, for a stored
// object, drop for each target let go since.
func (rb *relBase) history(st *state, add, drop func(t mem.Ptr)) {
	cur, seen := rb.targets(st.obj), st.seenOf(rb.idx)
	if slices.Equal(cur, seen) {
		return
	}
	for _, t := range minus(cur, seen) {
		if !t.IsNil() {
			add(t)
		}
	}
	if st.status == Persistent {
		for _, t := range minus(seen, cur) {
			drop(t)
		}
	}
}

// contains reports whether owner's field holds t.
func (rb *relBase) contains(owner, t mem.Ptr) bool {
	if rb.r.Uselist {
		return slices.Contains(rb.many(owner), t)
	}
	return rb.one(owner) == t
}

// attach puts t in owner's field: appended to a collection that lacks it,
// or stored in a to-one field.
func (rb *relBase) attach(owner, t mem.Ptr) {
	switch {
	case !rb.r.Uselist:
		rb.setOne(owner, t)
	case !rb.contains(owner, t):
		rb.appendTo(owner, t)
	}
}

// detach removes t from owner's field (a new slice for a collection, so
// that a slice the program kept is not changed under it).
func (rb *relBase) detach(owner, t mem.Ptr) {
	if !rb.r.Uselist {
		if rb.one(owner) == t {
			rb.setOne(owner, mem.Ptr{})
		}
		return
	}
	rb.setMany(owner, removePtr(rb.many(owner), t))
}

// fkGroup is one foreign key that carries relationships: the parent's
// referenced columns, the child's key columns and the rules on each end
// (usually one on each, paired by back_populates).
type fkGroup struct {
	fk                    *schema.ForeignKey
	parent, child         *model
	parentCols, childCols []*column // the sync: childCols[i] = parentCols[i]
	// parentKey reads the referenced columns of a parent and childKey the
	// foreign key of a child; both name parent rows, so a child's key
	// finds its parent in the identity map when ident is true (the key
	// references the primary key).
	parentKey, childKey keyCodec
	ident               bool
	nullable, unique    bool
	keyInPK             bool       // a child column is part of the child's primary key: the child cannot move
	parentSides         []*relBase // one_to_many and one_to_one on the parent
	childSides          []*relBase // many_to_one on the child
}

// orphanRule returns the parent-side relationship whose delete-orphan
// cascade applies to the key's orphans, or nil.
func (g *fkGroup) orphanRule() *relBase {
	for _, rb := range g.parentSides {
		if rb.r.Cascade.Has(relation.DeleteOrphan) {
			return rb
		}
	}
	return nil
}

// parentOf returns the session's parent for the key the child's object at
// p holds (p is the object of a stored row or a snapshot, whose zero key
// is a value), or nil.
func (g *fkGroup) parentOf(s *Session, p mem.Ptr) mem.Ptr {
	if !g.ident || p.IsNil() {
		return mem.Ptr{}
	}
	if k, ok := g.childKey.stored(p); ok {
		if st := s.lookup(k); st != nil && st.status == Persistent {
			return st.obj
		}
	}
	return mem.Ptr{}
}

// sync copies parent's key into the child's foreign key, or clears it
// when parent is nil, telling the journal first so that a failed flush
// puts the old values back.
func (g *fkGroup) sync(f *flush, child *state, parent mem.Ptr) {
	for _, cc := range g.childCols {
		if cc.zero(child.obj) {
			f.filled(child, cc) // a new child's key: set back to zero, no copy kept
		} else {
			f.overwrite(child, cc)
		}
	}
	g.assign(child.obj, parent)
}

// assign copies parent's key into child's foreign key (NULL when parent is
// nil).
func (g *fkGroup) assign(child, parent mem.Ptr) {
	for i, cc := range g.childCols {
		if parent.IsNil() {
			cc.setZero(child)
			continue
		}
		copyKey(cc, g.childKey.parts[i], child, g.parentCols[i], g.parentKey.parts[i], parent)
	}
}

// hasKey reports whether the child st holds a key in its object (not
// NULL; not zero either when st is pending).
func (g *fkGroup) hasKey(st *state) bool {
	_, ok := g.childKey.keyIn(st, st.obj)
	return ok
}

// parentKeyOf returns the key of parent, an object of g's parent model:
// as stored when the session holds it as a row (its zero key is a value),
// else as a new object's (zero meaning not known yet).
func (g *fkGroup) parentKeyOf(s *Session, parent mem.Ptr) (idKey, bool) {
	k, zero, ok := g.parentKey.read(parent)
	if ok && zero {
		st := s.stateOf(g.parent, parent)
		ok = st != nil && st.status != Pending
	}
	return k, ok
}

// differs reports whether writing parent (nil: NULL) into the foreign key
// of the child st would change it.
func (g *fkGroup) differs(s *Session, st *state, parent mem.Ptr) bool {
	ck, cok := g.childKey.keyIn(st, st.obj)
	if parent.IsNil() {
		return cok
	}
	pk, pok := g.parentKeyOf(s, parent)
	return !pok || !cok || pk != ck
}

// buildRules is the registry's last pass: a rule per relationship, the
// foreign key groups and the key checks. Every problem is returned.
func (r *Registry) buildRules() error {
	groups := map[*schema.ForeignKey]*fkGroup{}
	var errs []error
	for _, rel := range r.rels.All() {
		rb := r.newRelBase(rel)
		if rel.Side != relation.FKOnSecondary {
			g := groups[rel.ForeignKey]
			if g == nil {
				g = newFKGroup(r, rel)
				groups[rel.ForeignKey] = g
				if g.unique {
					g.child.uniqueKeys = append(g.child.uniqueKeys, g)
				}
				g.child.childOf = append(g.child.childOf, g)
				if err := g.childKey.matches(&g.parentKey); err != nil {
					errs = append(errs, &relation.RelationError{Type: rel.Table.GoType, Field: rel.Name, Tag: rel.Tag,
						Err: fmt.Errorf("foreign key %s: %w: %w", g.child.table.Name, err, relation.ErrKeyType)})
				}
			}
			rb.fk = g
			if rel.Side == relation.FKOnOwner {
				g.childSides = append(g.childSides, rb)
			} else {
				g.parentSides = append(g.parentSides, rb)
			}
		}
		ru := newRule(rb)
		r.rules = append(r.rules, ru)
		rb.owner.rules = append(rb.owner.rules, ru)
	}
	for _, ru := range r.rules {
		if b := ru.base().r.Back; b != nil {
			ru.base().back = r.ruleOf(b).base()
		}
	}
	return errors.Join(errs...)
}

// newRule picks the rule type of a relationship's direction.
func newRule(rb *relBase) rule {
	switch {
	case rb.r.Side == relation.FKOnSecondary:
		return &manyToMany{relBase: rb}
	case rb.r.Side == relation.FKOnOwner:
		return &manyToOne{relBase: rb}
	case rb.r.Uselist:
		return &oneToMany{relBase: rb}
	}
	return &oneToOne{oneToMany{relBase: rb}}
}

func (r *Registry) newRelBase(rel *relation.Relation) *relBase {
	owner, target := r.byTable[rel.Table], r.byTable[rel.Target]
	rb := &relBase{r: rel, id: len(r.rules), idx: len(owner.rules), owner: owner, target: target}
	rb.local, rb.remote = colsOf(owner, rel.LocalColumns), colsOf(target, rel.RemoteColumns)
	keyOwner := owner // the model whose rows the join's key names
	if rel.Side == relation.FKOnOwner {
		keyOwner = target
	}
	rb.localKey, rb.remoteKey = newKeyCodec(keyOwner, rb.local), newKeyCodec(keyOwner, rb.remote)
	if rel.Side == relation.FKOnSecondary {
		rb.remoteKey = newKeyCodec(target, rb.remote)
	}
	return rb
}

func newFKGroup(r *Registry, rel *relation.Relation) *fkGroup {
	parent, child := r.byTable[rel.Parent()], r.byTable[rel.Child()]
	g := &fkGroup{fk: rel.ForeignKey, parent: parent, child: child, nullable: rel.Nullable, unique: rel.UniqueForeignKey}
	for _, p := range rel.Sync {
		g.parentCols = append(g.parentCols, colOf(parent, p.Parent))
		g.childCols = append(g.childCols, colOf(child, p.Child))
		g.keyInPK = g.keyInPK || g.childCols[len(g.childCols)-1].pk
	}
	g.parentKey, g.childKey = newKeyCodec(parent, g.parentCols), newKeyCodec(parent, g.childCols)
	g.ident = len(g.parentCols) == len(parent.pk)
	for i, c := range g.parentCols {
		g.ident = g.ident && c == parent.pk[i]
	}
	return g
}

// ruleOf returns the rule of a resolved relationship of the registry.
func (r *Registry) ruleOf(rel *relation.Relation) rule {
	for _, ru := range r.byTable[rel.Table].rules {
		if ru.base().r == rel {
			return ru
		}
	}
	return nil
}

func colsOf(m *model, cols []*schema.Column) []*column {
	out := make([]*column, len(cols))
	for i, c := range cols {
		out[i] = colOf(m, c)
	}
	return out
}

func colOf(m *model, c *schema.Column) *column {
	if i := indexOf(m.table.Columns, c); i >= 0 {
		return m.cols[i]
	}
	return m.column(c.Name)
}

// The accessors below read and write the relationship field of an owner
// (a value of the owner's model type) without reflection when the field is
// reached by its offset; targets point to values of the target's type.

// one returns the pointer a to-one field holds (nil when unset).
func (rb *relBase) one(owner mem.Ptr) mem.Ptr {
	p := rb.fieldRead(owner)
	if p.IsNil() {
		return mem.Ptr{}
	}
	return mem.LoadPtr(p)
}

// setOne stores t (nil clears it) in a to-one field.
func (rb *relBase) setOne(owner, t mem.Ptr) { mem.StorePtr(rb.fieldWrite(owner), t) }

// many returns the elements of a collection field, sharing its backing
// array; nil when unset.
func (rb *relBase) many(owner mem.Ptr) []mem.Ptr {
	p := rb.fieldRead(owner)
	if p.IsNil() {
		return nil
	}
	return mem.LoadPtrs(p)
}

// setMany replaces the elements of a collection field with ts, which the
// field then shares.
func (rb *relBase) setMany(owner mem.Ptr, ts []mem.Ptr) {
	mem.StorePtrs(rb.fieldWrite(owner), ts)
}

// appendTo adds t at the end of a collection field.
func (rb *relBase) appendTo(owner, t mem.Ptr) {
	p := rb.fieldWrite(owner)
	mem.StorePtrs(p, append(mem.LoadPtrs(p), t))
}

// fieldRead returns the field's address inside owner, or nil when a nil
// embedded pointer is on the path.
func (rb *relBase) fieldRead(owner mem.Ptr) mem.Ptr {
	if f := rb.r.Field; f.Direct {
		return owner.Add(f.Offset)
	}
	return mem.FieldOrNil(rb.r.Table.GoType, owner, rb.r.Field.Index)
}

// fieldWrite returns the field's address inside owner, allocating nil
// embedded pointers on the path.
func (rb *relBase) fieldWrite(owner mem.Ptr) mem.Ptr {
	if f := rb.r.Field; f.Direct {
		return owner.Add(f.Offset)
	}
	return mem.Field(rb.r.Table.GoType, owner, rb.r.Field.Index)
}
