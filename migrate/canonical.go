package migrate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crucible-orm/crucible/schema"
)

// insufficientPrivilege is the SQLSTATE of a refused CREATE SCHEMA.
const insufficientPrivilege = "42501"

// canonical creates the models in scratch schemas inside a transaction,
// reads them back and rolls everything back: the search path's schema
// becomes a scratch schema first on the search path, and each schema the
// models name gets a scratch schema of its own, so that nothing real is
// touched and the server spells every type, default and expression its
// own way. A user who may not create schemas gets the models as written,
// compared through the normaliser.
func (r *Runner) canonical(ctx context.Context, conn *pgx.Conn, db *database) (*schema.Metadata, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("canonical models: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // rolled back on purpose
	s := newScratch(db.want.Schemas())
	if _, err := tx.Exec(ctx, "CREATE SCHEMA "+s.base); err != nil {
		if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == insufficientPrivilege {
			return db.want, nil // compare as written, through the normaliser
		}
		return nil, fmt.Errorf("canonical models: scratch schema: %w", err)
	}
	m, err := s.build(ctx, r, tx, db)
	if err != nil {
		return nil, fmt.Errorf("canonical models: %w", err)
	}
	return m, nil
}

// scratch names the scratch schemas of one canonical call: base stands
// for the search path's schema, and of[S] for the models' schema S.
type scratch struct {
	base string
	of   map[string]string
	back map[string]string // scratch name -> models' schema
}

func newScratch(schemas []string) *scratch {
	s := &scratch{base: "crucible_scratch_" + randomHex(6), of: map[string]string{}, back: map[string]string{}}
	for i, nsp := range schemas {
		name := s.base + "_" + strconv.Itoa(i+1)
		s.of[nsp], s.back[name] = name, nsp
	}
	return s
}

// build sets the search path, creates the models in the scratch schemas
// and reads them back under their own schemas' names.
func (s *scratch) build(ctx context.Context, r *Runner, tx pgx.Tx, db *database) (*schema.Metadata, error) {
	if err := s.searchPath(ctx, tx, db.current); err != nil {
		return nil, err
	}
	models, err := renameSchemas(db.want, mapSchemas(s.of), nil)
	if err != nil {
		return nil, err
	}
	rev := &Revision{ID: "models", Upgrade: compare(emptyMetadata(), models, filter{current: db.current}, owned{}, map[string]bool{}).Ops}
	segs, err := r.segments(rev, Up)
	if err != nil {
		return nil, err
	}
	for _, seg := range segs {
		if err := execOps(ctx, tx, rev, "create", seg.ops); err != nil {
			return nil, err
		}
	}
	read, err := inspect(ctx, tx, s.base, sortedKeys(s.back), r.versionTable)
	if err != nil {
		return nil, err
	}
	expr, err := s.exprNames(ctx, tx)
	if err != nil {
		return nil, err
	}
	return renameSchemas(read, mapSchemas(s.back), expr)
}

// searchPath puts the scratch schemas where the schemas they stand for
// are on the search path, followed by the search path as it was (so that
// types and functions the models use are still found): names resolve and
// print in the scratch as they do in the database.
func (s *scratch) searchPath(ctx context.Context, tx pgx.Tx, current string) error {
	var path []string
	if err := tx.QueryRow(ctx, "SELECT current_schemas(false)::text[]").Scan(&path); err != nil {
		return fmt.Errorf("search path: %w", err)
	}
	mapped := make([]string, 0, 2*len(path)+1)
	for _, nsp := range path {
		switch {
		case nsp == current:
			mapped = append(mapped, s.base)
		case s.of[nsp] != "":
			mapped = append(mapped, s.of[nsp])
		}
	}
	mapped = append(mapped, path...)
	quoted := make([]string, len(mapped))
	for i, nsp := range mapped {
		quoted[i] = pgx.Identifier{nsp}.Sanitize()
	}
	_, err := tx.Exec(ctx, "SELECT set_config('search_path', $1, true)", strings.Join(quoted, ", "))
	if err != nil {
		return fmt.Errorf("search path: %w", err)
	}
	return nil
}

// exprNames returns the rewrite of expressions read back from the
// scratch: a scratch schema's name, where the server printed one, becomes
// the name of the schema it stands for, quoted as the server quotes it.
func (s *scratch) exprNames(ctx context.Context, tx pgx.Tx) (func(string) string, error) {
	if len(s.of) == 0 {
		return nil, nil
	}
	var pairs []string
	for _, name := range sortedKeys(s.back) {
		var quoted string
		if err := tx.QueryRow(ctx, "SELECT quote_ident($1)", s.back[name]).Scan(&quoted); err != nil {
			return nil, fmt.Errorf("quote schema name: %w", err)
		}
		pairs = append(pairs, name+".", quoted+".")
	}
	r := strings.NewReplacer(pairs...) // "x_1." is no prefix of "x_10.": the dot ends each name
	return r.Replace, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
