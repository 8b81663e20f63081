package migrate

import "github.com/crucible-orm/crucible/schema"

// PostgreSQL's serial types are not types: `serial` is an integer column
// whose default is nextval of a sequence the column owns, and ALTER COLUMN
// … TYPE serial does not exist. Inspect reads such a column back as
// serial, so an AlterColumn can go from or to one (a legacy serial key
// becoming an identity, say); these helpers spell that change in real
// types and sequences.

// serialBase maps each serial pseudo-type to the integer type it makes.
var serialBase = map[string]string{"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}

// serialOf returns the integer type under a serial type, and whether t is
// one.
func serialOf(t schema.Type) (schema.Type, bool) {
	s, ok := t.(schema.Scalar)
	if !ok {
		return t, false
	}
	base, ok := serialBase[normalizeTypeName(s.Name)]
	if !ok {
		return t, false
	}
	return schema.Scalar{Name: base}, true
}

// normalizeTypeName folds an alias (serial4) into its canonical name.
func normalizeTypeName(name string) string {
	if s, ok := normalizeType(schema.Scalar{Name: name}).(schema.Scalar); ok {
		return s.Name
	}
	return name
}

// dropSerial detaches a serial column from its sequence: the default goes,
// then the sequence, found by pg_get_serial_sequence since its name is not
// in the metadata.
func dropSerial(d DDL, nsp, table, column string) ([]string, error) {
	var b stmts
	b.add(d.AlterColumnDefault(nsp, table, column, ""))
	b.add(serialSequenceDo(d, nsp, table, column, "DROP SEQUENCE %s"))
	return b.out, b.err
}

// makeSerial gives an integer column a sequence it owns, as serial does,
// starting after the largest value the column holds. The sequence goes in
// the table's schema.
func makeSerial(d DDL, nsp, table, column string, base schema.Type) ([]string, error) {
	seq, err := quoteQualified(d, nsp, table+"_"+column+"_seq")
	if err != nil {
		return nil, err
	}
	t, err := quoteQualified(d, nsp, table)
	if err != nil {
		return nil, err
	}
	c, err := d.QuoteIdent(column)
	if err != nil {
		return nil, err
	}
	var b stmts
	b.out = append(b.out, "CREATE SEQUENCE "+seq+" AS "+base.String()+" OWNED BY "+t+"."+c)
	b.add(d.AlterColumnDefault(nsp, table, column, "nextval("+sqlString(seq)+"::regclass)"))
	b.add(restartSequence(d, nsp, table, column))
	return b.out, b.err
}

// quoteQualified quotes a name, qualified by its schema unless nsp is "".
func quoteQualified(d DDL, nsp, name string) (string, error) {
	q, err := d.QuoteIdent(name)
	if err != nil || nsp == "" {
		return q, err
	}
	s, err := d.QuoteIdent(nsp)
	return s + "." + q, err
}

// restartSequence moves the sequence of a serial or identity column past
// the values the column already holds, so that the next insert does not
// collide with an existing row.
func restartSequence(d DDL, nsp, table, column string) (string, error) {
	t, err := quoteQualified(d, nsp, table)
	if err != nil {
		return "", err
	}
	c, err := d.QuoteIdent(column)
	if err != nil {
		return "", err
	}
	return "SELECT setval(pg_get_serial_sequence(" + sqlString(t) + ", " + sqlString(column) + "), " +
		"coalesce(max(" + c + "), 0) + 1, false) FROM " + t, nil
}

// serialSequenceDo runs format(stmt, sequence) on the column's sequence in
// a DO block: DDL cannot take the name from a function call directly.
func serialSequenceDo(d DDL, nsp, table, column, stmt string) (string, error) {
	t, err := quoteQualified(d, nsp, table)
	if err != nil {
		return "", err
	}
	return "DO $crucible$ BEGIN EXECUTE format(" + sqlString(stmt) + ", pg_get_serial_sequence(" +
		sqlString(t) + ", " + sqlString(column) + ")); END $crucible$", nil
}
