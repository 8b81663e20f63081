package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/dialect"
)

// violations maps the SQLSTATE of a constraint violation to its kind.
var violations = map[string]error{
	"23505": dialect.ErrUniqueViolation,
	"23503": dialect.ErrForeignKeyViolation,
	"23514": dialect.ErrCheckViolation,
	"23502": dialect.ErrNotNullViolation,
	"23P01": dialect.ErrExclusionViolation,
}

// Classify returns a *[dialect.ConstraintError] wrapping err when err is
// (or wraps) a *pgconn.PgError for a unique, foreign-key, check, not-null or
// exclusion violation, with the schema, table, column and constraint names
// the server reported (the server names a column only for a not-null
// violation; the columns of a key come from the models, see
// [dialect.ConstraintError.Columns]). It goes by SQLSTATE only, never by message text.
// Any other error, nil, and an error already classified come back
// unchanged.
func (Dialect) Classify(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	kind := violations[pg.Code]
	var done *dialect.ConstraintError
	if kind == nil || errors.As(err, &done) {
		return err
	}
	ce := &dialect.ConstraintError{
		Kind:       kind,
		Schema:     pg.SchemaName,
		Table:      pg.TableName,
		Column:     pg.ColumnName,
		Constraint: pg.ConstraintName,
		Err:        err,
	}
	if pg.ColumnName != "" {
		ce.Columns = []string{pg.ColumnName}
	}
	return ce
}
