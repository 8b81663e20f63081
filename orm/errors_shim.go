package orm

// TEMPORARY: stand-ins for dialect.ConstraintError and its sentinels until
// the dialect package lands; errors.go will alias them then.

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// ConstraintError is a constraint violation with the constraint, table and
// column the server reported.
type ConstraintError struct {
	Kind       error
	Constraint string
	Table      string
	Column     string
	Err        error
}

// Error renders the violation.
func (e *ConstraintError) Error() string { return e.Err.Error() }

// Unwrap returns the kind sentinel and the driver error.
func (e *ConstraintError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Constraint violation kinds.
var (
	ErrUniqueViolation     = errors.New("unique violation")
	ErrForeignKeyViolation = errors.New("foreign key violation")
	ErrCheckViolation      = errors.New("check violation")
	ErrNotNullViolation    = errors.New("not-null violation")
)

func shimClassify(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	kinds := map[string]error{"23505": ErrUniqueViolation, "23503": ErrForeignKeyViolation, "23514": ErrCheckViolation, "23502": ErrNotNullViolation}
	k := kinds[pg.Code]
	if k == nil {
		return err
	}
	return &ConstraintError{Kind: k, Constraint: pg.ConstraintName, Table: pg.TableName, Column: pg.ColumnName, Err: err}
}
