package migrate

import (
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/schema"
)

// indexes compares the indexes of a table by definition (uniqueness,
// method, columns or expressions, predicate), not by name.
func (c *comparer) indexes(l, w *schema.Table) {
	dropped, added := diffByKey(l.Indexes, w.Indexes, indexKey)
	for _, ix := range dropped {
		c.add(phaseDropIndex, DropIndex{Table: l.Name, Index: ix})
	}
	for _, ix := range added {
		c.add(phaseCreateIndex, CreateIndex{Table: w.Name, Index: ix})
	}
}

func indexKey(ix *schema.Index) string {
	method := ix.Method
	if method == "" {
		method = "btree"
	}
	return strings.Join([]string{strconv.FormatBool(ix.Unique), method,
		strings.Join(ix.Columns, ","), strings.Join(ix.Exprs, ","), normalizeExpr(ix.Where)}, "|")
}

// normalizeExpr folds white space and outer parentheses of an expression.
func normalizeExpr(s string) string {
	return postgres.TrimParens(strings.Join(strings.Fields(s), " "))
}
