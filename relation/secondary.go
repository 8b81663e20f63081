package relation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// secondaries resolves the association table of every many_to_many
// (pass 3): a mapped table of that name has its two foreign keys found;
// an unmapped name gets a table built once for all relationships naming it.
func (r *resolver) secondaries() {
	groups := map[string][]*item{}
	var names []string
	for _, it := range r.live() {
		name := it.spec.secondary
		switch {
		case it.rel.Kind != ManyToMany && name != "":
			r.failf(it, name, "secondary:%s applies only to many_to_many: %w", name, ErrSecondary)
		case it.rel.Kind != ManyToMany:
		case name == "":
			r.failf(it, "", "many_to_many needs secondary:TABLE naming the association table: %w", ErrSecondary)
		case r.byName[name] != nil:
			r.mapped(it, r.byName[name])
		default:
			if groups[name] == nil {
				names = append(names, name)
			}
			groups[name] = append(groups[name], it)
		}
	}
	for _, name := range names {
		r.synthesize(name, groups[name])
	}
}

// mapped finds the two foreign keys of a mapped association table: the one
// to the owner (foreign_key: names it, else the only one) and the one to
// the target (the partner's foreign_key:, else the only other one).
func (r *resolver) mapped(it *item, sec *schema.Table) {
	rel := it.rel
	var partnerNames []string
	if p := r.partner(it); p != nil && p.spec.secondary == it.spec.secondary {
		partnerNames = p.spec.foreignKey
	}
	var local, remote *schema.ForeignKey
	var err error
	if rel.SelfReferential && len(it.spec.foreignKey) == 0 && len(partnerNames) > 0 {
		remote, err = pickFK(sec, rel.Target, partnerNames, nil)
		if err == nil {
			local, err = pickFK(sec, rel.Table, nil, remote)
		}
	} else {
		local, err = pickFK(sec, rel.Table, it.spec.foreignKey, nil)
		if err == nil {
			remote, err = pickFK(sec, rel.Target, partnerNames, local)
		}
	}
	if err != nil {
		r.failf(it, sec.Name, "secondary:%s: %w", sec.Name, err)
		return
	}
	rel.SecondaryMapped = true
	r.setSecondary(it, sec, local, remote)
}

// pickFK returns holder's foreign key to ref made of the named columns, or
// else the only one left once exclude is set aside.
func pickFK(holder, ref *schema.Table, names []string, exclude *schema.ForeignKey) (*schema.ForeignKey, error) {
	if len(names) > 0 {
		cols, err := lookupColumns(holder, names)
		if err != nil {
			return nil, err
		}
		if fk := fkWith(holder, cols, ref); fk != nil {
			return fk, nil
		}
		return nil, fmt.Errorf("%s.%s is not a foreign key to %s: %w", holder.Name, strings.Join(names, "|"), ref.Name, ErrNoForeignKey)
	}
	cands := slices.DeleteFunc(fksTo(holder, ref), func(fk *schema.ForeignKey) bool { return fk == exclude })
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
		return nil, fmt.Errorf("%s has no foreign key to %s: %w", holder.Name, ref.Name, ErrNoForeignKey)
	}
	return nil, fmt.Errorf("%s has %d foreign keys to %s (%s): add foreign_key: naming the one that references this side: %w",
		holder.Name, len(cands), ref.Name, fieldList(holder, cands), ErrAmbiguousForeignKey)
}

// setSecondary fills the join and sync columns of a many_to_many.
func (r *resolver) setSecondary(it *item, sec *schema.Table, local, remote *schema.ForeignKey) {
	rel := it.rel
	secLocal, e1 := lookupColumns(sec, local.Columns)
	ownerCols, e2 := lookupColumns(rel.Table, refColumns(local, rel.Table))
	secRemote, e3 := lookupColumns(sec, remote.Columns)
	targetCols, e4 := lookupColumns(rel.Target, refColumns(remote, rel.Target))
	if err := firstErr(e1, e2, e3, e4); err != nil {
		r.failf(it, sec.Name, "secondary:%s: %w", sec.Name, err)
		return
	}
	rel.Side, rel.Secondary = FKOnSecondary, sec
	rel.ForeignKey, rel.SecondaryForeignKey = local, remote
	rel.LocalColumns, rel.RemoteColumns = ownerCols, targetCols
	rel.SecondaryLocal, rel.SecondaryRemote = secLocal, secRemote
	rel.Sync, rel.SecondarySync = pairs(ownerCols, secLocal), pairs(targetCols, secRemote)
	it.done = true
}

// side is one half of a built association table: the table referenced and
// the names of the columns referencing it.
type side struct {
	table *schema.Table
	names []string
	by    *item // the relationship whose foreign_key: gave the names, if any
}

// synthesize builds the association table an unmapped secondary name
// implies, from every relationship naming it.
func (r *resolver) synthesize(name string, group []*item) {
	first := reference(group)
	group = slices.DeleteFunc(slices.Clone(group), func(it *item) bool {
		if samePair(it.rel, first.Table, first.Target) {
			return false
		}
		r.failf(it, first.String(), "secondary:%s already links %s and %s: %w",
			name, typeName(first.Table), typeName(first.Target), ErrSecondary)
		return true
	})
	sides, ok := r.sides(name, group)
	if !ok || !r.checkSides(name, group, sides) {
		return
	}
	sec := buildSecondary(name, sides)
	r.extra = append(r.extra, sec)
	for _, it := range group {
		i := sideOf(it, sides)
		r.setSecondary(it, sec, sec.ForeignKeys[i], sec.ForeignKeys[1-i])
	}
}

// reference picks the relationship whose pair of tables the built table
// links: the first one whose back_populates partner names the same table,
// else the first one.
func reference(group []*item) *Relation {
	for _, it := range group {
		if b := it.rel.Back; b != nil && slices.ContainsFunc(group, func(o *item) bool { return o.rel == b }) {
			return it.rel
		}
	}
	return group[0].rel
}

func samePair(rel *Relation, a, b *schema.Table) bool {
	return rel.Table == a && rel.Target == b || rel.Table == b && rel.Target == a
}

// sideOf returns the index of the side referencing it's owner.
func sideOf(it *item, sides [2]side) int {
	if it.rel.SelfReferential {
		if slices.Equal(sides[0].names, it.spec.foreignKey) {
			return 0
		}
		return 1
	}
	if sides[0].table == it.rel.Table {
		return 0
	}
	return 1
}

func (r *resolver) sides(name string, group []*item) ([2]side, bool) {
	if group[0].rel.SelfReferential {
		return r.selfSides(name, group)
	}
	a, b := group[0].rel.Table, group[0].rel.Target
	s := [2]side{{table: a, names: defaultNames(a)}, {table: b, names: defaultNames(b)}}
	for _, it := range group {
		if len(it.spec.foreignKey) == 0 {
			continue
		}
		i := 0
		if it.rel.Table != a {
			i = 1
		}
		if s[i].by != nil && !slices.Equal(s[i].names, it.spec.foreignKey) {
			r.failf(it, s[i].by.rel.String(), "foreign_key:%s disagrees with foreign_key:%s for the %s columns of %s: %w",
				strings.Join(it.spec.foreignKey, "|"), strings.Join(s[i].names, "|"), s[i].table.Name, name, ErrForeignKeyMismatch)
			return s, false
		}
		s[i].names, s[i].by = it.spec.foreignKey, it
	}
	return s, true
}

// selfSides takes the two sides of a self-referential association table
// from the foreign_key: of each relationship naming it.
func (r *resolver) selfSides(name string, group []*item) ([2]side, bool) {
	var s [2]side
	n := 0
	for _, it := range group {
		fk := it.spec.foreignKey
		switch {
		case len(fk) == 0:
			r.failf(it, name, "a self-referential many_to_many through the unmapped secondary:%s needs foreign_key:COLUMN naming the column that references the owner: %w", name, ErrSecondary)
			return s, false
		case n > 0 && slices.Equal(s[0].names, fk), n > 1 && slices.Equal(s[1].names, fk):
		case n == 2:
			r.failf(it, s[0].by.rel.String(), "secondary:%s already has the columns %s and %s: %w",
				name, strings.Join(s[0].names, "|"), strings.Join(s[1].names, "|"), ErrSecondary)
			return s, false
		default:
			s[n] = side{table: it.rel.Table, names: fk, by: it}
			n++
		}
	}
	if n < 2 {
		r.failf(group[0], name, "a self-referential many_to_many through the unmapped secondary:%s needs its back_populates partner, with its own foreign_key:, to name the other column: %w", name, ErrSecondary)
		return s, false
	}
	return s, true
}

// checkSides checks that each side has a primary key matching its column
// count and that the two sides' column names differ.
func (r *resolver) checkSides(name string, group []*item, s [2]side) bool {
	for _, sd := range s {
		blame := sd.by
		if blame == nil {
			blame = group[0]
		}
		pk := sd.table.PrimaryKeyColumns()
		switch {
		case len(pk) == 0:
			r.failf(blame, typeName(sd.table), "secondary:%s: %s has no primary key to reference: %w", name, typeName(sd.table), ErrSecondary)
			return false
		case len(pk) != len(sd.names):
			r.failf(blame, typeName(sd.table), "secondary:%s: %d columns (%s) for the %d-column primary key of %s: %w",
				name, len(sd.names), strings.Join(sd.names, "|"), len(pk), sd.table.Name, ErrSecondary)
			return false
		}
	}
	for _, n := range s[0].names {
		if slices.Contains(s[1].names, n) {
			r.failf(group[0], name, "secondary:%s: both sides would use the column %s: add foreign_key: to name them apart: %w", name, n, ErrSecondary)
			return false
		}
	}
	return true
}

// defaultNames names the columns referencing t: snake_case of the model's
// Go name, then "_" and each primary key column ("post_id").
func defaultNames(t *schema.Table) []string {
	prefix := schema.ColumnName(t.GoType.Name())
	var out []string
	for _, c := range t.PrimaryKeyColumns() {
		out = append(out, prefix+"_"+c.Name)
	}
	return out
}

// buildSecondary makes the association table: one column per referenced
// key column, typed like it and NOT NULL; a composite primary key over
// all; a foreign key to each side with ON DELETE CASCADE; an index on the
// second side's columns (the primary key serves lookups by the first).
func buildSecondary(name string, s [2]side) *schema.Table {
	schemaName, tbl := splitQualified(name)
	t := &schema.Table{Schema: schemaName, Name: tbl}
	var all []string
	for _, sd := range s {
		names := slices.Clone(sd.names)
		for i, pk := range sd.table.PrimaryKeyColumns() {
			t.Columns = append(t.Columns, &schema.Column{Name: names[i], Type: pk.Type})
		}
		all = append(all, names...)
		t.ForeignKeys = append(t.ForeignKeys, &schema.ForeignKey{
			Columns: names, RefSchema: sd.table.Schema, RefTable: sd.table.Name,
			RefColumns: slices.Clone(sd.table.PrimaryKey.Columns), OnDelete: schema.Cascade,
		})
	}
	t.PrimaryKey = &schema.PrimaryKey{Columns: all}
	second := slices.Clone(s[1].names)
	t.Indexes = []*schema.Index{{Columns: second}}
	t.NameConstraints(nil) // by the metadata's naming convention in the end
	t.Seal()
	return t
}

func splitQualified(name string) (schemaName, table string) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}
