package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/schema"
)

// CatalogQuerier runs the catalog queries of [Inspect]. *pgx.Conn,
// *pgxpool.Pool, *pgxpool.Conn and pgx.Tx all satisfy it.
type CatalogQuerier interface {
	// Query runs one catalog query with its arguments bound.
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// InspectOptions narrows what [Inspect] reads.
type InspectOptions struct {
	// Schema is the schema read as the metadata's unnamed one: its tables
	// and types get Schema "", as the models' do that name no schema.
	// "" means current_schema().
	Schema string
	// Schemas lists other schemas to read; their tables and types keep
	// their schema's name. A schema that does not exist reads as empty.
	Schemas []string
	// Exclude lists tables to leave out, such as a migration tool's
	// version table: a name of Schema's, or a qualified "schema.table"
	// (Schema's tables included).
	Exclude []string
}

// Inspect reads schemas of a live database into metadata: their ordinary
// and partitioned tables (not partitions, views or sequences), columns with
// their types, nullability, server defaults, identity and comments, primary
// keys, unique, foreign-key and check constraints, the indexes that do not
// back a constraint, table comments, and enum types with their labels in
// sort order. Names and expressions come back as the server prints them
// (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef), which
// is the canonical form the migration diff compares; see [NormalizeDefault]
// for the forms it further folds. Serial columns (an integer whose default
// is nextval of a sequence the column owns) come back typed serial,
// bigserial or smallserial without a default, so that recreating them from
// the metadata gives the same catalog entries.
//
// A foreign key or an enum-typed column pointing into a schema that is not
// read keeps its reference, unchecked.
//
// Inspect only reads; q may be a transaction. Each table's lookup indexes
// are built, and the metadata orders the tables by foreign key.
func Inspect(ctx context.Context, q CatalogQuerier, opts InspectOptions) (*schema.Metadata, error) {
	in := &inspector{q: q, byOID: map[uint32]*schema.Table{}}
	if err := in.run(ctx, opts); err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return schema.NewMetadata(in.tables, in.enums)
}

// inspector accumulates the tables of one Inspect call, keyed by oid.
type inspector struct {
	q      CatalogQuerier
	nsp    string   // the schema read as ""
	nsps   []string // every schema read
	tables []*schema.Table
	oids   []uint32
	byOID  map[uint32]*schema.Table
	enums  []*schema.Enum
}

func (in *inspector) run(ctx context.Context, opts InspectOptions) error {
	in.nsp = opts.Schema
	if in.nsp == "" {
		if err := in.currentSchema(ctx); err != nil {
			return err
		}
	}
	in.nsps = append([]string{in.nsp}, opts.Schemas...)
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"enums", in.readEnums},
		{"tables", func(ctx context.Context) error { return in.readTables(ctx, opts.Exclude) }},
		{"columns", in.readColumns},
		{"constraints", in.readConstraints},
		{"indexes", in.readIndexes},
	}
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	return nil
}

func (in *inspector) currentSchema(ctx context.Context) error {
	rows, err := in.q.Query(ctx, "SELECT coalesce(current_schema(), '')")
	if err != nil {
		return fmt.Errorf("current schema: %w", err)
	}
	nsp, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("current schema: %w", err)
	}
	if nsp == "" {
		return fmt.Errorf("current schema: search_path names no existing schema")
	}
	in.nsp = nsp
	return nil
}

// each runs query and calls scan once per row with the row's values.
func (in *inspector) each(ctx context.Context, query string, args []any, scan func(pgx.Rows) error) error {
	rows, err := in.q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// local returns "" for the schema read as unnamed, else nsp.
func (in *inspector) local(nsp string) string {
	if nsp == in.nsp {
		return ""
	}
	return nsp
}

func (in *inspector) readEnums(ctx context.Context) error {
	return in.each(ctx, enumsQuery, []any{in.nsps}, func(r pgx.Rows) error {
		e := &schema.Enum{}
		if err := r.Scan(&e.Schema, &e.Name, &e.Values); err != nil {
			return err
		}
		e.Schema = in.local(e.Schema)
		in.enums = append(in.enums, e)
		return nil
	})
}

func (in *inspector) readTables(ctx context.Context, exclude []string) error {
	return in.each(ctx, tablesQuery, []any{in.nsps}, func(r pgx.Rows) error {
		var oid uint32
		t := &schema.Table{}
		if err := r.Scan(&oid, &t.Schema, &t.Name, &t.Comment); err != nil {
			return err
		}
		nsp := t.Schema
		t.Schema = in.local(nsp)
		if slices.Contains(exclude, t.QualifiedName()) || slices.Contains(exclude, nsp+"."+t.Name) {
			return nil
		}
		in.tables = append(in.tables, t)
		in.oids = append(in.oids, oid)
		in.byOID[oid] = t
		return nil
	})
}

// columnRow is one row of columnsQuery.
type columnRow struct {
	rel                           uint32
	name, format, def, ident, gen string
	notNull, ownsSeq              bool
	comment, typType, typName     string
	typNsp                        string
	elemType, elemName, elemNsp   string
}

func (in *inspector) readColumns(ctx context.Context) error {
	return in.each(ctx, columnsQuery, []any{in.oids}, func(r pgx.Rows) error {
		var c columnRow
		err := r.Scan(&c.rel, &c.name, &c.format, &c.notNull, &c.def, &c.ident, &c.gen,
			&c.comment, &c.typType, &c.typName, &c.typNsp, &c.elemType, &c.elemName, &c.elemNsp, &c.ownsSeq)
		if err != nil {
			return err
		}
		c.typNsp, c.elemNsp = in.local(c.typNsp), in.local(c.elemNsp)
		col, err := c.column()
		if err != nil {
			return fmt.Errorf("column %s: %w", c.name, err)
		}
		t := in.byOID[c.rel]
		t.Columns = append(t.Columns, col)
		return nil
	})
}

// column turns a catalog row into a column with a canonical type.
func (c *columnRow) column() (*schema.Column, error) {
	typ, err := c.typ()
	if err != nil {
		return nil, err
	}
	col := &schema.Column{
		Name: c.name, Type: typ, Nullable: !c.notNull,
		ServerDefault: c.def, Comment: c.comment,
		Identity: identities[c.ident],
	}
	if c.ownsSeq && strings.HasPrefix(c.def, "nextval(") {
		if s, ok := serials[typ.String()]; ok {
			col.Type, col.ServerDefault = schema.Scalar{Name: s}, ""
		}
	}
	return col, nil
}

var identities = map[string]schema.Identity{
	"a": schema.IdentityAlways,
	"d": schema.IdentityByDefault,
}

// serials maps an integer type to the pseudo-type that creates it with an
// owned sequence.
var serials = map[string]string{
	"integer":  "serial",
	"bigint":   "bigserial",
	"smallint": "smallserial",
}

func (c *columnRow) typ() (schema.Type, error) {
	switch {
	case c.typType == "e":
		return schema.EnumRef{Schema: c.typNsp, Name: c.typName}, nil
	case c.elemType == "e":
		return schema.Array{Elem: schema.EnumRef{Schema: c.elemNsp, Name: c.elemName}}, nil
	}
	return ParseFormatType(c.format)
}

func (in *inspector) readConstraints(ctx context.Context) error {
	return in.each(ctx, constraintsQuery, []any{in.oids}, func(r pgx.Rows) error {
		var (
			rel                          uint32
			name, kind, refTable, refNsp string
			del, upd, def                string
			cols, refCols                []string
		)
		if err := r.Scan(&rel, &name, &kind, &cols, &refTable, &refNsp, &refCols, &del, &upd, &def); err != nil {
			return err
		}
		t := in.byOID[rel]
		switch kind {
		case "p":
			t.PrimaryKey = &schema.PrimaryKey{Name: name, Columns: cols}
		case "u":
			t.Uniques = append(t.Uniques, &schema.Unique{Name: name, Columns: cols})
		case "c":
			t.Checks = append(t.Checks, &schema.Check{Name: name, Expr: checkExpr(def)})
		case "f":
			fk := &schema.ForeignKey{Name: name, Columns: cols, RefSchema: in.local(refNsp), RefTable: refTable,
				RefColumns: refCols, OnDelete: actions[del], OnUpdate: actions[upd]}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
		return nil
	})
}

// actions maps pg_constraint.confdeltype/confupdtype to actions.
var actions = map[string]schema.Action{
	"a": schema.NoAction,
	"r": schema.Restrict,
	"c": schema.Cascade,
	"n": schema.SetNull,
	"d": schema.SetDefault,
}

// checkExpr extracts EXPR from pg_get_constraintdef's "CHECK (EXPR)" and
// drops a trailing NOT VALID or NO INHERIT.
func checkExpr(def string) string {
	def = strings.TrimSuffix(def, " NOT VALID")
	def = strings.TrimSuffix(def, " NO INHERIT")
	if s, ok := strings.CutPrefix(def, "CHECK ("); ok && strings.HasSuffix(s, ")") {
		return s[:len(s)-1]
	}
	return def
}

func (in *inspector) readIndexes(ctx context.Context) error {
	return in.each(ctx, indexesQuery, []any{in.oids}, func(r pgx.Rows) error {
		var (
			rel         uint32
			ix          schema.Index
			cols, exprs []string
		)
		var opclasses []string
		if err := r.Scan(&rel, &ix.Name, &ix.Unique, &ix.Method, &cols, &exprs, &ix.Where, &opclasses); err != nil {
			return err
		}
		if slices.ContainsFunc(opclasses, func(s string) bool { return s != "" }) {
			ix.OpClasses = opclasses
		}
		if ix.Method == "btree" {
			ix.Method = ""
		}
		if slices.Contains(cols, "") {
			ix.Exprs = exprs
		} else {
			ix.Columns = cols
		}
		t := in.byOID[rel]
		t.Indexes = append(t.Indexes, &ix)
		return nil
	})
}

// Catalog queries. Identifiers come back as names (not quoted) except in
// expressions, which are the server's own deparsed SQL.
const (
	enumsQuery = `
SELECT n.nspname::text, t.typname::text,
       coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL), '{}')
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1) AND t.typtype = 'e'
GROUP BY t.oid, n.nspname, t.typname
ORDER BY n.nspname, t.typname`

	tablesQuery = `
SELECT c.oid, n.nspname::text, c.relname::text, coalesce(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY n.nspname, c.relname`

	columnsQuery = `
SELECT a.attrelid, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, a.attgenerated::text,
       coalesce(col_description(a.attrelid, a.attnum), ''),
       t.typtype::text, t.typname::text, tn.nspname::text,
       coalesce(et.typtype::text, ''), coalesce(et.typname::text, ''), coalesce(etn.nspname::text, ''),
       EXISTS (SELECT 1 FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
               WHERE dep.classid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
                 AND dep.refobjsubid = a.attnum AND dep.deptype = 'a')
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`

	constraintsQuery = `
SELECT con.conrelid, con.conname::text, con.contype::text,
       array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
       coalesce(ft.relname::text, ''), coalesce(fn.nspname::text, ''),
       array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o),
       con.confdeltype::text, con.confupdtype::text,
       CASE WHEN con.contype = 'c' THEN pg_get_constraintdef(con.oid) ELSE '' END
FROM pg_constraint con
LEFT JOIN pg_class ft ON ft.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = ft.relnamespace
WHERE con.conrelid = ANY($1) AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY con.conrelid, con.conname`

	indexesQuery = `
SELECT i.indrelid, c.relname::text, i.indisunique, am.amname::text,
       array(SELECT coalesce((SELECT a.attname::text FROM pg_attribute a
                              WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
                                AND i.indkey[k - 1] <> 0), '')
             FROM generate_series(1, i.indnkeyatts) k ORDER BY k),
       array(SELECT pg_get_indexdef(i.indexrelid, k, false)
             FROM generate_series(1, i.indnkeyatts) k ORDER BY k),
       coalesce(pg_get_expr(i.indpred, i.indrelid), ''),
       array(SELECT CASE WHEN opc.opcdefault AND (a.atttypid IS NULL OR opc.opcintype = a.atttypid
                                OR NOT EXISTS (SELECT 1 FROM pg_opclass d WHERE d.opcmethod = opc.opcmethod
                                                 AND d.opcintype = a.atttypid AND d.opcdefault))
                         THEN '' ELSE opc.opcname::text END
             FROM generate_series(1, i.indnkeyatts) k
             JOIN pg_opclass opc ON opc.oid = i.indclass[k - 1]
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
             ORDER BY k)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
ORDER BY i.indrelid, c.relname`
)
