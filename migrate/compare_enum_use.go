package migrate

import (
	"fmt"
	"strings"
)

// newValueHints points out each value added to an enum type that the same
// diff already uses, in a default, a check or an index predicate:
// PostgreSQL refuses to use a value before the transaction that added it
// commits, so such a revision would fail.
func (c *comparer) newValueHints() {
	for _, op := range c.phases[phaseAddEnumValue] {
		av, ok := op.(AddEnumValue)
		if !ok {
			continue
		}
		users := c.opsUsing(sqlString(av.Value))
		if len(users) == 0 {
			continue
		}
		c.hint(fmt.Sprintf("enum %s gains value %s, which %s already uses: PostgreSQL refuses a new enum "+
			"value in the transaction that adds it, so this revision would fail. Move the AddEnumValue (and its "+
			"inverse in Downgrade) into a revision of its own, applied before this one.",
			av.Enum, av.Value, strings.Join(users, ", ")), "")
	}
}

// opsUsing describes the ops of the diff with an expression holding lit.
func (c *comparer) opsUsing(lit string) []string {
	var out []string
	for _, ops := range c.phases {
		for _, op := range ops {
			for _, e := range opExprs(op) {
				if strings.Contains(e, lit) {
					out = append(out, op.String())
					break
				}
			}
		}
	}
	return out
}

// opExprs returns the SQL expressions an op writes: defaults, checks and
// index predicates.
func opExprs(op Op) []string {
	switch o := op.(type) {
	case AddColumn:
		return []string{o.Column.ServerDefault}
	case AlterColumn:
		if o.Default != nil {
			return []string{o.Default.To}
		}
	case AddCheck:
		return []string{o.Check.Expr}
	case CreateIndex:
		return append([]string{o.Index.Where}, o.Index.Exprs...)
	case CreateTable:
		var out []string
		for _, col := range o.Table.Columns {
			out = append(out, col.ServerDefault)
		}
		for _, ck := range o.Table.Checks {
			out = append(out, ck.Expr)
		}
		for _, ix := range o.Table.Indexes {
			out = append(append(out, ix.Where), ix.Exprs...)
		}
		return out
	}
	return nil
}
