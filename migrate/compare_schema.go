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
// any more, after everything in them, unless they keep a table or type.
func (c *comparer) dropSchemas() {
	for nsp := range c.owned.schemas {
		if c.filter.schema(nsp) && c.schemaExists(nsp) && !slices.Contains(c.want.Schemas(), nsp) && !c.keepsObjects(nsp) {
			c.add(phaseDropSchema, DropSchema{Name: nsp})
		}
	}
	slices.SortFunc(c.phases[phaseDropSchema], func(a, b Op) int {
		return cmp.Compare(a.(DropSchema).Name, b.(DropSchema).Name)
	})
}

// keepsObjects reports whether schema nsp of the database holds a table or
// an enum type that the diff does not drop (another application's, or one
// the scope leaves alone): DROP SCHEMA, which never cascades, would fail,
// so the schema is left in place, holding it.
func (c *comparer) keepsObjects(nsp string) bool {
	dropped := map[objectName]bool{}
	for _, op := range c.phases[phaseDropTable] {
		t := op.(DropTable).Table
		dropped[objectName{t.Schema, t.Name}] = true
	}
	for _, op := range c.phases[phaseDropEnum] {
		e := op.(DropEnum)
		dropped[objectName{e.Schema, "type " + e.Name}] = true
	}
	for _, t := range c.live.Tables() {
		if t.Schema == nsp && !dropped[objectName{t.Schema, t.Name}] {
			return true
		}
	}
	for _, e := range c.live.Enums() {
		if e.Schema == nsp && !dropped[objectName{e.Schema, "type " + e.Name}] {
			return true
		}
	}
	return false
}

// schemaExists reports whether the database has schema nsp.
func (c *comparer) schemaExists(nsp string) bool {
	if c.schemas != nil {
		return c.schemas[nsp]
	}
	return slices.Contains(c.live.Schemas(), nsp)
}
