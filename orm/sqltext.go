package orm

import (
	"strconv"
	"strings"
	"sync"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/schema"
)

// tableSQL holds one model's statement text for one DB: identifiers are
// quoted once by the dialect, and statements that depend on a column set
// are built on first use and cached per (form, column set).
type tableSQL struct {
	m      *model
	d      dialect.Dialect
	table  string   // quoted, schema-qualified table name
	cols   []string // quoted column names by position
	casts  []string // SQL type of each column, for explicit casts
	bind   []string // suffix after a column's placeholder ("" or a cast)
	list   string   // select list: "table"."col", ...
	byKey  string   // SELECT list FROM table WHERE pk = $1 … (and not soft-deleted)
	keyAll string   // the same, soft-deleted rows included (Refresh)
	nonArr bool     // no column is an array, so every set can be unnested

	mu    sync.RWMutex
	cache map[stmtKey]string
}

// stmtForm names the statement shapes cached per column set.
type stmtForm uint8

const (
	formInsertOne stmtForm = iota + 1
	formInsertUnnest
	formInsertDrawn
	formUpdateOne
	formUpdateUnnest
	formDelete
	formUpsertUnnest
	formSoftDelete
)

type stmtKey struct {
	form stmtForm
	set  colSet // the written columns
	ret  colSet // the RETURNING columns
	n    int    // rows of a VALUES form, or 0
}

func newTableSQL(d dialect.Dialect, m *model) (*tableSQL, error) {
	ts := &tableSQL{m: m, d: d, cache: map[stmtKey]string{}, nonArr: true}
	var err error
	if ts.table, err = quoteTable(d, m.table); err != nil {
		return nil, err
	}
	parts := make([]string, len(m.cols))
	for i, c := range m.cols {
		q, err := d.QuoteIdent(c.Name)
		if err != nil {
			return nil, err
		}
		ts.cols = append(ts.cols, q)
		cast, err := castType(d, c.Type)
		if err != nil {
			return nil, err
		}
		ts.casts = append(ts.casts, cast)
		ts.bind = append(ts.bind, "")
		parts[i] = ts.table + "." + q
		if a, ok := c.Type.(schema.Array); ok {
			ts.nonArr = false
			if _, ok := a.Elem.(schema.EnumRef); ok {
				// The driver cannot encode or decode arrays of enums it
				// does not know; they travel as text[].
				ts.bind[i] = "::text[]::" + cast
				parts[i] += "::text[]"
			}
		}
	}
	ts.list = strings.Join(parts, ", ")
	ts.keyAll = "SELECT " + ts.list + " FROM " + ts.table + " WHERE " + ts.keyCond(1, "")
	ts.byKey = ts.keyAll
	if sd := m.softDelete; sd != nil {
		ts.byKey += " AND " + ts.table + "." + ts.cols[sd.pos] + " IS NULL"
	}
	return ts, nil
}

func quoteTable(d dialect.Dialect, t *schema.Table) (string, error) {
	q, err := d.QuoteIdent(t.Name)
	if err != nil || t.Schema == "" {
		return q, err
	}
	s, err := d.QuoteIdent(t.Schema)
	return s + "." + q, err
}

// castType is the SQL spelling of a column type in a cast: the dialect's
// own (dialect.TypeNamer) when it has one, else the canonical text with
// enum names quoted.
func castType(d dialect.Dialect, t schema.Type) (string, error) {
	if tn, ok := d.(dialect.TypeNamer); ok {
		return tn.TypeName(t)
	}
	switch t := t.(type) {
	case schema.EnumRef:
		return d.QuoteIdent(t.Name)
	case schema.Array:
		e, err := castType(d, t.Elem)
		return e + "[]", err
	}
	return t.String(), nil
}

// keyCond renders "pk1" = $n AND "pk2" = $n+1, with the columns prefixed by
// qual (a quoted table name and a dot) when given.
func (ts *tableSQL) keyCond(n int, qual string) string {
	var b strings.Builder
	for i, c := range ts.m.pk {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(qual + ts.cols[c.pos] + " = " + ts.d.Placeholder(n+i))
	}
	return b.String()
}

// cached returns the statement for k, building it with build once.
func (ts *tableSQL) cached(k stmtKey, build func() string) string {
	ts.mu.RLock()
	s, ok := ts.cache[k]
	ts.mu.RUnlock()
	if ok {
		return s
	}
	s = build()
	ts.mu.Lock()
	ts.cache[k] = s
	ts.mu.Unlock()
	return s
}

// names lists the quoted names of the columns in set, in table order,
// each prefixed with qual.
func (ts *tableSQL) names(set colSet, qual string) []string {
	var out []string
	for _, c := range ts.m.cols {
		if set.has(c.pos) {
			out = append(out, qual+ts.cols[c.pos])
		}
	}
	return out
}

// returning renders " RETURNING a, b" for ret, or "".
func (ts *tableSQL) returning(ret colSet, qual string) string {
	if ret.empty() {
		return ""
	}
	return " RETURNING " + strings.Join(ts.names(ret, qual), ", ")
}

// insertOne is INSERT INTO t (set) VALUES ($1, …) RETURNING ret.
func (ts *tableSQL) insertOne(set, ret colSet) string {
	return ts.cached(stmtKey{form: formInsertOne, set: set, ret: ret}, func() string {
		cols := ts.names(set, "")
		if len(cols) == 0 {
			return "INSERT INTO " + ts.table + " DEFAULT VALUES" + ts.returning(ret, "")
		}
		return "INSERT INTO " + ts.table + " (" + strings.Join(cols, ", ") + ") VALUES (" +
			ts.placeholders(1, set, false) + ")" + ts.returning(ret, "")
	})
}

// placeholders renders the parameters of the columns in set, numbered from
// n, each with its bind suffix, or cast to its type when cast is true.
func (ts *tableSQL) placeholders(n int, set colSet, cast bool) string {
	var b strings.Builder
	for _, c := range ts.m.cols {
		if !set.has(c.pos) {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ts.d.Placeholder(n))
		n++
		switch {
		case ts.bind[c.pos] != "":
			b.WriteString(ts.bind[c.pos])
		case cast:
			b.WriteString("::" + ts.casts[c.pos])
		}
	}
	return b.String()
}

// setCasts lists the cast types of the columns in set, in table order.
func (ts *tableSQL) setCasts(set colSet) []string {
	var out []string
	for _, c := range ts.m.cols {
		if set.has(c.pos) {
			out = append(out, ts.casts[c.pos])
		}
	}
	return out
}

// unnestRows says whether unnestSource numbers its rows.
type unnestRows uint8

const (
	unnumbered unnestRows = iota
	numbered
)

// unnestSource renders "unnest($1::t1[], …) WITH ORDINALITY AS u(_1, …, _o)"
// over the given casts; enums travel as text[] and are cast back per row
// by unnestSelect. With numbered, the rows are numbered in column _o (WITH
// ORDINALITY), for matching returned rows to objects.
func (ts *tableSQL) unnestSource(casts []string, alias string, rows unnestRows) string {
	ordinal := rows == numbered
	var b strings.Builder
	b.WriteString("unnest(")
	for i, c := range casts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ts.d.Placeholder(i+1) + "::" + arrayOf(c) + "[]")
	}
	b.WriteString(")")
	if ordinal {
		b.WriteString(" WITH ORDINALITY")
	}
	b.WriteString(" AS " + alias + "(")
	for i := range casts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("_" + strconv.Itoa(i+1))
	}
	if ordinal {
		b.WriteString(", _o")
	}
	b.WriteString(")")
	return b.String()
}

// arrayOf is the element type an unnest parameter is bound as: enums are
// sent as text and cast back, because the driver does not know their
// array types.
func arrayOf(cast string) string {
	if strings.HasPrefix(cast, `"`) {
		return "text"
	}
	return cast
}

// unnestRef renders alias._i with the cast back to an enum type when
// needed.
func unnestRef(alias string, i int, cast string) string {
	ref := alias + "._" + strconv.Itoa(i+1)
	if strings.HasPrefix(cast, `"`) {
		ref += "::" + cast
	}
	return ref
}

// insertUnnest is INSERT INTO t (set) SELECT … FROM unnest(…) WITH
// ORDINALITY ORDER BY ordinal RETURNING ret. Every row is inserted in
// parameter order, so identity values are drawn in that order.
func (ts *tableSQL) insertUnnest(set, ret colSet) string {
	return ts.cached(stmtKey{form: formInsertUnnest, set: set, ret: ret}, func() string {
		casts := ts.setCasts(set)
		refs := make([]string, len(casts))
		for i, c := range casts {
			refs[i] = unnestRef("u", i, c)
		}
		return "INSERT INTO " + ts.table + " (" + strings.Join(ts.names(set, ""), ", ") + ") SELECT " +
			strings.Join(refs, ", ") + " FROM " + ts.unnestSource(casts, "u", numbered) + " ORDER BY u._o" +
			ts.returning(ret, "")
	})
}

// insertDrawn is the unnest INSERT for rows whose single key column is
// filled by its server default (a uuid from gen_random_uuid(), say): the
// keys are drawn inside the statement, once per row, in a materialized
// CTE beside each row's ordinal; the rows are inserted with those keys;
// and every inserted row comes back joined to its drawn key, so the first
// column returned is the ordinal of the object it belongs to:
//
//	WITH k AS MATERIALIZED (SELECT (default)::type AS _k, u.* FROM unnest(…)
//	  WITH ORDINALITY AS u(_1, …, _o)),
//	i AS (INSERT INTO t (key, set…) SELECT k._k, k._1, … FROM k ORDER BY k._o
//	  RETURNING ret…)
//	r AS (SELECT k._o, i.ret… FROM i JOIN k ON i.key = k._k),
//	c AS (SELECT count(*) AS n FROM r)
//	SELECT r.* FROM c LEFT JOIN r ON true WHERE <c.n is the row count, else fail>
//
// A row whose key was changed on the way in (a trigger) finds no drawn key;
// the statement then fails inside the server, so that nothing is written
// even when it commits on its own, and the flush reports the error rather
// than guessing.
func (ts *tableSQL) insertDrawn(set, ret colSet) string {
	return ts.cached(stmtKey{form: formInsertDrawn, set: set, ret: ret}, func() string {
		key := ts.m.pk[0]
		casts := ts.setCasts(set)
		refs := make([]string, len(casts))
		for i, c := range casts {
			refs[i] = unnestRef("k", i, c)
		}
		var sent colSet
		sent.add(key.pos)
		return "WITH k AS MATERIALIZED (SELECT (" + key.ServerDefault + ")::" + ts.casts[key.pos] + " AS _k, u.* FROM " +
			ts.unnestSource(casts, "u", numbered) + "), i AS (INSERT INTO " + ts.table + " (" +
			strings.Join(append(ts.names(sent, ""), ts.names(set, "")...), ", ") + ") SELECT k._k, " +
			strings.Join(refs, ", ") + " FROM k ORDER BY k._o" + ts.returning(ret, "") + "), r AS (SELECT k._o, " +
			strings.Join(ts.names(ret, "i."), ", ") + " FROM i JOIN k ON i." + ts.cols[key.pos] + " = k._k), " +
			"c AS (SELECT count(*) AS n FROM r) SELECT r.* FROM c LEFT JOIN r ON true WHERE CASE c.n WHEN (SELECT count(*) FROM k) " +
			"THEN true ELSE ('crucible: inserted rows do not match their drawn keys: ' || c.n)::int > 0 END"
	})
}

// insertValues is the multi-row form for column sets unnest cannot carry
// (array columns): INSERT … SELECT … FROM (VALUES (…, 1), (…, 2)) ORDER BY
// the ordinal.
func (ts *tableSQL) insertValues(set, ret colSet, rows int) string {
	if rows > maxCachedRows {
		return ts.valuesText(set, ret, rows) // one-off sizes are not kept
	}
	return ts.cached(stmtKey{form: formInsertUnnest, set: set, ret: ret, n: rows}, func() string {
		return ts.valuesText(set, ret, rows)
	})
}

// maxCachedRows bounds the VALUES statements kept in the cache: one per
// row count up to it.
const maxCachedRows = 32

func (ts *tableSQL) valuesText(set, ret colSet, rows int) string {
	casts := ts.setCasts(set)
	var b strings.Builder
	b.WriteString("INSERT INTO " + ts.table + " (" + strings.Join(ts.names(set, ""), ", ") + ") SELECT ")
	for i := range casts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("v._" + strconv.Itoa(i+1))
	}
	b.WriteString(" FROM (VALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + ts.placeholders(1+r*len(casts), set, r == 0) + ", " + strconv.Itoa(r+1) + ")")
	}
	b.WriteString(") AS v(")
	for i := range casts {
		b.WriteString("_" + strconv.Itoa(i+1) + ", ")
	}
	b.WriteString("_o) ORDER BY v._o" + ts.returning(ret, ""))
	return b.String()
}
