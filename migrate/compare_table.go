package migrate

import (
	"slices"

	"github.com/crucible-orm/crucible/schema"
)

// nameOf returns a table's schema-qualified name.
func nameOf(t *schema.Table) objectName { return objectName{t.Schema, t.Name} }

// tableObject describes a table for the scope.
func tableObject(t *schema.Table, where presence) Object {
	return Object{Kind: TableObject, Schema: t.Schema, Name: t.Name, InModels: where.inModels(), InDatabase: where.inDatabase()}
}

// tables compares the tables in scope: drops, creates, then the contents
// of the tables on both sides.
func (c *comparer) tables() {
	c.dropTables()
	c.createTables()
	for _, w := range c.want.Tables() {
		l := c.live.TableIn(w.Schema, w.Name)
		if l == nil || !c.filter.object(tableObject(w, inBoth)) {
			continue
		}
		c.columns(l, w)
		c.primaryKey(l, w)
		uniqueObjects.compare(c, l, w, l.Uniques, w.Uniques)
		checkObjects.compare(c, l, w, l.Checks, w.Checks)
		indexObjects.compare(c, l, w, comparedIndexes(l, w), w.Indexes)
		fkObjects.compare(c, l, w, l.ForeignKeys, w.ForeignKeys)
		if l.Comment != w.Comment {
			c.add(phaseAlterTable, AlterTable{Schema: w.Schema, Table: w.Name, Comment: &Change[string]{From: l.Comment, To: w.Comment}})
		}
	}
}

// comparedIndexes returns the live indexes of l to compare with those of
// w. An expression index (lower(email)), which no tag can declare, is
// compared only when w declares expression indexes too; otherwise it is
// left alone, as a DBA made it.
func comparedIndexes(l, w *schema.Table) []*schema.Index {
	if slices.ContainsFunc(w.Indexes, isExprIndex) {
		return l.Indexes
	}
	return slices.DeleteFunc(slices.Clone(l.Indexes), isExprIndex)
}

func isExprIndex(ix *schema.Index) bool { return len(ix.Exprs) > 0 }

// createTables creates the wanted tables in scope that the database
// lacks, each after the tables it references. A foreign key closing a
// cycle is added once all the tables exist.
func (c *comparer) createTables() {
	exists := map[objectName]bool{}
	for _, l := range c.live.Tables() {
		exists[nameOf(l)] = true
	}
	var todo []*schema.Table
	for _, w := range c.want.Tables() {
		if c.live.TableIn(w.Schema, w.Name) == nil && c.filter.object(tableObject(w, inModelsOnly)) {
			todo = append(todo, w)
		}
	}
	for _, w := range todo {
		exists[nameOf(w)] = false // created below, in an order the references allow
	}
	for len(todo) > 0 {
		i := slices.IndexFunc(todo, func(t *schema.Table) bool { return refsExist(t, exists) })
		if i < 0 {
			i = 0
		}
		c.createTable(todo[i], exists)
		todo = slices.Delete(todo, i, i+1)
	}
}

// refsExist reports whether every table t references exists: t itself,
// a table created already, or a table the comparison does not handle.
func refsExist(t *schema.Table, exists map[objectName]bool) bool {
	for _, fk := range t.ForeignKeys {
		if done, known := exists[objectName{fk.RefSchema, fk.RefTable}]; known && !done {
			return false
		}
	}
	return true
}

// createTable creates w with the foreign keys whose tables exist and adds
// the others later.
func (c *comparer) createTable(w *schema.Table, exists map[objectName]bool) {
	exists[nameOf(w)] = true
	t := *w
	t.ForeignKeys = nil
	for _, fk := range w.ForeignKeys {
		if done, known := exists[objectName{fk.RefSchema, fk.RefTable}]; done || !known {
			t.ForeignKeys = append(t.ForeignKeys, fk)
		} else {
			c.add(phaseAddFK, AddForeignKey{Schema: w.Schema, Table: w.Name, ForeignKey: fk})
		}
	}
	c.add(phaseCreateTable, CreateTable{Table: &t})
}

// dropTables drops the live tables in scope that the models lack and a
// revision created (or all of them, with DropUnmanaged), each after the
// dropped tables that reference it. Foreign keys closing a cycle among
// them are dropped first. The others are reported as unmanaged.
func (c *comparer) dropTables() {
	var gone []*schema.Table
	for _, l := range c.live.Tables() {
		o := tableObject(l, inDatabaseOnly)
		if c.want.TableIn(l.Schema, l.Name) != nil || !c.filter.object(o) || !c.gone(o, c.owned.tables[nameOf(l)]) {
			continue
		}
		cp := *l
		cp.ForeignKeys = slices.Clone(l.ForeignKeys)
		gone = append(gone, &cp)
	}
	for len(gone) > 0 {
		i := slices.IndexFunc(gone, func(t *schema.Table) bool { return !referenced(t, gone) })
		if i < 0 {
			c.breakCycle(gone)
			continue
		}
		c.add(phaseDropTable, DropTable{Table: gone[i]})
		gone = slices.Delete(gone, i, i+1)
	}
}

// refersTo reports whether fk of table t references table ref (other
// than t itself).
func refersTo(t *schema.Table, fk *schema.ForeignKey, ref *schema.Table) bool {
	return nameOf(t) != nameOf(ref) && objectName{fk.RefSchema, fk.RefTable} == nameOf(ref)
}

// referenced reports whether another table of ts has a foreign key to t.
func referenced(t *schema.Table, ts []*schema.Table) bool {
	for _, o := range ts {
		for _, fk := range o.ForeignKeys {
			if refersTo(o, fk, t) {
				return true
			}
		}
	}
	return false
}

// breakCycle drops the foreign keys of the first table of ts that point to
// other tables of ts, so that the drop order can go on.
func (c *comparer) breakCycle(ts []*schema.Table) {
	t := ts[0]
	var keep []*schema.ForeignKey
	for _, fk := range t.ForeignKeys {
		if slices.ContainsFunc(ts, func(o *schema.Table) bool { return refersTo(t, fk, o) }) {
			c.add(phaseDropFK, DropForeignKey{Schema: t.Schema, Table: t.Name, ForeignKey: fk})
			continue
		}
		keep = append(keep, fk)
	}
	t.ForeignKeys = keep
}
