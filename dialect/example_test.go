package dialect_test

import (
	"errors"
	"fmt"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres"
)

// Branch on a constraint violation: its kind with errors.Is, its table,
// columns and constraint with errors.As. Here the error is built as a
// dialect's Classify (and orm's flush) returns it, wrapped in context.
func ExampleConstraintError() {
	var err error = fmt.Errorf("flush users: insert: %w", &dialect.ConstraintError{
		Kind:       dialect.ErrUniqueViolation,
		Table:      "users",
		Columns:    []string{"email"},
		Column:     "email",
		Constraint: "uq_users_email",
		Err:        errors.New("ERROR: duplicate key value violates unique constraint (SQLSTATE 23505)"),
	})

	var ce *dialect.ConstraintError
	switch {
	case errors.Is(err, dialect.ErrUniqueViolation) && errors.As(err, &ce):
		fmt.Printf("%s is taken (%s)\n", ce.Column, ce.Constraint)
	case errors.Is(err, dialect.ErrForeignKeyViolation):
		fmt.Println("a referenced row is missing")
	}
	fmt.Println(err)
	// Output:
	// email is taken (uq_users_email)
	// flush users: insert: unique violation on users.email (constraint uq_users_email): ERROR: duplicate key value violates unique constraint (SQLSTATE 23505)
}

// Code written against the contract quotes every identifier and refuses
// names it cannot quote faithfully.
func ExampleQuoter() {
	var d dialect.Dialect = postgres.New()
	q, err := d.QuoteIdent(`order "items"`)
	fmt.Println(q, d.Placeholder(1), err)

	_, err = d.QuoteIdent("")
	var ie *dialect.IdentError
	fmt.Println(errors.Is(err, dialect.ErrBadIdent), errors.As(err, &ie) && ie.Problem == dialect.IdentEmpty)
	// Output:
	// "order ""items""" $1 <nil>
	// true true
}
