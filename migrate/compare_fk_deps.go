package migrate

import (
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// keyDependents drops, before a primary key, unique constraint or unique
// index goes, the foreign keys that reference exactly its columns
// (PostgreSQL refuses to drop a key a foreign key depends on), and adds
// the wanted ones back once the new keys exist.
func (c *comparer) keyDependents() {
	keys := c.droppedKeys()
	if len(keys) == 0 {
		return
	}
	refs := func(fk *schema.ForeignKey) bool {
		return fk.RefSchema == "" && keys[refKey(fk.RefTable, fk.RefColumns)]
	}
	for _, op := range c.phases[phaseDropTable] {
		t := op.(DropTable).Table // the diff's own copy: see dropTables
		for _, fk := range t.ForeignKeys {
			if refs(fk) {
				c.add(phaseDropFK, DropForeignKey{Table: t.Name, ForeignKey: fk})
			}
		}
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, refs)
	}
	dropping, adding := c.fkOps(phaseDropFK), c.fkOps(phaseAddFK)
	for _, l := range c.live.Tables() {
		w := c.want.Table(l.Name)
		if w == nil {
			continue
		}
		for _, fk := range l.ForeignKeys {
			if !refs(fk) || dropping[l.Name+"|"+fkKey(fk)] {
				continue
			}
			c.add(phaseDropFK, DropForeignKey{Table: l.Name, ForeignKey: fk})
			i := slices.IndexFunc(w.ForeignKeys, func(x *schema.ForeignKey) bool { return fkKey(x) == fkKey(fk) })
			if i >= 0 && !adding[w.Name+"|"+fkKey(fk)] {
				c.add(phaseAddFK, AddForeignKey{Table: w.Name, ForeignKey: w.ForeignKeys[i]})
			}
		}
	}
}

// droppedKeys returns the keys the diff drops, as refKey values.
func (c *comparer) droppedKeys() map[string]bool {
	keys := map[string]bool{}
	for _, op := range c.phases[phaseDropConstraint] {
		switch o := op.(type) {
		case DropPrimaryKey:
			keys[refKey(o.Table, o.PrimaryKey.Columns)] = true
		case DropUnique:
			keys[refKey(o.Table, o.Unique.Columns)] = true
		}
	}
	for _, op := range c.phases[phaseDropIndex] {
		if o := op.(DropIndex); o.Index.Unique && o.Index.Where == "" && len(o.Index.Exprs) == 0 {
			keys[refKey(o.Table, o.Index.Columns)] = true
		}
	}
	return keys
}

// refKey identifies a set of columns of a table, in any order.
func refKey(table string, columns []string) string {
	return table + "|" + strings.Join(slices.Sorted(slices.Values(columns)), ",")
}

// fkOps returns the TABLE|fkKey of the foreign-key ops of a phase.
func (c *comparer) fkOps(p phase) map[string]bool {
	out := map[string]bool{}
	for _, op := range c.phases[p] {
		switch o := op.(type) {
		case DropForeignKey:
			out[o.Table+"|"+fkKey(o.ForeignKey)] = true
		case AddForeignKey:
			out[o.Table+"|"+fkKey(o.ForeignKey)] = true
		}
	}
	return out
}
