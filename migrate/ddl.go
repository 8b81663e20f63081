package migrate

import "github.com/crucible-orm/crucible/schema"

// DDL renders the statements of the operations. *postgres.Dialect
// satisfies it; the runner uses it by default. Every method only renders:
// the runner executes the statements in the revision's transaction.
// Identifiers are quoted by the implementation; expressions (defaults,
// checks, index predicates, USING) are raw SQL from the migration file.
type DDL interface {
	QuoteIdent(name string) (string, error)
	// TypeName spells a column type, enum names quoted ("text[]",
	// `"mood"`, "numeric(10,2)").
	TypeName(t schema.Type) (string, error)

	CreateEnum(e *schema.Enum) (string, error)
	DropEnum(name string) (string, error)
	AddEnumValue(enum, value, before, after string) (string, error)
	RenameEnumValue(enum, from, to string) (string, error)
	RenameEnum(from, to string) (string, error)

	CreateTable(t *schema.Table) ([]string, error)
	DropTable(name string) (string, error)
	RenameTable(from, to string) (string, error)
	CommentOnTable(table, comment string) (string, error)

	AddColumn(table string, c *schema.Column) ([]string, error)
	DropColumn(table, column string) (string, error)
	RenameColumn(table, from, to string) (string, error)
	AlterColumnType(table, column string, to schema.Type, using string) (string, error)
	AlterColumnNullable(table, column string, nullable bool) (string, error)
	AlterColumnDefault(table, column, expr string) (string, error)
	AlterColumnIdentity(table, column string, from, to schema.Identity) ([]string, error)
	CommentOnColumn(table, column, comment string) (string, error)

	AddPrimaryKey(table string, pk *schema.PrimaryKey) (string, error)
	AddUnique(table string, u *schema.Unique) (string, error)
	AddForeignKey(table string, fk *schema.ForeignKey) (string, error)
	AddCheck(table string, c *schema.Check) (string, error)
	DropConstraint(table, name string) (string, error)

	CreateIndex(table string, ix *schema.Index, concurrently bool) (string, error)
	DropIndex(name string, concurrently bool) (string, error)
}
