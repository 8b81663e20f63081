package migrate

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Execute runs raw SQL written by the migration's author: a data
// migration, a statement no other op covers. Undo is the SQL that reverses
// it; without one the op is irreversible. NoTransaction runs it outside the
// revision's transaction (for statements PostgreSQL refuses in one).
type Execute struct {
	SQL           string // run as written, without parameters; several statements may be separated by ";"
	Undo          string // the SQL of the reverse; "" makes the op irreversible
	NoTransaction bool   // run on its own, like CREATE INDEX CONCURRENTLY or ALTER SYSTEM
}

// Irreversible marks a downgrade that cannot be written. The runner
// refuses to run a revision holding it, before anything is changed, with
// an *IrreversibleError carrying Reason.
type Irreversible struct {
	Reason string // why the downgrade cannot be written, for the error
}

// Reverse returns an Execute of Undo, or an *IrreversibleError without one.
func (o Execute) Reverse() (Op, error) {
	if o.Undo == "" {
		return nil, &IrreversibleError{Op: o.String(), Reason: "it has no Undo SQL"}
	}
	return Execute{SQL: o.Undo, Undo: o.SQL, NoTransaction: o.NoTransaction}, nil
}

// String returns "execute" and the SQL's first line.
func (o Execute) String() string {
	first, _, _ := strings.Cut(strings.TrimSpace(o.SQL), "\n")
	if len(first) > 60 {
		first = first[:57] + "..."
	}
	return "execute " + first
}

func (o Execute) statements(DDL) ([]string, error) { return []string{o.SQL}, nil }

func (o Execute) noTransaction() bool { return o.NoTransaction }

// Reverse fails: there is nothing to reverse to.
func (o Irreversible) Reverse() (Op, error) {
	return nil, &IrreversibleError{Op: o.String(), Reason: o.Reason}
}

// String returns "irreversible".
func (o Irreversible) String() string { return "irreversible" }

func (o Irreversible) statements(DDL) ([]string, error) {
	return nil, &IrreversibleError{Op: "downgrade", Reason: o.Reason}
}

// RunGo runs Go code in the revision's transaction: a data migration SQL
// alone cannot express (hashing, parsing, calling a library). Down, when
// set, undoes it; without one the op is irreversible. It has no SQL: the
// offline script marks where it would run. Autogenerate never writes it.
type RunGo struct {
	Name string                                     // what the code does, for output and errors
	Up   func(ctx context.Context, tx pgx.Tx) error // the upgrade; an error rolls the revision back
	Down func(ctx context.Context, tx pgx.Tx) error // the downgrade; nil makes the op irreversible
}

// Reverse swaps Up and Down, or fails without a Down.
func (o RunGo) Reverse() (Op, error) {
	if o.Down == nil {
		return nil, &IrreversibleError{Op: o.String(), Reason: "it has no Down function"}
	}
	return RunGo{Name: o.Name, Up: o.Down, Down: o.Up}, nil
}

// String returns "run Go NAME".
func (o RunGo) String() string { return "run Go " + o.Name }

func (o RunGo) statements(DDL) ([]string, error) {
	if o.Up == nil {
		return nil, errors.New("RunGo " + o.Name + " has no Up function")
	}
	return nil, nil
}

// run calls Up in the revision's transaction.
func (o RunGo) run(ctx context.Context, tx pgx.Tx) error { return o.Up(ctx, tx) }
