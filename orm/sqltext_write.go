package orm

import (
	"strconv"
	"strings"
)

// Statement text for the UPDATEs and DELETEs of a flush. Every UPDATE, and
// every DELETE of a versioned table, is wrapped by assertRows so that a
// row-count mismatch fails inside the database: the COMMIT pipelined behind
// it is then skipped by the server and nothing of the flush is written.

// staleSQLState is the SQLSTATE the row-count assertion raises
// (invalid_text_representation, from casting its message to integer). The
// session recognises it by the failing statement being an assertion, not by
// message text.
const staleSQLState = "22P02"

// assertRows wraps stmt (which must end in its RETURNING clause, or have
// none when ret is empty) so that the statement fails unless it touched
// exactly $n rows. The rows it returns are stmt's.
func (ts *tableSQL) assertRows(stmt string, ret colSet, n int) string {
	ph := ts.d.Placeholder(n)
	check := " WHERE CASE c.n WHEN " + ph + " THEN true ELSE ('crucible: stale data, rows matched: ' || c.n)::int > 0 END"
	if ret.empty() {
		return "WITH w AS (" + stmt + " RETURNING 1), c AS (SELECT count(*) AS n FROM w) SELECT c.n FROM c" + check
	}
	return "WITH w AS (" + stmt + "), c AS (SELECT count(*) AS n FROM w) SELECT w.* FROM c LEFT JOIN w ON true" + check
}

// setList renders the SET clause: the columns of set as parameters from
// n on (values from the alias when alias is given), then the onupdate
// expressions of the columns not in set.
func (ts *tableSQL) setList(set colSet, n int, alias string) string {
	var b strings.Builder
	i := 0
	for _, c := range ts.m.cols {
		var v string
		switch {
		case set.has(c.pos) && alias != "":
			v = unnestRef(alias, i, ts.casts[c.pos])
			i++
		case set.has(c.pos):
			v = ts.d.Placeholder(n) + ts.bind[c.pos]
			n++
		case c.OnUpdate != "":
			v = c.OnUpdate
		default:
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ts.cols[c.pos] + " = " + v)
	}
	return b.String()
}

// updateOne is UPDATE t SET … WHERE pk = … [AND version = …] RETURNING ret,
// plain and asserted to touch one row. Parameters: the set columns, the
// key, the old version, then (asserted) the expected count.
func (ts *tableSQL) updateOne(set, ret colSet) (plain, asserted string) {
	plain = ts.cached(stmtKey{form: formUpdateOne, set: set, ret: ret}, func() string {
		n := countSet(set) + 1
		where := ts.keyCond(n, "")
		n += len(ts.m.pk)
		if v := ts.m.version; v != nil {
			where += " AND " + ts.cols[v.pos] + " = " + ts.d.Placeholder(n)
		}
		return "UPDATE " + ts.table + " SET " + ts.setList(set, 1, "") + " WHERE " + where + ts.returning(ret, "")
	})
	asserted = ts.cached(stmtKey{form: formUpdateOne, set: set, ret: ret, n: -1}, func() string {
		n := countSet(set) + len(ts.m.pk) + 1
		if ts.m.version != nil {
			n++
		}
		return ts.assertRows(plain, ret, n)
	})
	return plain, asserted
}

// keyCasts lists the casts of the key columns and of the version column.
func (ts *tableSQL) keyCasts() []string {
	var out []string
	for _, c := range ts.m.pk {
		out = append(out, ts.casts[c.pos])
	}
	if v := ts.m.version; v != nil {
		out = append(out, ts.casts[v.pos])
	}
	return out
}

// keyJoin renders t.pk = v._i AND … [AND t.version = v._j] for key columns
// unnested from position first on.
func (ts *tableSQL) keyJoin(first int) string {
	var parts []string
	i := first
	for _, c := range ts.m.pk {
		parts = append(parts, ts.table+"."+ts.cols[c.pos]+" = v._"+strconv.Itoa(i+1))
		i++
	}
	if v := ts.m.version; v != nil {
		parts = append(parts, ts.table+"."+ts.cols[v.pos]+" = v._"+strconv.Itoa(i+1))
	}
	return strings.Join(parts, " AND ")
}

// updateUnnest updates many rows that changed the same columns in one
// statement: UPDATE t SET a = v._1 … FROM unnest(values…, keys…,
// versions) AS v WHERE t.pk = v._k … RETURNING key and ret, asserted to
// touch every row.
func (ts *tableSQL) updateUnnest(set, ret colSet) (plain, asserted string) {
	casts := append(ts.setCasts(set), ts.keyCasts()...)
	withKey := ret
	if !ret.empty() {
		withKey = withKeyCols(ts.m, ret)
	}
	plain = ts.cached(stmtKey{form: formUpdateUnnest, set: set, ret: ret}, func() string {
		return "UPDATE " + ts.table + " SET " + ts.setList(set, 0, "v") + " FROM " +
			ts.unnestSource(casts, "v", unnumbered) + " WHERE " + ts.keyJoin(countSet(set)) +
			ts.returning(withKey, ts.table+".")
	})
	asserted = ts.cached(stmtKey{form: formUpdateUnnest, set: set, ret: ret, n: -1}, func() string {
		return ts.assertRows(plain, withKey, len(casts)+1)
	})
	return plain, asserted
}

// deleteRows deletes rows by key (and version): DELETE FROM t USING
// unnest(keys…, versions) AS v WHERE t.pk = v._1 …; asserted to touch every
// row when the table is versioned.
func (ts *tableSQL) deleteRows() (plain, asserted string) {
	casts := ts.keyCasts()
	plain = ts.cached(stmtKey{form: formDelete}, func() string {
		return "DELETE FROM " + ts.table + " USING " + ts.unnestSource(casts, "v", unnumbered) + " WHERE " + ts.keyJoin(0)
	})
	if ts.m.version == nil {
		return plain, ""
	}
	asserted = ts.cached(stmtKey{form: formDelete, n: -1}, func() string {
		return ts.assertRows(plain, colSet{}, len(casts)+1)
	})
	return plain, asserted
}

func countSet(s colSet) int {
	n := 0
	for _, w := range s {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

func withKeyCols(m *model, set colSet) colSet {
	for _, c := range m.pk {
		set.add(c.pos)
	}
	return set
}
