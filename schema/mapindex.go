package schema

import (
	"fmt"
	"slices"
)

// indexMember is one column of an index being mapped, with its tag's
// modifiers.
type indexMember struct {
	col *Column
	tag indexTag
}

// addIndex adds c to a single-column index (it.name "") or to the named,
// possibly composite, index, checking that the modifiers of a named
// index's columns agree.
func (b *builder) addIndex(c *Column, it indexTag, fail func(error)) {
	if it.name == "" { // named by the convention once the table is built
		ix := &Index{Unique: it.unique}
		b.t.Indexes = append(b.t.Indexes, ix)
		b.members[ix] = []indexMember{{c, it}}
		return
	}
	ix, ok := b.named[it.name]
	if !ok {
		if !validIdent(it.name) {
			fail(fmt.Errorf("%w: %w: index name %q must be 1 to %d bytes", ErrBadValue, ErrBadName, it.name, MaxIdentLen))
			return
		}
		ix = &Index{Name: it.name, Unique: it.unique}
		b.named[it.name] = ix
		b.t.Indexes = append(b.t.Indexes, ix)
	}
	if err := agree(ix, b.members[ix], it); err != nil {
		fail(err)
		return
	}
	b.members[ix] = append(b.members[ix], indexMember{c, it})
}

// agree checks that it, a new column's view of index ix, does not
// contradict the columns already in it.
func agree(ix *Index, members []indexMember, it indexTag) error {
	if len(members) > 0 && members[0].tag.constraint != it.constraint {
		return fmt.Errorf("%w: %s is declared both as a UNIQUE constraint (unique:%s) and as an index", ErrDuplicateName, ix.Name, ix.Name)
	}
	if ix.Unique != it.unique {
		return fmt.Errorf("%w: index %s is declared both as index and as unique_index", ErrBadValue, ix.Name)
	}
	for _, m := range members {
		switch {
		case it.method != "" && m.tag.method != "" && it.method != m.tag.method:
			return fmt.Errorf("%w: index %s is using:%s on column %s but using:%s here", ErrBadValue, ix.Name, m.tag.method, m.col.Name, it.method)
		case it.where != "" && m.tag.where != "" && it.where != m.tag.where:
			return fmt.Errorf("%w: index %s has where:%s on column %s but where:%s here", ErrBadValue, ix.Name, m.tag.where, m.col.Name, it.where)
		case it.position != 0 && it.position == m.tag.position:
			return fmt.Errorf("%w: index %s has column %s at position:%d already", ErrBadValue, ix.Name, m.col.Name, it.position)
		}
	}
	return nil
}

// finishIndexes settles each index's columns, in the order their
// position: options give (field order without them), its method,
// predicate and operator classes; a unique:NAME becomes a UNIQUE
// constraint.
func (b *builder) finishIndexes() {
	indexes := b.t.Indexes
	b.t.Indexes = b.t.Indexes[:0:0]
	for _, ix := range indexes {
		members := b.members[ix]
		if len(members) == 0 {
			continue
		}
		if err := ordered(ix, members); err != nil {
			b.fail(members[0].col.Field.Name, members[0].col.Field.Tag, err)
			continue
		}
		slices.SortStableFunc(members, func(x, y indexMember) int { return x.tag.position - y.tag.position })
		if members[0].tag.constraint {
			b.t.Uniques = append(b.t.Uniques, &Unique{Name: ix.Name, Columns: memberColumns(members)})
			continue
		}
		b.t.Indexes = append(b.t.Indexes, ix)
		b.finishIndex(ix, members)
	}
}

// memberColumns returns the members' column names in order.
func memberColumns(members []indexMember) []string {
	cols := make([]string, len(members))
	for i, m := range members {
		cols[i] = m.col.Name
	}
	return cols
}

// finishIndex sets the index's columns, method, predicate and operator
// classes from its members, in order, and checks the method can build it.
func (b *builder) finishIndex(ix *Index, members []indexMember) {
	ix.Columns = memberColumns(members)
	opclasses := make([]string, len(members))
	for i, m := range members {
		opclasses[i] = m.tag.opclass
		ix.Method = cmpOr(ix.Method, m.tag.method)
		ix.Where = cmpOr(ix.Where, m.tag.where)
	}
	if ix.Method == "btree" {
		ix.Method = ""
	}
	if slices.ContainsFunc(opclasses, func(s string) bool { return s != "" }) {
		ix.OpClasses = opclasses
	}
	if err := buildable(ix); err != nil {
		m := members[slices.IndexFunc(members, func(m indexMember) bool { return m.tag.method != "" })]
		b.fail(m.col.Field.Name, m.col.Field.Tag, err)
	}
}

// oneColumnMethods are the built-in index methods that cannot index
// several columns.
var oneColumnMethods = []string{"hash", "spgist"}

// buildable checks that PostgreSQL's built-in method of ix can build it:
// only btree indexes can be unique, and hash and spgist ones take one
// column. (A non-btree method is always given by a tag.)
func buildable(ix *Index) error {
	switch {
	case ix.Unique && ix.Method != "":
		return fmt.Errorf("%w: index %s is unique, which only btree indexes can be, not using:%s", ErrBadValue, ix.Name, ix.Method)
	case len(ix.Columns) > 1 && slices.Contains(oneColumnMethods, ix.Method):
		return fmt.Errorf("%w: index %s has %d columns; a using:%s index takes one", ErrBadValue, ix.Name, len(ix.Columns), ix.Method)
	}
	return nil
}

// ordered checks that either no column of the index gives a position or
// every one does, numbering them 1 to n.
func ordered(ix *Index, members []indexMember) error {
	given := 0
	for _, m := range members {
		if m.tag.position != 0 {
			given++
		}
		if m.tag.position > len(members) {
			return fmt.Errorf("%w: index %s has %d column(s); column %s cannot be at position:%d", ErrBadValue, ix.Name, len(members), m.col.Name, m.tag.position)
		}
	}
	if given != 0 && given != len(members) {
		return fmt.Errorf("%w: index %s gives position: for %d of its %d columns; give it for all or none", ErrBadValue, ix.Name, given, len(members))
	}
	return nil
}

// cmpOr returns a unless it is "", else b.
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
