package migrate

import (
	"slices"

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
		return keys[keyOfRef(objectName{fk.RefSchema, fk.RefTable}, fk.RefColumns)]
	}
	for _, op := range c.phases[phaseDropTable] {
		t := op.(DropTable).Table // the diff's own copy: see dropTables
		for _, fk := range t.ForeignKeys {
			if refs(fk) {
				c.add(phaseDropFK, DropForeignKey{Schema: t.Schema, Table: t.Name, ForeignKey: fk})
			}
		}
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, refs)
	}
	dropping, adding := c.fkOps(phaseDropFK), c.fkOps(phaseAddFK)
	for _, l := range c.live.Tables() {
		w := c.want.TableIn(l.Schema, l.Name)
		if w == nil {
			continue
		}
		for _, fk := range l.ForeignKeys {
			key := tableFK{nameOf(l), keyOfFK(fk)}
			if !refs(fk) || dropping[key] {
				continue
			}
			c.add(phaseDropFK, DropForeignKey{Schema: l.Schema, Table: l.Name, ForeignKey: fk})
			i := slices.IndexFunc(w.ForeignKeys, func(x *schema.ForeignKey) bool { return keyOfFK(x) == key.fk })
			if i >= 0 && !adding[key] {
				c.add(phaseAddFK, AddForeignKey{Schema: w.Schema, Table: w.Name, ForeignKey: w.ForeignKeys[i]})
			}
		}
	}
}

// refKey identifies a set of columns of a table, in any order: what a
// foreign key references.
type refKey struct {
	table   objectName
	columns names
}

func keyOfRef(table objectName, columns []string) refKey {
	return refKey{table, namesOf(slices.Sorted(slices.Values(columns)))}
}

// tableFK identifies a foreign key of a table by definition.
type tableFK struct {
	table objectName
	fk    fkKey
}

// droppedKeys returns the keys the diff drops.
func (c *comparer) droppedKeys() map[refKey]bool {
	keys := map[refKey]bool{}
	for _, op := range c.phases[phaseDropConstraint] {
		switch o := op.(type) {
		case DropPrimaryKey:
			keys[keyOfRef(objectName{o.Schema, o.Table}, o.PrimaryKey.Columns)] = true
		case DropUnique:
			keys[keyOfRef(objectName{o.Schema, o.Table}, o.Unique.Columns)] = true
		}
	}
	for _, op := range c.phases[phaseDropIndex] {
		if o := op.(DropIndex); o.Index.Unique && o.Index.Where == "" && len(o.Index.Exprs) == 0 {
			keys[keyOfRef(objectName{o.Schema, o.Table}, o.Index.Columns)] = true
		}
	}
	return keys
}

// fkOps returns the foreign keys the ops of a phase drop or add.
func (c *comparer) fkOps(p phase) map[tableFK]bool {
	out := map[tableFK]bool{}
	for _, op := range c.phases[p] {
		switch o := op.(type) {
		case DropForeignKey:
			out[tableFK{objectName{o.Schema, o.Table}, keyOfFK(o.ForeignKey)}] = true
		case AddForeignKey:
			out[tableFK{objectName{o.Schema, o.Table}, keyOfFK(o.ForeignKey)}] = true
		}
	}
	return out
}
