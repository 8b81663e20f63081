package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// The version table is named TABLE, in the search path's schema, or
// SCHEMA.TABLE. The runner creates the table, never its schema: a schema
// created for it would stand in the way of a revision's CreateSchema, and
// creating one takes a privilege a migration role may lack.

// splitVersionTable splits the version table's name into its schema ("" for
// the search path's) and table.
func splitVersionTable(name string) (nsp, table string, err error) {
	nsp, table, qualified := strings.Cut(name, ".")
	switch {
	case !qualified:
		return "", name, nil
	case nsp == "" || table == "" || strings.Contains(table, "."):
		return "", "", fmt.Errorf("version table %q: want TABLE or SCHEMA.TABLE", name)
	}
	return nsp, table, nil
}

// quoteVersionTable quotes the version table's name, qualified by its
// schema when it names one.
func quoteVersionTable(d DDL, name string) (string, error) {
	nsp, table, err := splitVersionTable(name)
	if err != nil {
		return "", err
	}
	q, err := d.QuoteIdent(table)
	if err != nil || nsp == "" {
		return q, wrapf("version table", err)
	}
	qs, err := d.QuoteIdent(nsp)
	if err != nil {
		return "", fmt.Errorf("version table: %w", err)
	}
	return qs + "." + q, nil
}

// versionTableError explains a failure to create the version table: a
// schema that does not exist is the user's to create.
func versionTableError(name string, err error) error {
	var pg *pgconn.PgError
	if nsp, _, _ := splitVersionTable(name); errors.As(err, &pg) && pg.Code == "3F000" && nsp != "" {
		return fmt.Errorf("create version table %s: schema %q does not exist: create it first (the version table must exist before the first revision runs, so no revision can create its schema): %w", name, nsp, err)
	}
	return fmt.Errorf("create version table %s: %w", name, err)
}
