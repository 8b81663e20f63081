package migrate

import (
	"slices"

	"github.com/crucible-orm/crucible/schema"
)

// tables compares the tables: drops, creates, then the contents of the
// tables on both sides.
func (c *comparer) tables() {
	c.dropTables()
	c.createTables()
	for _, w := range c.want.Tables() {
		l := c.live.Table(w.Name)
		if l == nil {
			continue
		}
		c.columns(l, w)
		c.primaryKey(l, w)
		uniqueObjects.compare(c, l, w, l.Uniques, w.Uniques)
		checkObjects.compare(c, l, w, l.Checks, w.Checks)
		indexObjects.compare(c, l, w, l.Indexes, w.Indexes)
		fkObjects.compare(c, l, w, l.ForeignKeys, w.ForeignKeys)
		if l.Comment != w.Comment {
			c.add(phaseAlterTable, AlterTable{Table: w.Name, Comment: &Change[string]{From: l.Comment, To: w.Comment}})
		}
	}
}

// createTables creates the wanted tables the database lacks, each after
// the tables it references. A foreign key closing a cycle is added once
// all the tables exist.
func (c *comparer) createTables() {
	exists := map[string]bool{}
	for _, l := range c.live.Tables() {
		exists[l.Name] = c.want.Table(l.Name) != nil
	}
	var todo []*schema.Table
	for _, w := range c.want.Tables() {
		if c.live.Table(w.Name) == nil {
			todo = append(todo, w)
		}
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

// refsExist reports whether every table t references exists (or is t).
func refsExist(t *schema.Table, exists map[string]bool) bool {
	for _, fk := range t.ForeignKeys {
		if fk.RefSchema == "" && fk.RefTable != t.Name && !exists[fk.RefTable] {
			return false
		}
	}
	return true
}

// createTable creates w with the foreign keys whose tables exist and adds
// the others later.
func (c *comparer) createTable(w *schema.Table, exists map[string]bool) {
	exists[w.Name] = true
	t := *w
	t.ForeignKeys = nil
	for _, fk := range w.ForeignKeys {
		if fk.RefSchema != "" || exists[fk.RefTable] {
			t.ForeignKeys = append(t.ForeignKeys, fk)
		} else {
			c.add(phaseAddFK, AddForeignKey{Table: w.Name, ForeignKey: fk})
		}
	}
	c.add(phaseCreateTable, CreateTable{Table: &t})
}

// dropTables drops the live tables the models lack, each after the
// dropped tables that reference it. Foreign keys closing a cycle among them
// are dropped first.
func (c *comparer) dropTables() {
	var gone []*schema.Table
	for _, l := range c.live.Tables() {
		if c.want.Table(l.Name) == nil {
			cp := *l
			cp.ForeignKeys = slices.Clone(l.ForeignKeys)
			gone = append(gone, &cp)
		}
	}
	for len(gone) > 0 {
		i := slices.IndexFunc(gone, func(t *schema.Table) bool { return !referenced(t.Name, gone) })
		if i < 0 {
			c.breakCycle(gone)
			continue
		}
		c.add(phaseDropTable, DropTable{Table: gone[i]})
		gone = slices.Delete(gone, i, i+1)
	}
}

// referenced reports whether another table of ts has a foreign key to name.
func referenced(name string, ts []*schema.Table) bool {
	for _, t := range ts {
		for _, fk := range t.ForeignKeys {
			if t.Name != name && fk.RefTable == name && fk.RefSchema == "" {
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
		if fk.RefTable != t.Name && fk.RefSchema == "" && slices.ContainsFunc(ts, func(o *schema.Table) bool { return o.Name == fk.RefTable }) {
			c.add(phaseDropFK, DropForeignKey{Table: t.Name, ForeignKey: fk})
			continue
		}
		keep = append(keep, fk)
	}
	t.ForeignKeys = keep
}
