package relation

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/crucible-orm/crucible/schema"
)

// Resolve reads the RelationFields of tables and returns the relationships
// and the association tables that many_to_many `secondary:` names imply but
// no model maps. It works in passes: parse tags and find targets; pair
// back_populates; resolve secondary tables; infer foreign keys; check that
// paired sides agree; then cascades, loading strategies and ordering.
// Every problem is a *RelationError, all joined into the returned error;
// on error the Set and tables are nil. Resolve reads tables and never
// changes them.
func Resolve(tables []*schema.Table) (*Set, []*schema.Table, error) {
	r := newResolver(tables)
	r.collect()
	r.pairAll()
	r.secondaries()
	r.foreignKeys()
	r.checkPairs()
	r.finish()
	if len(r.errs) > 0 {
		return nil, nil, errors.Join(r.errs...)
	}
	return r.set(), r.extra, nil
}

// item is a relationship being resolved.
type item struct {
	rel  *Relation
	spec *spec
	pos  int  // index in resolver.items
	bad  bool // an error was reported; later passes skip it
	done bool // the foreign key side is known
}

type fieldKey struct {
	table *schema.Table
	name  string
}

type resolver struct {
	tables []*schema.Table
	byType map[reflect.Type]*schema.Table
	byName map[string]*schema.Table
	items  []*item
	byRel  map[*Relation]*item
	field  map[fieldKey]*item
	extra  []*schema.Table
	errs   []error
}

func newResolver(tables []*schema.Table) *resolver {
	r := &resolver{
		tables: tables,
		byType: map[reflect.Type]*schema.Table{},
		byName: map[string]*schema.Table{},
		byRel:  map[*Relation]*item{},
		field:  map[fieldKey]*item{},
	}
	for _, t := range tables {
		if t.GoType != nil {
			r.byType[t.GoType] = t
		}
		r.byName[qualified(t.Schema, t.Name)] = t
	}
	has := func(nsp, name string) bool { return r.byName[qualified(nsp, name)] != nil }
	for _, t := range tables {
		for _, fk := range t.ForeignKeys {
			fk.RefSchema = schema.ReferenceSchema(fk, has) // as the metadata will
		}
	}
	return r
}

func qualified(schemaName, name string) string {
	if schemaName == "" {
		return name
	}
	return schemaName + "." + name
}

// fail records a RelationError for it, naming other as the other side.
func (r *resolver) fail(it *item, other string, err error) {
	it.bad = true
	rel := it.rel
	r.errs = append(r.errs, &RelationError{
		Type: rel.Table.GoType, Field: rel.Name, Tag: rel.Tag, Other: other, Err: err,
	})
}

func (r *resolver) failf(it *item, other string, format string, args ...any) {
	r.fail(it, other, fmt.Errorf(format, args...))
}

// live returns the items no error has been reported for.
func (r *resolver) live() []*item {
	out := make([]*item, 0, len(r.items))
	for _, it := range r.items {
		if !it.bad {
			out = append(out, it)
		}
	}
	return out
}

// collect parses every tag and finds every target (pass 1).
func (r *resolver) collect() {
	for _, t := range r.tables {
		for _, f := range t.Relations {
			r.add(t, f)
		}
	}
}

func (r *resolver) add(t *schema.Table, f *schema.RelationField) {
	rel := &Relation{Name: f.Name, Table: t, Field: f, Tag: f.Tag, OwnerKey: t.PrimaryKeyColumns()}
	it := &item{rel: rel, pos: len(r.items)}
	r.items = append(r.items, it)
	r.byRel[rel] = it
	r.field[fieldKey{t, f.Name}] = it
	sp, err := parseSpec(f.Tag)
	if err != nil {
		r.fail(it, "", err)
		return
	}
	it.spec = sp
	rel.Kind, rel.Uselist, rel.BackPopulates = sp.kind, sp.kind.Collection(), sp.backPopulates
	if err := checkFieldType(f, sp.kind); err != nil {
		r.fail(it, "", err)
		return
	}
	r.setTarget(it)
}

// checkFieldType checks that a to-one kind has a *T field and a collection
// a []*T field, T a struct.
func checkFieldType(f *schema.RelationField, k Kind) error {
	want := "*T"
	if k.Collection() {
		want = "[]*T"
	}
	if f.Type == nil || f.Target == nil || f.Target.Kind() != reflect.Struct || !shapeFits(f.Type, k) {
		return fmt.Errorf("%s needs a %s field with T a model struct, not %v: %w", k, want, f.Type, ErrFieldType)
	}
	return nil
}

func shapeFits(t reflect.Type, k Kind) bool {
	if k.Collection() {
		if t.Kind() != reflect.Slice {
			return false
		}
		t = t.Elem()
	}
	return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct
}

func (r *resolver) setTarget(it *item) {
	rel := it.rel
	target := r.byType[rel.Field.Target]
	if target == nil {
		r.failf(it, rel.Field.Target.String(), "%v is not registered (pass &%s{} to the registry): %w",
			rel.Field.Target, rel.Field.Target.Name(), ErrUnknownTarget)
		return
	}
	rel.Target, rel.TargetKey = target, target.PrimaryKeyColumns()
	rel.SelfReferential = target == rel.Table
}

// pairAll links back_populates partners (pass 2).
func (r *resolver) pairAll() {
	for _, it := range r.live() {
		if it.spec.backPopulates != "" {
			r.pair(it)
		}
	}
}

func (r *resolver) pair(it *item) {
	rel, name := it.rel, it.spec.backPopulates
	other := typeName(rel.Target) + "." + name
	p := r.field[fieldKey{rel.Target, name}]
	switch {
	case p == nil:
		r.failf(it, other, "back_populates:%s: %s has no relationship field %s: %w", name, typeName(rel.Target), name, ErrUnknownField)
	case p.spec == nil || p.rel.Target == nil:
		// The other side is broken and reported on its own.
	case p == it:
		r.failf(it, other, "back_populates:%s names the field itself: %w", name, ErrBackPopulates)
	case p.rel.Target != rel.Table:
		r.failf(it, other, "%s relates %s, not %s: %w", other, typeName(p.rel.Target), typeName(rel.Table), ErrBackPopulates)
	case p.spec.backPopulates != rel.Name:
		r.failf(it, other, "%s must declare back_populates:%s%s: %w", other, rel.Name, saysInstead(p.spec.backPopulates), ErrBackPopulates)
	case !rel.Kind.pairs(p.rel.Kind):
		r.kindMismatch(it, p)
	default:
		rel.Back = p.rel
	}
}

func saysInstead(name string) string {
	if name == "" {
		return ""
	}
	return " (it says back_populates:" + name + ")"
}

// kindMismatch reports a pair of kinds that cannot go together, once per
// pair: on the side that comes first.
func (r *resolver) kindMismatch(it, p *item) {
	if p.pos < it.pos {
		it.bad = true
		return
	}
	r.failf(it, p.rel.String(), "%s cannot pair with %s %s (%s pairs with %s): %w",
		it.rel.Kind, p.rel.Kind, p.rel, it.rel.Kind, partnerKinds(it.rel.Kind), ErrKindMismatch)
}

func partnerKinds(k Kind) string {
	switch k {
	case OneToMany:
		return "many_to_one"
	case ManyToOne:
		return "one_to_many or one_to_one"
	case OneToOne:
		return "one_to_one or many_to_one"
	}
	return "many_to_many"
}

// set builds the Set from the resolved items.
func (r *resolver) set() *Set {
	s := &Set{
		byTable:  map[*schema.Table][]*Relation{},
		byTarget: map[*schema.Table][]*Relation{},
		byType:   r.byType,
	}
	for _, it := range r.items {
		rel := it.rel
		s.all = append(s.all, rel)
		s.byTable[rel.Table] = append(s.byTable[rel.Table], rel)
		s.byTarget[rel.Target] = append(s.byTarget[rel.Target], rel)
	}
	return s
}
