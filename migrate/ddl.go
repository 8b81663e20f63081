package migrate

import "github.com/crucible-orm/crucible/schema"

// DDL renders the statements of the operations. *postgres.Dialect
// satisfies it; the runner uses it by default. Every method only renders:
// the runner executes the statements in the revision's transaction.
// Identifiers are quoted by the implementation; expressions (defaults,
// checks, index predicates, USING) are raw SQL from the migration file.
// nsp is the PostgreSQL schema of the table or type, "" for the search
// path's; an index is in its table's schema.
type DDL interface {
	// QuoteIdent quotes an identifier, or fails for one it cannot quote
	// faithfully (empty, NUL, too long).
	QuoteIdent(name string) (string, error)
	// TypeName spells a column type, enum names quoted ("text[]",
	// `"mood"`, `"sales"."status"`, "numeric(10,2)").
	TypeName(t schema.Type) (string, error)

	// CreateSchema renders CREATE SCHEMA.
	CreateSchema(name string) (string, error)
	// DropSchema renders DROP SCHEMA, never CASCADE.
	DropSchema(name string) (string, error)

	// CreateEnum renders CREATE TYPE … AS ENUM with the labels in order,
	// in the enum's schema.
	CreateEnum(e *schema.Enum) (string, error)
	// DropEnum renders DROP TYPE.
	DropEnum(nsp, name string) (string, error)
	// AddEnumValue renders ALTER TYPE … ADD VALUE, BEFORE or AFTER an
	// existing label when one of them is set.
	AddEnumValue(nsp, enum, value, before, after string) (string, error)
	// RenameEnumValue renders ALTER TYPE … RENAME VALUE.
	RenameEnumValue(nsp, enum, from, to string) (string, error)
	// RenameEnum renders ALTER TYPE … RENAME TO.
	RenameEnum(nsp, from, to string) (string, error)

	// CreateTable renders CREATE TABLE with the table's columns, keys,
	// constraints, then its indexes and comments as statements of their
	// own.
	CreateTable(t *schema.Table) ([]string, error)
	// DropTable renders DROP TABLE.
	DropTable(nsp, name string) (string, error)
	// RenameTable renders ALTER TABLE … RENAME TO.
	RenameTable(nsp, from, to string) (string, error)
	// CommentOnTable renders COMMENT ON TABLE; "" removes the comment.
	CommentOnTable(nsp, table, comment string) (string, error)

	// AddColumn renders ALTER TABLE … ADD COLUMN, then the column's
	// comment.
	AddColumn(nsp, table string, c *schema.Column) ([]string, error)
	// DropColumn renders ALTER TABLE … DROP COLUMN.
	DropColumn(nsp, table, column string) (string, error)
	// RenameColumn renders ALTER TABLE … RENAME COLUMN.
	RenameColumn(nsp, table, from, to string) (string, error)
	// AlterColumnType renders ALTER COLUMN … TYPE, with USING using
	// when it is not "".
	AlterColumnType(nsp, table, column string, to schema.Type, using string) (string, error)
	// AlterColumnNullable renders DROP NOT NULL (nullable) or SET NOT
	// NULL.
	AlterColumnNullable(nsp, table, column string, nullable bool) (string, error)
	// AlterColumnDefault renders SET DEFAULT expr, or DROP DEFAULT when
	// expr is "".
	AlterColumnDefault(nsp, table, column, expr string) (string, error)
	// AlterColumnIdentity renders the change of a column's identity
	// between none, BY DEFAULT and ALWAYS.
	AlterColumnIdentity(nsp, table, column string, from, to schema.Identity) ([]string, error)
	// CommentOnColumn renders COMMENT ON COLUMN; "" removes the comment.
	CommentOnColumn(nsp, table, column, comment string) (string, error)

	// AddPrimaryKey renders ADD CONSTRAINT … PRIMARY KEY.
	AddPrimaryKey(nsp, table string, pk *schema.PrimaryKey) (string, error)
	// AddUnique renders ADD CONSTRAINT … UNIQUE.
	AddUnique(nsp, table string, u *schema.Unique) (string, error)
	// AddForeignKey renders ADD CONSTRAINT … FOREIGN KEY … REFERENCES,
	// with its actions.
	AddForeignKey(nsp, table string, fk *schema.ForeignKey) (string, error)
	// AddCheck renders ADD CONSTRAINT … CHECK.
	AddCheck(nsp, table string, c *schema.Check) (string, error)
	// DropConstraint renders ALTER TABLE … DROP CONSTRAINT, for any kind.
	DropConstraint(nsp, table, name string) (string, error)
	// RenameConstraint renders ALTER TABLE … RENAME CONSTRAINT, for any
	// kind.
	RenameConstraint(nsp, table, from, to string) (string, error)

	// CreateIndex renders CREATE [UNIQUE] INDEX [CONCURRENTLY] with the
	// method, operator classes and predicate, in the table's schema.
	CreateIndex(nsp, table string, ix *schema.Index, concurrently bool) (string, error)
	// DropIndex renders DROP INDEX [CONCURRENTLY]; nsp is its table's
	// schema.
	DropIndex(nsp, name string, concurrently bool) (string, error)
	// RenameIndex renders ALTER INDEX … RENAME TO; nsp is its table's
	// schema.
	RenameIndex(nsp, from, to string) (string, error)
}
