package migrate

import (
	"slices"

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
