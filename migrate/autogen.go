package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/schema"
)

// ErrNoMetadata is returned by [Runner.Autogenerate] and [Runner.Check]
// when the runner was built without [WithMetadata].
var ErrNoMetadata = errors.New("no models' metadata given (WithMetadata)")

// Autogenerate compares the models' metadata with the database and returns
// the ops that bring the database in line. The database must be at the
// head revision (else [ErrNotUpToDate]), since the new revision goes on
// top of it. The models' metadata is first created in a scratch schema
// inside a transaction that is rolled back, and read back from the
// catalogs, so that both sides compare in the server's own canonical
// spelling of types, defaults, checks and index predicates.
func (r *Runner) Autogenerate(ctx context.Context) (*Diff, error) {
	if r.meta == nil {
		return nil, ErrNoMetadata
	}
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("autogenerate: %w", err)
	}
	defer conn.Release()
	if err := r.atHead(ctx, conn.Conn()); err != nil {
		return nil, err
	}
	return r.diff(ctx, conn.Conn())
}

// Check reports whether the database is at the head revision and matches
// the models: nil when it does, [ErrNotUpToDate] when revisions are
// pending, and [ErrDrift] with the diff when autogenerate would find ops.
func (r *Runner) Check(ctx context.Context) (*Diff, error) {
	d, err := r.Autogenerate(ctx)
	if err != nil {
		return nil, err
	}
	if !d.Empty() {
		return d, ErrDrift
	}
	return d, nil
}

// atHead fails with ErrNotUpToDate unless the version table names exactly
// the set's heads.
func (r *Runner) atHead(ctx context.Context, conn *pgx.Conn) error {
	if err := r.set.Err(); err != nil {
		return err
	}
	current, err := readVersion(ctx, conn, r.ddl, r.versionTable)
	if err != nil {
		return err
	}
	heads := r.set.Heads()
	slices.Sort(heads)
	if !slices.Equal(current, heads) {
		return fmt.Errorf("%w: database at %v, head %v (run upgrade first)", ErrNotUpToDate, orBaseList(current), orBaseList(heads))
	}
	return nil
}

func orBaseList(ids []string) []string {
	if len(ids) == 0 {
		return []string{Base}
	}
	return ids
}

// diff reads the live schema and the canonical models and compares them.
func (r *Runner) diff(ctx context.Context, conn *pgx.Conn) (*Diff, error) {
	live, err := inspect(ctx, conn, "", r.versionTable)
	if err != nil {
		return nil, err
	}
	want, err := r.canonical(ctx, conn)
	if err != nil {
		return nil, err
	}
	return Compare(live, want), nil
}

// insufficientPrivilege is the SQLSTATE of a refused CREATE SCHEMA.
const insufficientPrivilege = "42501"

// canonical creates the models in a scratch schema, first on the search
// path, reads them back and rolls everything back. A user who may not
// create schemas gets the models as written, compared through the
// normaliser.
func (r *Runner) canonical(ctx context.Context, conn *pgx.Conn) (*schema.Metadata, error) {
	empty, err := schema.NewMetadata(nil, nil)
	if err != nil {
		return nil, err
	}
	nsp := "crucible_scratch_" + randomHex(6)
	q, err := r.ddl.QuoteIdent(nsp)
	if err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("canonical models: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // rolled back on purpose
	setup := []string{"CREATE SCHEMA " + q,
		"SELECT set_config('search_path', $1 || ', ' || current_setting('search_path'), true)"}
	if _, err := tx.Exec(ctx, setup[0]); err != nil {
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == insufficientPrivilege {
			return r.meta, nil // compare as written, through the normaliser
		}
		return nil, fmt.Errorf("canonical models: scratch schema: %w", err)
	}
	if _, err := tx.Exec(ctx, setup[1], q); err != nil {
		return nil, fmt.Errorf("canonical models: search path: %w", err)
	}
	rev := &Revision{ID: "models", Upgrade: Compare(empty, r.meta).Ops}
	segs, err := r.segments(rev, true)
	if err != nil {
		return nil, fmt.Errorf("canonical models: %w", err)
	}
	for _, seg := range segs {
		if err := execOps(ctx, tx, rev, "create", seg.ops); err != nil {
			return nil, fmt.Errorf("canonical models: %w", err)
		}
	}
	return inspect(ctx, tx, nsp, r.versionTable)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
