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
	QuoteIdent(name string) (string, error)
	// TypeName spells a column type, enum names quoted ("text[]",
	// `"mood"`, `"sales"."status"`, "numeric(10,2)").
	TypeName(t schema.Type) (string, error)

	CreateSchema(name string) (string, error)
	DropSchema(name string) (string, error)

	CreateEnum(e *schema.Enum) (string, error)
	DropEnum(nsp, name string) (string, error)
	AddEnumValue(nsp, enum, value, before, after string) (string, error)
	RenameEnumValue(nsp, enum, from, to string) (string, error)
	RenameEnum(nsp, from, to string) (string, error)

	CreateTable(t *schema.Table) ([]string, error)
	DropTable(nsp, name string) (string, error)
	RenameTable(nsp, from, to string) (string, error)
	CommentOnTable(nsp, table, comment string) (string, error)

	AddColumn(nsp, table string, c *schema.Column) ([]string, error)
	DropColumn(nsp, table, column string) (string, error)
	RenameColumn(nsp, table, from, to string) (string, error)
	AlterColumnType(nsp, table, column string, to schema.Type, using string) (string, error)
	AlterColumnNullable(nsp, table, column string, nullable bool) (string, error)
	AlterColumnDefault(nsp, table, column, expr string) (string, error)
	AlterColumnIdentity(nsp, table, column string, from, to schema.Identity) ([]string, error)
	CommentOnColumn(nsp, table, column, comment string) (string, error)

	AddPrimaryKey(nsp, table string, pk *schema.PrimaryKey) (string, error)
	AddUnique(nsp, table string, u *schema.Unique) (string, error)
	AddForeignKey(nsp, table string, fk *schema.ForeignKey) (string, error)
	AddCheck(nsp, table string, c *schema.Check) (string, error)
	DropConstraint(nsp, table, name string) (string, error)

	CreateIndex(nsp, table string, ix *schema.Index, concurrently bool) (string, error)
	DropIndex(nsp, name string, concurrently bool) (string, error)
}
