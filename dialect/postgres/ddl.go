package postgres

import "github.com/crucible-orm/crucible/schema"

// The DDL methods below render one schema change each, as migrate's DDL
// interface asks: identifiers quoted, string values as literals,
// expressions copied. A table or type is qualified by its schema (nsp, or
// the Schema of a schema.Table or schema.Enum) unless that is "", which
// leaves it to the search path. Statements are plain: no IF EXISTS, so a
// migration that does not match the database fails loudly.

// CreateSchema renders CREATE SCHEMA.
func (Dialect) CreateSchema(name string) (string, error) {
	return stmt("CREATE SCHEMA ").ident(name).done()
}

// DropSchema renders DROP SCHEMA, without CASCADE: a schema that still
// holds anything is not dropped.
func (Dialect) DropSchema(name string) (string, error) {
	return stmt("DROP SCHEMA ").ident(name).done()
}

// CreateEnum renders CREATE TYPE … AS ENUM with the labels in order.
func (Dialect) CreateEnum(e *schema.Enum) (string, error) {
	w := stmt("CREATE TYPE ").qualified(e.Schema, e.Name).sql(" AS ENUM (")
	for i, v := range e.Values {
		if i > 0 {
			w.sql(", ")
		}
		w.literal(v)
	}
	return w.sql(")").done()
}

// DropEnum renders DROP TYPE.
func (Dialect) DropEnum(nsp, name string) (string, error) {
	return stmt("DROP TYPE ").qualified(nsp, name).done()
}

// AddEnumValue renders ALTER TYPE … ADD VALUE, placed BEFORE or AFTER an
// existing label when one is given (not both; neither appends it).
func (Dialect) AddEnumValue(nsp, enum, value, before, after string) (string, error) {
	w := stmt("ALTER TYPE ").qualified(nsp, enum).sql(" ADD VALUE ").literal(value)
	switch {
	case before != "" && after != "":
		w.invalid("enum %q: value %q both before %q and after %q", enum, value, before, after)
	case before != "":
		w.sql(" BEFORE ").literal(before)
	case after != "":
		w.sql(" AFTER ").literal(after)
	}
	return w.done()
}

// RenameEnumValue renders ALTER TYPE … RENAME VALUE.
func (Dialect) RenameEnumValue(nsp, enum, from, to string) (string, error) {
	return stmt("ALTER TYPE ").qualified(nsp, enum).sql(" RENAME VALUE ").literal(from).sql(" TO ").literal(to).done()
}

// RenameEnum renders ALTER TYPE … RENAME TO; the type stays in its schema.
func (Dialect) RenameEnum(nsp, from, to string) (string, error) {
	return stmt("ALTER TYPE ").qualified(nsp, from).sql(" RENAME TO ").ident(to).done()
}

// CreateTable renders CREATE TABLE with the columns, primary key, unique,
// check and foreign-key constraints inline, then CREATE INDEX for each
// index, then COMMENT ON for the table and each commented column.
func (Dialect) CreateTable(t *schema.Table) ([]string, error) {
	s, err := createTable(t, nil)
	if err != nil {
		return nil, err
	}
	idx, err := indexes(t)
	if err != nil {
		return nil, err
	}
	com, err := comments(t)
	if err != nil {
		return nil, err
	}
	return append(append([]string{s}, idx...), com...), nil
}

// DropTable renders DROP TABLE.
func (Dialect) DropTable(nsp, name string) (string, error) {
	return stmt("DROP TABLE ").qualified(nsp, name).done()
}

// RenameTable renders ALTER TABLE … RENAME TO; the table stays in its
// schema.
func (Dialect) RenameTable(nsp, from, to string) (string, error) {
	return stmt("ALTER TABLE ").qualified(nsp, from).sql(" RENAME TO ").ident(to).done()
}

// CommentOnTable renders COMMENT ON TABLE; an empty comment removes it.
func (Dialect) CommentOnTable(nsp, table, comment string) (string, error) {
	return commentOn(nsp, table, "", comment)
}

// AddColumn renders ALTER TABLE … ADD COLUMN, then COMMENT ON COLUMN when
// the column has a comment.
func (Dialect) AddColumn(nsp, table string, c *schema.Column) ([]string, error) {
	s, err := alterTable(nsp, table).sql("ADD COLUMN ").column(c).done()
	if err != nil {
		return nil, err
	}
	if c.Comment == "" {
		return []string{s}, nil
	}
	com, err := commentOn(nsp, table, c.Name, c.Comment)
	if err != nil {
		return nil, err
	}
	return []string{s, com}, nil
}

// DropColumn renders ALTER TABLE … DROP COLUMN.
func (Dialect) DropColumn(nsp, table, column string) (string, error) {
	return alterTable(nsp, table).sql("DROP COLUMN ").ident(column).done()
}

// RenameColumn renders ALTER TABLE … RENAME COLUMN.
func (Dialect) RenameColumn(nsp, table, from, to string) (string, error) {
	return alterTable(nsp, table).sql("RENAME COLUMN ").ident(from).sql(" TO ").ident(to).done()
}

// AlterColumnType renders ALTER COLUMN … TYPE, with USING when given.
func (Dialect) AlterColumnType(nsp, table, column string, to schema.Type, using string) (string, error) {
	w := alterColumn(nsp, table, column).sql("TYPE ").typ(to)
	if using != "" {
		w.sql(" USING ").expr("USING of "+column, using)
	}
	return w.done()
}

// AlterColumnNullable renders ALTER COLUMN … DROP NOT NULL (nullable) or
// SET NOT NULL.
func (Dialect) AlterColumnNullable(nsp, table, column string, nullable bool) (string, error) {
	if nullable {
		return alterColumn(nsp, table, column).sql("DROP NOT NULL").done()
	}
	return alterColumn(nsp, table, column).sql("SET NOT NULL").done()
}

// AlterColumnDefault renders ALTER COLUMN … SET DEFAULT expr, or DROP
// DEFAULT when expr is "".
func (Dialect) AlterColumnDefault(nsp, table, column, expr string) (string, error) {
	if expr == "" {
		return alterColumn(nsp, table, column).sql("DROP DEFAULT").done()
	}
	return alterColumn(nsp, table, column).sql("SET DEFAULT ").expr("default of "+column, expr).done()
}

// AlterColumnIdentity renders the change of a column's identity: ADD …
// AS IDENTITY from none, DROP IDENTITY to none, SET GENERATED between the
// two kinds, and nothing when from and to are both none.
func (Dialect) AlterColumnIdentity(nsp, table, column string, from, to schema.Identity) ([]string, error) {
	w := alterColumn(nsp, table, column)
	switch {
	case to > schema.IdentityAlways || from > schema.IdentityAlways:
		w.invalid("column %q: unknown identity %d -> %d", column, from, to)
	case to == schema.IdentityNone && from == schema.IdentityNone:
		return nil, nil
	case to == schema.IdentityNone:
		w.sql("DROP IDENTITY")
	case from == schema.IdentityNone:
		w.sql("ADD ", to.String())
	case to == schema.IdentityAlways:
		w.sql("SET GENERATED ALWAYS")
	default:
		w.sql("SET GENERATED BY DEFAULT")
	}
	s, err := w.done()
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// CommentOnColumn renders COMMENT ON COLUMN; an empty comment removes it.
func (Dialect) CommentOnColumn(nsp, table, column, comment string) (string, error) {
	return commentOn(nsp, table, column, comment)
}

// AddPrimaryKey renders ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY.
func (Dialect) AddPrimaryKey(nsp, table string, pk *schema.PrimaryKey) (string, error) {
	return alterTable(nsp, table).sql("ADD ").primaryKey(pk).done()
}

// AddUnique renders ALTER TABLE … ADD CONSTRAINT … UNIQUE.
func (Dialect) AddUnique(nsp, table string, u *schema.Unique) (string, error) {
	return alterTable(nsp, table).sql("ADD ").unique(u).done()
}

// AddForeignKey renders ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY.
func (Dialect) AddForeignKey(nsp, table string, fk *schema.ForeignKey) (string, error) {
	return addForeignKey(nsp, table, fk)
}

// AddCheck renders ALTER TABLE … ADD CONSTRAINT … CHECK.
func (Dialect) AddCheck(nsp, table string, c *schema.Check) (string, error) {
	return alterTable(nsp, table).sql("ADD ").check(c).done()
}

// DropConstraint renders ALTER TABLE … DROP CONSTRAINT.
func (Dialect) DropConstraint(nsp, table, name string) (string, error) {
	return alterTable(nsp, table).sql("DROP CONSTRAINT ").ident(name).done()
}

// RenameConstraint renders ALTER TABLE … RENAME CONSTRAINT; renaming a
// primary key or unique constraint renames its index too.
func (Dialect) RenameConstraint(nsp, table, from, to string) (string, error) {
	return alterTable(nsp, table).sql("RENAME CONSTRAINT ").ident(from).sql(" TO ").ident(to).done()
}

// CreateIndex renders CREATE [UNIQUE] INDEX [CONCURRENTLY] with the access
// method, the columns (or parenthesised expressions) with their operator
// classes and the WHERE predicate of a partial index. An index without a
// name gets the server's. The index goes in its table's schema.
func (Dialect) CreateIndex(nsp, table string, ix *schema.Index, concurrently bool) (string, error) {
	return createIndex(nsp, table, ix, concurrently)
}

// DropIndex renders DROP INDEX [CONCURRENTLY]; nsp is the schema of the
// index's table.
func (Dialect) DropIndex(nsp, name string, concurrently bool) (string, error) {
	w := stmt("DROP INDEX ")
	if concurrently {
		w.sql("CONCURRENTLY ")
	}
	return w.qualified(nsp, name).done()
}

// RenameIndex renders ALTER INDEX … RENAME TO; nsp is the schema of the
// index's table.
func (Dialect) RenameIndex(nsp, from, to string) (string, error) {
	return stmt("ALTER INDEX ").qualified(nsp, from).sql(" RENAME TO ").ident(to).done()
}

// alterTable starts "ALTER TABLE name ".
func alterTable(nsp, table string) *writer {
	return stmt("ALTER TABLE ").qualified(nsp, table).sql(" ")
}

func alterColumn(nsp, table, column string) *writer {
	return alterTable(nsp, table).sql("ALTER COLUMN ").ident(column).sql(" ")
}

func addForeignKey(nsp, table string, fk *schema.ForeignKey) (string, error) {
	return alterTable(nsp, table).sql("ADD ").foreignKey(fk).done()
}

// commentOn renders COMMENT ON TABLE, or ON COLUMN when column is set.
func commentOn(nsp, table, column, comment string) (string, error) {
	w := stmt("COMMENT ON TABLE ")
	if column != "" {
		w = stmt("COMMENT ON COLUMN ")
	}
	w.qualified(nsp, table)
	if column != "" {
		w.sql(".").ident(column)
	}
	if comment == "" {
		return w.sql(" IS NULL").done()
	}
	return w.sql(" IS ").literal(comment).done()
}

func createIndex(nsp, table string, ix *schema.Index, concurrently bool) (string, error) {
	w := stmt("CREATE ")
	if ix.Unique {
		w.sql("UNIQUE ")
	}
	w.sql("INDEX ")
	if concurrently {
		w.sql("CONCURRENTLY ")
	}
	if ix.Name != "" {
		w.ident(ix.Name).sql(" ")
	}
	w.sql("ON ").qualified(nsp, table)
	if ix.Method != "" {
		w.sql(" USING ").ident(ix.Method)
	}
	w.sql(" ").indexKeys(ix)
	if ix.Where != "" {
		w.sql(" WHERE ").expr("predicate of index "+ix.Name, ix.Where)
	}
	return w.done()
}

// indexKeys writes the key list: expressions when the index has any,
// otherwise its columns, each followed by its operator class when it has
// one.
func (w *writer) indexKeys(ix *schema.Index) *writer {
	keys, exprs := ix.Columns, len(ix.Exprs) > 0
	if exprs {
		keys = ix.Exprs
	}
	if len(keys) == 0 {
		return w.invalid("index %q has no columns", ix.Name)
	}
	if len(ix.OpClasses) > 0 && len(ix.OpClasses) != len(keys) {
		return w.invalid("index %q has %d keys but %d operator classes", ix.Name, len(keys), len(ix.OpClasses))
	}
	w.sql("(")
	for i, k := range keys {
		if i > 0 {
			w.sql(", ")
		}
		if exprs {
			w.sql("(").expr("index "+ix.Name, k).sql(")")
		} else {
			w.ident(k)
		}
		if len(ix.OpClasses) > 0 && ix.OpClasses[i] != "" {
			w.sql(" ").ident(ix.OpClasses[i])
		}
	}
	return w.sql(")")
}
