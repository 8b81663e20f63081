package migrate

import (
	"slices"

	"github.com/crucible-orm/crucible/schema"
)

// primaryKey compares the primary keys by their columns.
func (c *comparer) primaryKey(l, w *schema.Table) {
	lp, wp := l.PrimaryKey, w.PrimaryKey
	if lp != nil && wp != nil && slices.Equal(lp.Columns, wp.Columns) {
		if lp.Name != wp.Name && c.filter.RenameConstraints &&
			c.filter.object(Object{Kind: PrimaryKeyObject, Schema: w.Schema, Table: w.Name, Name: wp.Name, InModels: true, InDatabase: true}) {
			c.add(phaseRename, renameConstraint(w, lp.Name, wp.Name))
		}
		return
	}
	name := ""
	if lp != nil {
		name = lp.Name
	} else if wp != nil {
		name = wp.Name
	}
	if !c.filter.object(Object{Kind: PrimaryKeyObject, Schema: w.Schema, Table: w.Name, Name: name, InModels: wp != nil, InDatabase: lp != nil}) {
		return
	}
	if lp != nil {
		c.add(phaseDropConstraint, DropPrimaryKey{Schema: l.Schema, Table: l.Name, PrimaryKey: lp})
	}
	if wp != nil {
		c.add(phaseAddConstraint, AddPrimaryKey{Schema: w.Schema, Table: w.Name, PrimaryKey: wp})
	}
}
