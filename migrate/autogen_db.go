package migrate

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/schema"
)

// database is what autogenerate learns of a database before comparing:
// its schemas, which of them to read, and the models relative to its
// search path.
type database struct {
	current string          // the search path's schema, current_schema()
	schemas map[string]bool // every schema the database has
	read    []string        // the named schemas to read besides current, sorted
	want    *schema.Metadata
	filter  filter
	owned   owned
}

// readDatabase finds the search path's schema and the database's schemas,
// and works out the schemas in play: those the models name, those a
// revision created and those the scope includes, less those it excludes.
func (r *Runner) readDatabase(ctx context.Context, conn *pgx.Conn) (*database, error) {
	db := &database{schemas: map[string]bool{}}
	if err := conn.QueryRow(ctx, "SELECT coalesce(current_schema(), '')").Scan(&db.current); err != nil {
		return nil, fmt.Errorf("current schema: %w", err)
	}
	if db.current == "" {
		return nil, fmt.Errorf("current schema: search_path names no existing schema")
	}
	rows, err := conn.Query(ctx, "SELECT nspname::text FROM pg_namespace")
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("schemas: %w", err)
	}
	for _, n := range names {
		db.schemas[n] = true
	}
	if db.want, err = localSchemas(r.meta, db.current); err != nil {
		return nil, err
	}
	db.filter = filter{Scope: r.scope, current: db.current}
	db.owned = ownedBy(r.set.Revisions(), db.current)
	db.read = db.inPlay(names)
	return db, nil
}

// inPlay returns the named schemas to read, of the database's.
func (db *database) inPlay(names []string) []string {
	var out []string
	for _, n := range names {
		wanted := slices.Contains(db.want.Schemas(), n) || db.owned.schemas[n] || matchAny(db.filter.IncludeSchemas, n)
		if n != db.current && !systemSchema(n) && wanted && db.filter.schema(n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// localSchemas returns m with the schema named current unnamed: the
// database reads its own search path's schema as "", and the models may
// name it ("public.orders", "fk:public.users.id") or not. Foreign keys
// and enum types of a column may name it while no table or type of m is
// declared in it, so every model is renamed.
func localSchemas(m *schema.Metadata, current string) (*schema.Metadata, error) {
	return renameSchemas(m, mapSchemas(map[string]string{current: ""}), nil)
}
