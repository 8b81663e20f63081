package migrate

import "github.com/crucible-orm/crucible/schema"

// checks compares the check constraints by their normalised expression.
func (c *comparer) checks(l, w *schema.Table) {
	key := func(ck *schema.Check) string { return normalizeExpr(ck.Expr) }
	dropped, added := diffByKey(l.Checks, w.Checks, key)
	for _, ck := range dropped {
		c.add(phaseDropConstraint, DropCheck{Table: l.Name, Check: ck})
	}
	for _, ck := range added {
		c.add(phaseAddConstraint, AddCheck{Table: w.Name, Check: ck})
	}
}
