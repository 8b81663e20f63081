package relation

import (
	"strings"

	"github.com/iancoleman/strcase"
)

// Constraint names of built association tables, following the schema
// package's convention (pk_<table>, fk_<table>_<col>_<reftable>,
// ix_<table>_<col>). TODO(relation): call schema/naming.go once it lands.

func primaryKeyName(table string) string { return "pk_" + table }

func foreignKeyName(table string, cols []string, ref string) string {
	return "fk_" + table + "_" + strings.Join(cols, "_") + "_" + ref
}

func indexName(table string, cols []string) string {
	return "ix_" + table + "_" + strings.Join(cols, "_")
}

func snake(goName string) string { return strcase.ToSnake(goName) }
