package migrate

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgconnTag is the result of Exec.
type pgconnTag = pgconn.CommandTag

// querier reads rows: a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// The version table holds one row per head revision the database is at:
// none at base, one for a linear history.
func versionTableSQL(d DDL, table string) (string, error) {
	q, err := quoteVersionTable(d, table)
	if err != nil {
		return "", err
	}
	return "CREATE TABLE IF NOT EXISTS " + q + " (revision text PRIMARY KEY)", nil
}

func ensureVersionTable(ctx context.Context, db execer, d DDL, table string) error {
	q, err := versionTableSQL(d, table)
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, q); err != nil {
		return versionTableError(table, err)
	}
	return nil
}

// readVersion returns the heads recorded in the version table, none when
// the table does not exist yet.
func readVersion(ctx context.Context, db querier, d DDL, table string) ([]string, error) {
	q, err := quoteVersionTable(d, table)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, "SELECT to_regclass($1) IS NOT NULL", q)
	if err != nil {
		return nil, fmt.Errorf("read version: %w", err)
	}
	exists, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[bool])
	if err != nil || !exists {
		return nil, wrapf("read version", err)
	}
	rows, err = db.Query(ctx, "SELECT revision FROM "+q+" ORDER BY revision")
	if err != nil {
		return nil, fmt.Errorf("read version: %w", err)
	}
	heads, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return heads, wrapf("read version", err)
}

// writeVersion replaces the recorded heads.
func writeVersion(ctx context.Context, tx pgx.Tx, d DDL, table string, heads []string) error {
	q, err := quoteVersionTable(d, table)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM "+q); err != nil {
		return fmt.Errorf("write version: %w", err)
	}
	if len(heads) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, "INSERT INTO "+q+" (revision) SELECT unnest($1::text[])", heads)
	return wrapf("write version", err)
}

// wrapf wraps err with context, nil for nil.
func wrapf(context string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", context, err)
}
