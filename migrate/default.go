package migrate

// The PostgreSQL defaults of the package: the dialect that renders ops,
// the catalog reader, the advisory lock and the default normaliser. This
// file is the only one that imports dialect/postgres.

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/schema"
)

// defaultDDL is the dialect a Runner renders ops with unless WithDDL.
func defaultDDL() DDL { return postgres.New() }

// normalizeDefault folds server-default spellings for Compare.
var normalizeDefault = postgres.NormalizeDefault

// inspect reads schema nsp (as the unnamed one) and the schemas others
// without the version table.
func inspect(ctx context.Context, q querier, nsp string, others []string, versionTable string) (*schema.Metadata, error) {
	return postgres.Inspect(ctx, q, postgres.InspectOptions{Schema: nsp, Schemas: others, Exclude: []string{versionTable}})
}

// lockKey is the advisory-lock key of the runners of a version table.
func lockKey(versionTable string) int64 {
	return postgres.LockKey("crucible migrate " + versionTable)
}

// xactLock begins a transaction on conn holding the runner's lock, a
// LockTimeoutError wrapped in ErrLocked past the timeout.
func xactLock(ctx context.Context, conn postgres.Beginner, key int64, timeout time.Duration) (pgx.Tx, error) {
	tx, err := postgres.AdvisoryXactLock(ctx, conn, key, timeout)
	if errors.Is(err, postgres.ErrLockTimeout) {
		return nil, errLocked(err)
	}
	return tx, err
}

// lockHeld reports whether server process pid still holds the lock key.
func lockHeld(ctx context.Context, q rowQuerier, key int64, pid uint32) (bool, error) {
	return postgres.LockHolder(ctx, q, key, pid)
}

// normalizeType folds type aliases (int4, varchar, timestamptz) for Compare.
func normalizeType(t schema.Type) schema.Type {
	switch x := t.(type) {
	case schema.Scalar:
		if p, err := postgres.ParseFormatType(x.String()); err == nil {
			return p
		}
	case schema.Array:
		return schema.Array{Elem: normalizeType(x.Elem)}
	}
	return t
}
