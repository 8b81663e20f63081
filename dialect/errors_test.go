package dialect_test

import (
	"errors"
	"testing"

	"github.com/crucible-orm/crucible/dialect"
)

func TestConstraintErrorMessage(t *testing.T) {
	driver := errors.New("ERROR: duplicate key (SQLSTATE 23505)")
	tests := []struct {
		name string
		err  *dialect.ConstraintError
		want string
	}{
		{"unique", &dialect.ConstraintError{Kind: dialect.ErrUniqueViolation, Table: "users", Constraint: "uq_users_email", Err: driver},
			"unique violation on users (constraint uq_users_email): ERROR: duplicate key (SQLSTATE 23505)"},
		{"unique, one column", &dialect.ConstraintError{Kind: dialect.ErrUniqueViolation, Table: "users", Columns: []string{"email"}, Column: "email", Constraint: "uq_users_email", Err: driver},
			"unique violation on users.email (constraint uq_users_email): ERROR: duplicate key (SQLSTATE 23505)"},
		{"unique, two columns", &dialect.ConstraintError{Kind: dialect.ErrUniqueViolation, Table: "post_tags", Columns: []string{"post_id", "tag_id"}, Column: "post_id", Constraint: "pk_post_tags", Err: driver},
			"unique violation on post_tags(post_id, tag_id) (constraint pk_post_tags): ERROR: duplicate key (SQLSTATE 23505)"},
		{"not null", &dialect.ConstraintError{Kind: dialect.ErrNotNullViolation, Table: "users", Columns: []string{"email"}, Column: "email", Err: driver},
			"not-null violation on users.email: ERROR: duplicate key (SQLSTATE 23505)"},
		{"built by hand, empty", &dialect.ConstraintError{}, "constraint violation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if tc.err.Kind != nil && (!errors.Is(tc.err, tc.err.Kind) || !errors.Is(tc.err, driver)) {
				t.Error("does not unwrap to its kind and the driver error")
			}
		})
	}
}

func TestIdentProblemString(t *testing.T) {
	for p, want := range map[dialect.IdentProblem]string{
		dialect.IdentEmpty: "empty", dialect.IdentNUL: "contains a NUL byte", dialect.IdentTooLong: "too long",
		dialect.IdentInvalidUTF8: "not valid UTF-8", 0: "IdentProblem(0)",
	} {
		if got := p.String(); got != want {
			t.Errorf("%d: got %q, want %q", p, got, want)
		}
	}
	err := &dialect.IdentError{Name: "", Problem: dialect.IdentEmpty}
	if !errors.Is(err, dialect.ErrBadIdent) || err.Error() != `bad identifier "": empty` {
		t.Errorf("%v", err)
	}
}
