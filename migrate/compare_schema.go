package migrate

import (
	"cmp"
	"slices"
)

// createSchemas creates the schemas the diff creates tables or types in
// that the database lacks.
func (c *comparer) createSchemas() {
	needed := map[string]bool{}
	for _, op := range c.phases[phaseCreateTable] {
		needed[op.(CreateTable).Table.Schema] = true
	}
	for _, op := range c.phases[phaseCreateEnum] {
		needed[op.(CreateEnum).Schema] = true
	}
	for _, nsp := range c.want.Schemas() {
		if needed[nsp] && !c.schemaExists(nsp) {
			c.add(phaseCreateSchema, CreateSchema{Name: nsp})
		}
	}
}

// dropSchemas drops the schemas a revision created that no model names
// any more, after everything in them.
func (c *comparer) dropSchemas() {
	for nsp := range c.owned.schemas {
		if c.filter.schema(nsp) && c.schemaExists(nsp) && !slices.Contains(c.want.Schemas(), nsp) {
			c.add(phaseDropSchema, DropSchema{Name: nsp})
		}
	}
	slices.SortFunc(c.phases[phaseDropSchema], func(a, b Op) int {
		return cmp.Compare(a.(DropSchema).Name, b.(DropSchema).Name)
	})
}

// schemaExists reports whether the database has schema nsp.
func (c *comparer) schemaExists(nsp string) bool {
	if c.schemas != nil {
		return c.schemas[nsp]
	}
	return slices.Contains(c.live.Schemas(), nsp)
}
