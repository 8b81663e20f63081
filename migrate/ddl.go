package migrate

import "github.com/crucible-orm/crucible/schema"

// DDL renders the statements of the operations. *postgres.Dialect
// satisfies it; the runner uses it by default. Every method only renders:
// the runner executes the statements in the revision's transaction.
// Identifiers are quoted by the implementation; expressions (defaults,
// checks, index predicates, USING) are raw SQL from the migration file.
type DDL interface {
	// QuoteIdent quotes an identifier, or fails for one it cannot quote
	// faithfully (empty, NUL, too long).
	QuoteIdent(name string) (string, error)
	// TypeName spells a column type, enum names quoted ("text[]",
	// `"mood"`, "numeric(10,2)").
	TypeName(t schema.Type) (string, error)

	// CreateEnum renders CREATE TYPE … AS ENUM with the labels in order.
	CreateEnum(e *schema.Enum) (string, error)
	// DropEnum renders DROP TYPE.
	DropEnum(name string) (string, error)
	// AddEnumValue renders ALTER TYPE … ADD VALUE, BEFORE or AFTER an
	// existing label when one of them is set.
	AddEnumValue(enum, value, before, after string) (string, error)
	// RenameEnumValue renders ALTER TYPE … RENAME VALUE.
	RenameEnumValue(enum, from, to string) (string, error)
	// RenameEnum renders ALTER TYPE … RENAME TO.
	RenameEnum(from, to string) (string, error)

	// CreateTable renders CREATE TABLE with the table's columns, keys,
	// constraints, then its indexes and comments as statements of their
	// own.
	CreateTable(t *schema.Table) ([]string, error)
	// DropTable renders DROP TABLE.
	DropTable(name string) (string, error)
	// RenameTable renders ALTER TABLE … RENAME TO.
	RenameTable(from, to string) (string, error)
	// CommentOnTable renders COMMENT ON TABLE; "" removes the comment.
	CommentOnTable(table, comment string) (string, error)

	// AddColumn renders ALTER TABLE … ADD COLUMN, then the column's
	// comment.
	AddColumn(table string, c *schema.Column) ([]string, error)
	// DropColumn renders ALTER TABLE … DROP COLUMN.
	DropColumn(table, column string) (string, error)
	// RenameColumn renders ALTER TABLE … RENAME COLUMN.
	RenameColumn(table, from, to string) (string, error)
	// AlterColumnType renders ALTER COLUMN … TYPE, with USING using
	// when it is not "".
	AlterColumnType(table, column string, to schema.Type, using string) (string, error)
	// AlterColumnNullable renders DROP NOT NULL (nullable) or SET NOT
	// NULL.
	AlterColumnNullable(table, column string, nullable bool) (string, error)
	// AlterColumnDefault renders SET DEFAULT expr, or DROP DEFAULT when
	// expr is "".
	AlterColumnDefault(table, column, expr string) (string, error)
	// AlterColumnIdentity renders the change of a column's identity
	// between none, BY DEFAULT and ALWAYS.
	AlterColumnIdentity(table, column string, from, to schema.Identity) ([]string, error)
	// CommentOnColumn renders COMMENT ON COLUMN; "" removes the comment.
	CommentOnColumn(table, column, comment string) (string, error)

	// AddPrimaryKey renders ADD CONSTRAINT … PRIMARY KEY.
	AddPrimaryKey(table string, pk *schema.PrimaryKey) (string, error)
	// AddUnique renders ADD CONSTRAINT … UNIQUE.
	AddUnique(table string, u *schema.Unique) (string, error)
	// AddForeignKey renders ADD CONSTRAINT … FOREIGN KEY … REFERENCES,
	// with its actions.
	AddForeignKey(table string, fk *schema.ForeignKey) (string, error)
	// AddCheck renders ADD CONSTRAINT … CHECK.
	AddCheck(table string, c *schema.Check) (string, error)
	// DropConstraint renders ALTER TABLE … DROP CONSTRAINT, for any kind.
	DropConstraint(table, name string) (string, error)

	// CreateIndex renders CREATE [UNIQUE] INDEX [CONCURRENTLY] with the
	// method and predicate.
	CreateIndex(table string, ix *schema.Index, concurrently bool) (string, error)
	// DropIndex renders DROP INDEX [CONCURRENTLY].
	DropIndex(name string, concurrently bool) (string, error)
}
