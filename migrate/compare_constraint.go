package migrate

import (
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// primaryKey compares the primary keys by their columns.
func (c *comparer) primaryKey(l, w *schema.Table) {
	lp, wp := l.PrimaryKey, w.PrimaryKey
	if lp != nil && wp != nil && slices.Equal(lp.Columns, wp.Columns) {
		return
	}
	if lp != nil {
		c.add(phaseDropConstraint, DropPrimaryKey{Table: l.Name, PrimaryKey: lp})
	}
	if wp != nil {
		c.add(phaseAddConstraint, AddPrimaryKey{Table: w.Name, PrimaryKey: wp})
	}
}

// uniques compares the unique constraints by their columns.
func (c *comparer) uniques(l, w *schema.Table) {
	key := func(u *schema.Unique) string { return strings.Join(u.Columns, ",") }
	dropped, added := diffByKey(l.Uniques, w.Uniques, key)
	for _, u := range dropped {
		c.add(phaseDropConstraint, DropUnique{Table: l.Name, Unique: u})
	}
	for _, u := range added {
		c.add(phaseAddConstraint, AddUnique{Table: w.Name, Unique: u})
	}
}
