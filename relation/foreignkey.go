package relation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// foreignKeys finds the foreign key of every direct (not many_to_many)
// relationship (pass 4). A side whose partner can tell it (one_to_many
// beside a many_to_one) waits for the partner; when a round makes no
// progress, the waiting sides infer on their own.
func (r *resolver) foreignKeys() {
	var pending []*item
	for _, it := range r.live() {
		if it.rel.Kind != ManyToMany {
			pending = append(pending, it)
		}
	}
	final := false
	for len(pending) > 0 {
		var next []*item
		for _, it := range pending {
			if !r.resolveFK(it, final) {
				next = append(next, it)
			}
		}
		final = len(next) == len(pending)
		pending = next
	}
}

// resolveFK resolves it, or returns false to wait for its partner.
func (r *resolver) resolveFK(it *item, final bool) bool {
	switch {
	case len(it.spec.foreignKey) > 0:
		r.explicitFK(it)
	case it.rel.Kind == ManyToOne:
		r.inferManyToOne(it)
	default:
		if p := r.partner(it); p != nil {
			if p.bad {
				it.bad = true // the partner's error is about the same key
				return true
			}
			if p.done {
				r.mirror(it, p)
				return true
			}
			if !final {
				return r.ownFieldID(it, p)
			}
		}
		r.inferParentSide(it)
	}
	return true
}

// ownFieldID breaks the wait between two one_to_one sides: the one with a
// <Field>ID foreign key of its own holds the key, whatever the field order.
func (r *resolver) ownFieldID(it, p *item) bool {
	rel := it.rel
	if rel.Kind != OneToOne || p.rel.Kind != OneToOne {
		return false
	}
	fk := fieldIDKey(rel.Table, rel.Name+"ID", rel.Target)
	if fk != nil {
		r.setSide(it, FKOnOwner, fk)
	}
	return fk != nil
}

func (r *resolver) partner(it *item) *item {
	if it.rel.Back == nil {
		return nil
	}
	return r.byRel[it.rel.Back]
}

// mirror takes the partner's foreign key, from the other side.
func (r *resolver) mirror(it, p *item) {
	if p.rel.Side == FKOnOwner {
		r.setSide(it, FKOnTarget, p.rel.ForeignKey)
		return
	}
	r.setSide(it, FKOnOwner, p.rel.ForeignKey)
}

// explicitFK resolves `foreign_key:Field`: on the owner for many_to_one, on
// the target for one_to_many, and for one_to_one on whichever side has it
// (the owner first; a partner already using those columns is mirrored, and
// a self-referential partner whose <Field>ID it is holds it).
func (r *resolver) explicitFK(it *item) {
	rel, names := it.rel, it.spec.foreignKey
	switch rel.Kind {
	case ManyToOne:
		r.named(it, FKOnOwner, names)
	case OneToMany:
		r.named(it, FKOnTarget, names)
	default:
		r.explicitOneToOne(it, names)
	}
}

func (r *resolver) explicitOneToOne(it *item, names []string) {
	rel := it.rel
	if p := r.partner(it); p != nil && p.done && sameNames(p.rel.Child(), p.rel.ForeignKey.Columns, names) {
		r.mirror(it, p)
		return
	}
	if r.partnerHolds(it, names) {
		r.named(it, FKOnTarget, names)
		return
	}
	if cols, _ := lookupColumns(rel.Table, names); cols != nil && fkWith(rel.Table, cols, rel.Target) != nil {
		r.named(it, FKOnOwner, names)
		return
	}
	r.named(it, FKOnTarget, names)
}

// partnerHolds reports whether, in a self-referential one_to_one, the
// named key is the partner's <Field>ID (Prev naming NextID): the partner
// then holds it, whatever the field order.
func (r *resolver) partnerHolds(it *item, names []string) bool {
	p := r.partner(it)
	if !it.rel.SelfReferential || p == nil {
		return false
	}
	fk := fieldIDKey(it.rel.Table, p.rel.Name+"ID", it.rel.Target)
	return fk != nil && sameNames(it.rel.Table, fk.Columns, names)
}

// named resolves the foreign key made of the named fields of the side's
// holder.
func (r *resolver) named(it *item, side Side, names []string) {
	holder, ref := r.holder(it.rel, side)
	cols, err := lookupColumns(holder, names)
	if err != nil {
		r.failf(it, typeName(it.rel.Target), "foreign_key:%s: %w", strings.Join(names, "|"), err)
		return
	}
	fk := fkWith(holder, cols, ref)
	if fk == nil {
		r.failf(it, typeName(it.rel.Target), "foreign_key:%s: %s.%s is not a foreign key to %s (declare it with %s): %w",
			strings.Join(names, "|"), typeName(holder), strings.Join(names, "|"), ref.Name, fkHint(ref), ErrNoForeignKey)
		return
	}
	r.setSide(it, side, fk)
}

// holder returns the table holding the foreign key on side and the table
// it references.
func (r *resolver) holder(rel *Relation, side Side) (holder, ref *schema.Table) {
	if side == FKOnOwner {
		return rel.Table, rel.Target
	}
	return rel.Target, rel.Table
}

// inferManyToOne uses the owner's <Field>ID foreign key, else the single
// foreign key from the owner to the target.
func (r *resolver) inferManyToOne(it *item) {
	rel := it.rel
	if fk := fieldIDKey(rel.Table, rel.Name+"ID", rel.Target); fk != nil {
		r.setSide(it, FKOnOwner, fk)
		return
	}
	r.single(it, FKOnOwner, fksTo(rel.Table, rel.Target))
}

// inferParentSide resolves a one_to_many (the target's <Owner>ID, else the
// single key from the target to the owner) or a one_to_one (the owner's
// <Field>ID, the target's <Owner>ID, else the single key either way).
func (r *resolver) inferParentSide(it *item) {
	rel := it.rel
	ownerID := rel.Table.GoType.Name() + "ID"
	if rel.Kind == OneToOne {
		if fk := fieldIDKey(rel.Table, rel.Name+"ID", rel.Target); fk != nil {
			r.setSide(it, FKOnOwner, fk)
			return
		}
	}
	if fk := fieldIDKey(rel.Target, ownerID, rel.Table); fk != nil && !(rel.Kind == OneToOne && rel.SelfReferential) {
		r.setSide(it, FKOnTarget, fk)
		return
	}
	if rel.Kind == OneToMany {
		r.single(it, FKOnTarget, fksTo(rel.Target, rel.Table))
		return
	}
	r.singleOneToOne(it)
}

func (r *resolver) singleOneToOne(it *item) {
	rel := it.rel
	owned, held := fksTo(rel.Table, rel.Target), fksTo(rel.Target, rel.Table)
	switch {
	case rel.SelfReferential || len(held) == 0:
		r.single(it, FKOnOwner, owned)
	case len(owned) == 0:
		r.single(it, FKOnTarget, held)
	default:
		r.failf(it, typeName(rel.Target), "both %s and %s have foreign keys to each other (%s): add foreign_key: naming one: %w",
			typeName(rel.Table), typeName(rel.Target), fieldList(rel.Table, owned)+", "+fieldList(rel.Target, held), ErrAmbiguousForeignKey)
	}
}

// single resolves to the only candidate, or reports none or several.
func (r *resolver) single(it *item, side Side, fks []*schema.ForeignKey) {
	holder, ref := r.holder(it.rel, side)
	switch len(fks) {
	case 1:
		r.setSide(it, side, fks[0])
	case 0:
		r.failf(it, typeName(it.rel.Target), "no foreign key from %s to %s: declare one with %s on a field of %s, or name it with foreign_key:FIELD: %w",
			holder.Name, ref.Name, fkHint(ref), typeName(holder), ErrNoForeignKey)
	default:
		r.failf(it, typeName(it.rel.Target), "%s has %d foreign keys to %s (%s): add foreign_key: naming one: %w",
			typeName(holder), len(fks), ref.Name, fieldList(holder, fks), ErrAmbiguousForeignKey)
	}
}

// setSide fills the join and sync columns of a direct relationship.
func (r *resolver) setSide(it *item, side Side, fk *schema.ForeignKey) {
	rel := it.rel
	holder, ref := r.holder(rel, side)
	fkCols, err1 := lookupColumns(holder, fk.Columns)
	refCols, err2 := lookupColumns(ref, refColumns(fk, ref))
	if err := firstErr(err1, err2); err != nil {
		r.failf(it, typeName(rel.Target), "foreign key %s: %w", fk.Name, err)
		return
	}
	rel.Side, rel.ForeignKey, rel.Nullable = side, fk, allNullable(fkCols)
	if side == FKOnOwner {
		rel.LocalColumns, rel.RemoteColumns = fkCols, refCols
	} else {
		rel.LocalColumns, rel.RemoteColumns = refCols, fkCols
	}
	rel.Sync = pairs(refCols, fkCols)
	it.done = true
}

// fksTo returns holder's foreign keys referencing ref, in declaration order.
func fksTo(holder, ref *schema.Table) []*schema.ForeignKey {
	var out []*schema.ForeignKey
	for _, fk := range holder.ForeignKeys {
		if references(fk, ref) {
			out = append(out, fk)
		}
	}
	return out
}

// references reports whether fk references ref; the resolver has put each
// key's RefSchema where its table is (schema.ReferenceSchema).
func references(fk *schema.ForeignKey, ref *schema.Table) bool {
	return fk.RefTable == ref.Name && fk.RefSchema == ref.Schema
}

// fieldIDKey returns the single-column foreign key to ref on holder's
// field named field, or nil.
func fieldIDKey(holder *schema.Table, field string, ref *schema.Table) *schema.ForeignKey {
	c := holder.ColumnByField(field)
	if c == nil {
		return nil
	}
	return fkWith(holder, []*schema.Column{c}, ref)
}

// fkWith returns holder's foreign key to ref made of exactly cols, or nil.
func fkWith(holder *schema.Table, cols []*schema.Column, ref *schema.Table) *schema.ForeignKey {
	names := columnNames(cols)
	for _, fk := range fksTo(holder, ref) {
		if slices.Equal(fk.Columns, names) {
			return fk
		}
	}
	return nil
}

// refColumns returns the referenced column names, the referenced table's
// primary key when the foreign key leaves them out.
func refColumns(fk *schema.ForeignKey, ref *schema.Table) []string {
	if len(fk.RefColumns) == 0 && ref.PrimaryKey != nil {
		return ref.PrimaryKey.Columns
	}
	return fk.RefColumns
}

// lookupColumns finds columns by Go field name or column name.
func lookupColumns(t *schema.Table, names []string) ([]*schema.Column, error) {
	cols := make([]*schema.Column, 0, len(names))
	for _, n := range names {
		c := t.ColumnByField(n)
		if c == nil {
			c = t.Column(n)
		}
		if c == nil {
			return nil, fmt.Errorf("%s has no field or column %s: %w", typeName(t), n, ErrUnknownField)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

func sameNames(t *schema.Table, columns, names []string) bool {
	cols, err := lookupColumns(t, names)
	return err == nil && slices.Equal(columnNames(cols), columns)
}

func columnNames(cols []*schema.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func allNullable(cols []*schema.Column) bool {
	for _, c := range cols {
		if !c.Nullable {
			return false
		}
	}
	return len(cols) > 0
}

func pairs(parents, children []*schema.Column) []Pair {
	out := make([]Pair, len(parents))
	for i := range parents {
		out[i] = Pair{Parent: parents[i], Child: children[i]}
	}
	return out
}

// fieldList names foreign keys by their first column's Go field.
func fieldList(t *schema.Table, fks []*schema.ForeignKey) string {
	names := make([]string, len(fks))
	for i, fk := range fks {
		names[i] = fieldOf(t, fk.Columns)
	}
	return strings.Join(names, ", ")
}

func fieldOf(t *schema.Table, columns []string) string {
	names := make([]string, len(columns))
	for i, n := range columns {
		names[i] = n
		if c := t.Column(n); c != nil && c.Field != nil {
			names[i] = lastName(c.Field.Name)
		}
	}
	return strings.Join(names, "|")
}

func lastName(dotted string) string {
	if i := strings.LastIndexByte(dotted, '.'); i >= 0 {
		return dotted[i+1:]
	}
	return dotted
}

// fkHint spells the orm tag that declares a key to ref.
func fkHint(ref *schema.Table) string {
	col := "id"
	if ref.PrimaryKey != nil && len(ref.PrimaryKey.Columns) == 1 {
		col = ref.PrimaryKey.Columns[0]
	}
	return "`orm:\"fk:" + qualified(ref.Schema, ref.Name) + "." + col + "\"`"
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
