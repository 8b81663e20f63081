package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

const violationsDDL = `
CREATE TABLE parents (id int CONSTRAINT pk_parents PRIMARY KEY);
CREATE TABLE kids (
	id int CONSTRAINT pk_kids PRIMARY KEY,
	parent_id int CONSTRAINT fk_kids_parent REFERENCES parents (id),
	email text NOT NULL CONSTRAINT uq_kids_email UNIQUE,
	age int CONSTRAINT ck_kids_age CHECK (age >= 0),
	nick text,
	during tsrange,
	CONSTRAINT ex_kids_during EXCLUDE USING gist (during WITH &&)
);
CREATE UNIQUE INDEX ux_kids_nick ON kids (lower(nick));
INSERT INTO parents VALUES (1);
INSERT INTO kids VALUES (1, 1, 'a@x', 1, 'Ann', '[2020-01-01,2020-02-01)');
`

func TestClassify(t *testing.T) {
	pool := pgtest.NewPool(t)
	execAll(t, pool, violationsDDL)
	kinds := []error{dialect.ErrUniqueViolation, dialect.ErrForeignKeyViolation, dialect.ErrCheckViolation,
		dialect.ErrNotNullViolation, dialect.ErrExclusionViolation}
	tests := []struct {
		name, sql                 string
		kind                      error
		table, column, constraint string
	}{
		{"unique constraint", `INSERT INTO kids (id, email) VALUES (2, 'a@x')`, dialect.ErrUniqueViolation, "kids", "", "uq_kids_email"},
		{"primary key", `INSERT INTO kids (id, email) VALUES (1, 'b@x')`, dialect.ErrUniqueViolation, "kids", "", "pk_kids"},
		{"unique expression index", `INSERT INTO kids (id, email, nick) VALUES (2, 'b@x', 'ANN')`, dialect.ErrUniqueViolation, "kids", "", "ux_kids_nick"},
		{"foreign key insert", `INSERT INTO kids (id, email, parent_id) VALUES (2, 'b@x', 9)`, dialect.ErrForeignKeyViolation, "kids", "", "fk_kids_parent"},
		{"foreign key delete", `DELETE FROM parents`, dialect.ErrForeignKeyViolation, "kids", "", "fk_kids_parent"},
		{"check", `UPDATE kids SET age = -1`, dialect.ErrCheckViolation, "kids", "", "ck_kids_age"},
		{"not null", `INSERT INTO kids (id) VALUES (3)`, dialect.ErrNotNullViolation, "kids", "email", ""},
		{"exclusion", `INSERT INTO kids (id, email, during) VALUES (4, 'c@x', '[2020-01-15,2020-03-01)')`, dialect.ErrExclusionViolation, "kids", "", "ex_kids_during"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, raw := pool.Exec(context.Background(), tc.sql)
			require.Error(t, raw)
			err := pg.Classify(fmt.Errorf("flush: %w", raw))
			for _, k := range kinds {
				require.Equal(t, k == tc.kind, errors.Is(err, k), "errors.Is(%v)", k)
			}
			var ce *dialect.ConstraintError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.kind, ce.Kind)
			require.Equal(t, "public", ce.Schema)
			require.Equal(t, tc.table, ce.Table)
			require.Equal(t, tc.column, ce.Column)
			if tc.column != "" {
				require.Equal(t, []string{tc.column}, ce.Columns, "the server names the column of a not-null violation")
			} else {
				require.Nil(t, ce.Columns, "the columns of a key come from the models, not from the server")
			}
			require.Equal(t, tc.constraint, ce.Constraint)
			var pgErr *pgconn.PgError
			require.ErrorAs(t, err, &pgErr, "the driver error is still reachable")
			require.Contains(t, err.Error(), tc.kind.Error()+" on kids")
			require.Contains(t, err.Error(), pgErr.Message)
			require.Same(t, err, pg.Classify(err), "classifying twice changes nothing")
		})
	}
}

func TestClassifyOtherErrors(t *testing.T) {
	pool := pgtest.NewPool(t)
	_, syntax := pool.Exec(context.Background(), "SELEC 1")
	_, missing := pool.Exec(context.Background(), "SELECT * FROM nowhere")
	plain := errors.New("not from the server")
	tests := []struct {
		name string
		err  error
	}{
		{"nil", nil},
		{"plain", plain},
		{"syntax error", syntax},
		{"undefined table", missing},
		{"context", context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := pg.Classify(tc.err)
			require.Equal(t, tc.err, got)
			var ce *dialect.ConstraintError
			require.False(t, errors.As(got, &ce))
		})
	}
}
