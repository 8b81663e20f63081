package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/schema"
)

// TestPostgresNamingMatchesServer creates constraints and indexes without
// a name with plain DDL, lets the server name them, and checks that
// schema.PostgresNaming (through NewMetadata) chooses the same names,
// long and multibyte names included.
func TestPostgresNamingMatchesServer(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	long := strings.Repeat("t", 63)
	tests := []struct {
		name  string
		table string
		cols  []string
		kind  schema.ConstraintKind
		key   []string // the key's columns
		check string   // a check's expression
	}{
		{"primary key", "film", []string{"film_id"}, schema.PrimaryKeyKind, []string{"film_id"}, ""},
		{"primary key of a long table", long, []string{"id"}, schema.PrimaryKeyKind, []string{"id"}, ""},
		{"unique", "film", []string{"a", "b"}, schema.UniqueKind, []string{"b", "a"}, ""},
		{"unique, long table and column", long, []string{strings.Repeat("c", 63)}, schema.UniqueKind, []string{strings.Repeat("c", 63)}, ""},
		{"unique, short table and long column", "rental", []string{strings.Repeat("c", 63)}, schema.UniqueKind, []string{strings.Repeat("c", 63)}, ""},
		{"unique, long table and short column", long, []string{"c"}, schema.UniqueKind, []string{"c"}, ""},
		{"index", "film", []string{"language_id"}, schema.IndexKind, []string{"language_id"}, ""},
		{"index of many columns", "inventory", manyColumns(6, 15), schema.IndexKind, manyColumns(6, 15), ""},
		{"index of columns just past 63 bytes", "x", manyColumns(4, 16), schema.IndexKind, manyColumns(4, 16), ""},
		{"foreign key", "film", []string{"language_id"}, schema.ForeignKeyKind, []string{"language_id"}, ""},
		{"foreign key of two long columns", "payment_line", manyColumns(2, 40), schema.ForeignKeyKind, manyColumns(2, 40), ""},
		{"foreign key, long table and column", long, []string{strings.Repeat("c", 63)}, schema.ForeignKeyKind, []string{strings.Repeat("c", 63)}, ""},
		{"multibyte names cut on a character", "été", []string{strings.Repeat("é", 31)}, schema.UniqueKind, []string{strings.Repeat("é", 31)}, ""},
		{"multibyte table cut on a character", strings.Repeat("é", 31) + "x", []string{"c"}, schema.IndexKind, []string{"c"}, ""},
		{"check of one column", "payment", []string{"amount"}, schema.CheckKind, nil, "amount >= '0'"},
		{"check of two columns", "payment", []string{"a", "b"}, schema.CheckKind, nil, "a < b"},
		{"check of no column", "payment", []string{"a"}, schema.CheckKind, nil, "true"},
		{"check calling a function named like a column", "film", []string{"length", "title"}, schema.CheckKind, nil, "length(title) > 0"},
		{"check with a cast to a type named like a column", "film", []string{"text", "title"}, schema.CheckKind, nil, "title::text <> ''"},
		{"check with a string naming a column", "film", []string{"title", "rating"}, schema.CheckKind, nil, "title <> 'rating' AND title <> e'rating'"},
		{"check of a quoted mixed-case column", "film", []string{"Title"}, schema.CheckKind, nil, `"Title" <> ''`},
		{"check of a long column", long, []string{strings.Repeat("c", 63)}, schema.CheckKind, nil, strings.Repeat("c", 63) + " <> ''"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl := &schema.Table{Name: tc.table}
			for _, c := range tc.cols {
				tbl.Columns = append(tbl.Columns, &schema.Column{Name: c, Type: schema.Scalar{Name: "text"}})
			}
			tables, ddl := []*schema.Table{tbl}, []string{createTable(t, tc.table, tc.cols)}
			ref := &schema.Table{Name: "ref", PrimaryKey: &schema.PrimaryKey{}}
			for i := range tc.key {
				c := "k" + string(rune('a'+i))
				ref.Columns = append(ref.Columns, &schema.Column{Name: c, Type: schema.Scalar{Name: "text"}})
				ref.PrimaryKey.Columns = append(ref.PrimaryKey.Columns, c)
			}
			q := quote(t, tc.table)
			switch tc.kind {
			case schema.PrimaryKeyKind:
				tbl.PrimaryKey = &schema.PrimaryKey{Columns: tc.key}
				ddl = append(ddl, "ALTER TABLE "+q+" ADD PRIMARY KEY "+columnList(t, tc.key))
			case schema.UniqueKind:
				tbl.Uniques = []*schema.Unique{{Columns: tc.key}}
				ddl = append(ddl, "ALTER TABLE "+q+" ADD UNIQUE "+columnList(t, tc.key))
			case schema.IndexKind:
				tbl.Indexes = []*schema.Index{{Columns: tc.key}}
				ddl = append(ddl, "CREATE INDEX ON "+q+" "+columnList(t, tc.key))
			case schema.ForeignKeyKind:
				tbl.ForeignKeys = []*schema.ForeignKey{{Columns: tc.key, RefTable: "ref", RefColumns: ref.PrimaryKey.Columns}}
				tables = append(tables, ref)
				ddl = append(ddl, createTable(t, "ref", ref.PrimaryKey.Columns), "ALTER TABLE ref ADD PRIMARY KEY "+columnList(t, ref.PrimaryKey.Columns),
					"ALTER TABLE "+q+" ADD FOREIGN KEY "+columnList(t, tc.key)+" REFERENCES ref "+columnList(t, ref.PrimaryKey.Columns))
			case schema.CheckKind:
				tbl.Checks = []*schema.Check{{Expr: tc.check}}
				ddl = append(ddl, "ALTER TABLE "+q+" ADD CHECK ("+tc.check+")")
			}
			_, err := schema.NewMetadata(tables, nil, schema.WithNaming(schema.PostgresNaming{}))
			require.NoError(t, err)

			got := serverNames(ctx, t, pool, ddl, tc.table)
			require.Contains(t, got, constraintName(tbl, tc.kind), "the server named %q", got)
		})
	}
}

// serverNames runs ddl in a transaction that is rolled back and returns
// the names of table's constraints and indexes.
func serverNames(ctx context.Context, t *testing.T, pool interface {
	Begin(context.Context) (pgx.Tx, error)
}, ddl []string, table string) []string {
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	for _, q := range ddl {
		_, err := tx.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	rows, err := tx.Query(ctx, `SELECT conname::text FROM pg_constraint WHERE conrelid = to_regclass($1)
		UNION SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)`, quote(t, table))
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

func constraintName(t *schema.Table, kind schema.ConstraintKind) string {
	switch kind {
	case schema.PrimaryKeyKind:
		return t.PrimaryKey.Name
	case schema.UniqueKind:
		return t.Uniques[0].Name
	case schema.IndexKind:
		return t.Indexes[0].Name
	case schema.ForeignKeyKind:
		return t.ForeignKeys[0].Name
	}
	return t.Checks[0].Name
}

// manyColumns returns n column names of size bytes each.
func manyColumns(n, size int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strings.Repeat(string(rune('a'+i)), size)
	}
	return out
}

func columnList(t *testing.T, cols []string) string {
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quote(t, c)
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

func createTable(t *testing.T, name string, cols []string) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = quote(t, c) + " text"
	}
	return "CREATE TABLE " + quote(t, name) + " (" + strings.Join(defs, ", ") + ")"
}
