package migrate_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// history is a growing list of revisions drafted by autogenerate, the way
// a migrations package grows.
type history struct {
	t    testing.TB
	pool *pgxpool.Pool
	revs []migrate.Revision
	diff *migrate.Diff // of the last revise

	files [][]byte // each revision's file as autogenerate writes it
}

func newHistory(t testing.TB) *history {
	return &history{t: t, pool: pgtest.NewPool(t)}
}

func (h *history) set() *migrate.Set { return migrate.NewSet(h.revs...) }

func (h *history) runner(meta *schema.Metadata, opts ...migrate.Option) *migrate.Runner {
	return migrate.NewRunner(h.pool, h.set(), append([]migrate.Option{migrate.WithMetadata(meta)}, opts...)...)
}

// revise autogenerates a revision for meta, appends it and returns it.
func (h *history) revise(meta *schema.Metadata, msg string) *migrate.Revision {
	h.t.Helper()
	d, err := h.runner(meta).Autogenerate(context.Background())
	if err != nil {
		h.t.Fatalf("autogenerate %q: %v", msg, err)
	}
	h.diff = d
	rev, err := migrate.Draft(h.set(), msg, d)
	if err != nil {
		h.t.Fatalf("draft %q: %v", msg, err)
	}
	src, err := migrate.RenderRevision("migrations", rev, d.Hints)
	if err != nil {
		h.t.Fatalf("render %q: %v", msg, err)
	}
	h.revs = append(h.revs, *rev)
	h.files = append(h.files, src)
	return &h.revs[len(h.revs)-1]
}

func (h *history) upgrade(meta *schema.Metadata, target string) {
	h.t.Helper()
	if _, err := h.runner(meta).Upgrade(context.Background(), target); err != nil {
		h.t.Fatalf("upgrade %s: %v", target, err)
	}
}

func (h *history) downgrade(meta *schema.Metadata, target string) {
	h.t.Helper()
	if _, err := h.runner(meta).Downgrade(context.Background(), target); err != nil {
		h.t.Fatalf("downgrade %s: %v", target, err)
	}
}

// assertClean fails when autogenerate finds anything for meta.
func (h *history) assertClean(meta *schema.Metadata, when string) {
	h.t.Helper()
	d, err := h.runner(meta).Autogenerate(context.Background())
	if err != nil {
		h.t.Fatalf("%s: autogenerate: %v", when, err)
	}
	for _, op := range d.Ops {
		h.t.Errorf("%s: unexpected op %s: %#v", when, op, op)
	}
}

// count returns the number of rows of a catalog query.
func (h *history) count(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// assertEmptySchema fails unless public holds no table but the version
// table, no type and no sequence.
func (h *history) assertEmptySchema() {
	h.t.Helper()
	tables := h.count(`SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v') AND c.relname <> 'crucible_version'`)
	types := h.count(`SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE n.nspname = 'public' AND t.typtype IN ('e', 'c', 'd') AND t.typrelid = 0`)
	if tables != 0 || types != 0 {
		h.t.Errorf("schema not empty: %d relations, %d types", tables, types)
	}
}
