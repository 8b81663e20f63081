package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/schema"
)

// ErrNoMetadata is returned by [Runner.Autogenerate], [Runner.Check] and
// [Runner.Baseline] when the runner was built without [WithMetadata].
var ErrNoMetadata = errors.New("no models' metadata given (WithMetadata)")

// Autogenerate compares the models' metadata with the database, within
// the runner's [Scope], and returns the ops that bring the database in
// line. The database must be at the head revision (else
// [ErrNotUpToDate]), since the new revision goes on top of it.
//
// It reads the search path's schema, the schemas the models name, those a
// revision created and those the scope includes. The models' metadata is
// first created in scratch schemas inside a transaction that is rolled
// back, and read back from the catalogs, so that both sides compare in the
// server's own canonical spelling of types, defaults, checks and index
// predicates. A table or enum type that no model describes is dropped only
// when a revision of the set created it (or the scope says DropUnmanaged);
// otherwise it is listed in [Diff.Unmanaged].
func (r *Runner) Autogenerate(ctx context.Context) (*Diff, error) {
	var d *Diff
	err := r.withConn(ctx, "autogenerate", func(conn *pgx.Conn) error {
		if err := r.atHead(ctx, conn); err != nil {
			return err
		}
		var err error
		d, err = r.diff(ctx, conn)
		return err
	})
	return d, err
}

// Check reports whether the database is at the head revision and matches
// the models: nil when it does, [ErrNotUpToDate] when revisions are
// pending, and [ErrDrift] with the diff when autogenerate would find ops.
// Unmanaged objects alone are no drift; they are listed in the diff.
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

// Baseline returns the ops that create everything the models describe
// (within the scope) in an empty database, whatever the database holds:
// the first revision of a project adopting a database that exists. Write
// it with [Draft] and record it with [Runner.Stamp] instead of running it;
// fresh databases get the schema by upgrading. The set must have no
// revisions yet. The database is used only to put the models in canonical
// form.
func (r *Runner) Baseline(ctx context.Context) (*Diff, error) {
	if err := r.set.Err(); err != nil {
		return nil, err
	}
	if n := len(r.set.Revisions()); n > 0 {
		return nil, fmt.Errorf("baseline: the set has %d revision(s) already; a baseline is the first revision", n)
	}
	var d *Diff
	err := r.withConn(ctx, "baseline", func(conn *pgx.Conn) error {
		db, err := r.readDatabase(ctx, conn)
		if err != nil {
			return err
		}
		want, err := r.canonical(ctx, conn, db)
		if err != nil {
			return err
		}
		d = compare(emptyMetadata(), want, db.filter, owned{}, map[string]bool{})
		return nil
	})
	return d, err
}

// withConn runs fn on a connection of the pool, after checking the
// runner has the models and a well-formed scope.
func (r *Runner) withConn(ctx context.Context, what string, fn func(*pgx.Conn) error) error {
	if r.meta == nil {
		return ErrNoMetadata
	}
	if err := r.scope.Err(); err != nil {
		return err
	}
	conn, err := r.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer conn.Release()
	return fn(conn.Conn())
}

// atHead fails with ErrNotUpToDate unless the version table names exactly
// the set's heads, and with an UnknownRevisionError when it names a
// revision the set lacks (no upgrade would help).
func (r *Runner) atHead(ctx context.Context, conn *pgx.Conn) error {
	if err := r.set.Err(); err != nil {
		return err
	}
	current, err := readVersion(ctx, conn, r.ddl, r.versionTable)
	if err != nil {
		return err
	}
	if _, err := r.set.applied(current); err != nil {
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
	db, err := r.readDatabase(ctx, conn)
	if err != nil {
		return nil, err
	}
	live, err := inspect(ctx, conn, db.current, db.read, r.versionTable)
	if err != nil {
		return nil, err
	}
	want, err := r.canonical(ctx, conn, db)
	if err != nil {
		return nil, err
	}
	return compare(live, want, db.filter, db.owned, db.schemas), nil
}

func emptyMetadata() *schema.Metadata {
	m, _ := schema.NewMetadata(nil, nil) // cannot fail: nothing to check
	return m
}
