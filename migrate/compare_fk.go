package migrate

import (
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// foreignKeys compares the foreign keys by columns, referenced table and
// columns, and actions: a changed action drops and re-adds the key.
func (c *comparer) foreignKeys(l, w *schema.Table) {
	dropped, added := diffByKey(l.ForeignKeys, w.ForeignKeys, fkKey)
	for _, fk := range dropped {
		c.add(phaseDropFK, DropForeignKey{Table: l.Name, ForeignKey: fk})
	}
	for _, fk := range added {
		c.add(phaseAddFK, AddForeignKey{Table: w.Name, ForeignKey: fk})
	}
}

func fkKey(fk *schema.ForeignKey) string {
	return strings.Join([]string{strings.Join(fk.Columns, ","), fk.RefSchema, fk.RefTable,
		strings.Join(fk.RefColumns, ","), string(fk.OnDelete), string(fk.OnUpdate)}, "|")
}
