package relation_test

import (
	"testing"

	"github.com/crucible-orm/crucible/schema"
)

// mapTables maps model structs with the schema mapper, as the registry
// does, and seals the tables; a model the mapper rejects fails the test.
func mapTables(t testing.TB, models ...any) []*schema.Table {
	t.Helper()
	tables, _, err := schema.NewMapper().MapAll(models...)
	if err != nil {
		t.Fatalf("mapping the test models: %v", err)
	}
	for _, tb := range tables {
		tb.Seal()
	}
	return tables
}
