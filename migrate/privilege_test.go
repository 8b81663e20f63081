package migrate_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
)

// TestAutogenerateWithoutCreateSchema checks the fallback for a user who
// may not create the scratch schema: the models are compared as written,
// through the normaliser, and the upgraded blog still shows no change.
func TestAutogenerateWithoutCreateSchema(t *testing.T) {
	url := pgtest.New(t)
	ctx := context.Background()
	h := &history{t: t, pool: tracedPool(t, url, &tracer{})}
	m := newBlog().meta(t)
	h.revise(m, "create blog")
	h.upgrade(m, "head")
	role := "limited_" + randomSuffix(t, h)
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN",
		"GRANT USAGE ON SCHEMA public TO " + role,
		"GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role,
		"REVOKE CREATE ON DATABASE " + currentDB(t, h) + " FROM PUBLIC",
	} {
		if _, err := h.pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		_, _ = h.pool.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = h.pool.Exec(context.Background(), "DROP ROLE "+role)
	})
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.User = role
	limited, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer limited.Close()
	if _, err := limited.Exec(ctx, "CREATE SCHEMA probe"); err == nil {
		t.Fatal("the limited role may create schemas: the test would not test the fallback")
	}
	d, err := migrate.NewRunner(limited, h.set(), migrate.WithMetadata(m)).Autogenerate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range d.Ops {
		t.Errorf("unexpected op %s: %#v", op, op)
	}
}

func currentDB(t *testing.T, h *history) string {
	t.Helper()
	var db string
	if err := h.pool.QueryRow(context.Background(), "SELECT quote_ident(current_database())").Scan(&db); err != nil {
		t.Fatal(err)
	}
	return db
}

func randomSuffix(t *testing.T, h *history) string {
	t.Helper()
	var s string
	if err := h.pool.QueryRow(context.Background(), "SELECT substr(md5(random()::text), 1, 8)").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
