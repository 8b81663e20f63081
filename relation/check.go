package relation

import (
	"fmt"
	"slices"

	"github.com/crucible-orm/crucible/schema"
)

// checkPairs checks that the two sides of every back_populates pair use the
// same foreign key from opposite ends (or the same secondary table), and
// that every one_to_one's foreign key is unique (pass 5). A problem shared
// by a pair is reported once, on the side declared first.
func (r *resolver) checkPairs() {
	for _, it := range r.items {
		if it.bad || !it.done {
			continue
		}
		p := r.partner(it)
		if p != nil && !p.bad && p.done && it.pos < p.pos {
			r.checkAgree(it, p)
		}
		if it.rel.Kind == OneToOne && (p == nil || p.rel.Kind != OneToOne || it.pos < p.pos) {
			r.checkUnique(it)
		}
	}
}

func (r *resolver) checkAgree(it, p *item) {
	a, b := it.rel, p.rel
	switch {
	case a.Kind == ManyToMany && a.Secondary != b.Secondary:
		r.failf(it, b.String(), "secondary:%s but %s uses secondary:%s: %w", a.Secondary.Name, b, b.Secondary.Name, ErrSecondary)
	case a.Kind == ManyToMany && (a.ForeignKey != b.SecondaryForeignKey || a.SecondaryForeignKey != b.ForeignKey):
		r.failf(it, b.String(), "the two sides use the columns of %s the same way round (%s to the owner in both): %w",
			a.Secondary.Name, fieldOf(a.Secondary, a.ForeignKey.Columns), ErrForeignKeyMismatch)
	case a.Kind != ManyToMany && (a.ForeignKey != b.ForeignKey || a.Side == b.Side):
		r.failf(it, b.String(), "uses %s.%s but %s uses %s.%s: %w",
			a.Child().Name, fieldOf(a.Child(), a.ForeignKey.Columns), b, b.Child().Name, fieldOf(b.Child(), b.ForeignKey.Columns), ErrForeignKeyMismatch)
	}
}

// checkUnique requires the foreign key of a one_to_one to be covered by the
// primary key, a unique constraint or a plain unique index of its table.
func (r *resolver) checkUnique(it *item) {
	rel := it.rel
	holder := rel.Child()
	if isUnique(holder, rel.ForeignKey.Columns) {
		return
	}
	other := ""
	if rel.Back != nil {
		other = rel.Back.String()
	}
	r.failf(it, other, "%s.%s is not unique, so one %s could have many %s: add `orm:\"unique\"` to it: %w",
		typeName(holder), fieldOf(holder, rel.ForeignKey.Columns), typeName(rel.Parent()), typeName(holder), ErrNotUnique)
}

func isUnique(t *schema.Table, cols []string) bool {
	if t.PrimaryKey != nil && sameSet(t.PrimaryKey.Columns, cols) {
		return true
	}
	for _, u := range t.Uniques {
		if sameSet(u.Columns, cols) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Unique && ix.Where == "" && len(ix.Exprs) == 0 && sameSet(ix.Columns, cols) {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// finish sets cascades, loading strategies, ordering and passive deletes
// (pass 6).
func (r *resolver) finish() {
	for _, it := range r.items {
		if it.bad || !it.done {
			continue
		}
		r.setCascade(it)
		r.setOrder(it)
		rel := it.rel
		rel.Lazy = it.spec.lazy
		if rel.Lazy == 0 {
			rel.Lazy = Select
		}
		rel.EagerStrategy = eagerStrategy(rel.Kind, rel.Lazy)
		rel.PassiveDeletes = passive(rel)
		rel.UniqueForeignKey = isUnique(rel.Child(), rel.ForeignKey.Columns)
	}
}

func (r *resolver) setCascade(it *item) {
	rel := it.rel
	rel.Cascade = DefaultCascade
	if it.spec.cascadeSet {
		rel.Cascade = it.spec.cascade
	}
	if !rel.Cascade.Has(DeleteOrphan) {
		return
	}
	switch {
	case !rel.Cascade.Has(Delete):
		r.failf(it, "", "cascade:%s: delete-orphan needs delete (write cascade:all|delete-orphan): %w", rel.Cascade, ErrCascade)
	case rel.Kind == ManyToMany:
		r.failf(it, "", "cascade:%s: delete-orphan cannot apply to a many_to_many, whose targets may have other owners: %w", rel.Cascade, ErrCascade)
	case rel.Side == FKOnOwner:
		r.failf(it, backName(rel), "cascade:%s: delete-orphan belongs on the parent side (%s), not on the %s that holds the foreign key: %w",
			rel.Cascade, parentSideName(rel), rel.Kind, ErrCascade)
	}
}

func backName(rel *Relation) string {
	if rel.Back == nil {
		return ""
	}
	return rel.Back.String()
}

func parentSideName(rel *Relation) string {
	if rel.Back != nil {
		return rel.Back.String()
	}
	return "a one_to_many on " + typeName(rel.Target)
}

// setOrder resolves `order_by:` names on the target, then (many_to_many)
// on the secondary table.
func (r *resolver) setOrder(it *item) {
	rel := it.rel
	if len(it.spec.orderBy) > 0 && !rel.Uselist {
		r.failf(it, "", "order_by applies only to collections, not to a %s: %w", rel.Kind, ErrBadValue)
		return
	}
	for _, o := range it.spec.orderBy {
		ord, err := orderColumn(rel, o)
		if err != nil {
			r.failf(it, typeName(rel.Target), "order_by:%s: %w", o.name, err)
			return
		}
		rel.OrderBy = append(rel.OrderBy, ord)
	}
}

func orderColumn(rel *Relation, o orderSpec) (Order, error) {
	if cols, err := lookupColumns(rel.Target, []string{o.name}); err == nil {
		return Order{Column: cols[0], Desc: o.desc}, nil
	}
	if rel.Secondary != nil {
		if cols, err := lookupColumns(rel.Secondary, []string{o.name}); err == nil {
			return Order{Column: cols[0], Desc: o.desc, Secondary: true}, nil
		}
	}
	return Order{}, fmt.Errorf("%s has no field or column %s: %w", typeName(rel.Target), o.name, ErrUnknownField)
}

// passive reports whether the database itself deletes or detaches the rows
// depending on a deleted owner.
func passive(rel *Relation) bool {
	switch rel.Side {
	case FKOnTarget:
		return rel.ForeignKey.OnDelete == schema.Cascade || rel.ForeignKey.OnDelete == schema.SetNull
	case FKOnSecondary:
		return rel.ForeignKey.OnDelete == schema.Cascade
	}
	return false
}
