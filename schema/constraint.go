package schema

// Action is a foreign key's referential action for ON DELETE / ON UPDATE.
// The zero value is NoAction, PostgreSQL's default.
type Action string

// Referential actions, spelled as in SQL.
const (
	NoAction   Action = ""
	Restrict   Action = "RESTRICT"
	Cascade    Action = "CASCADE"
	SetNull    Action = "SET NULL"
	SetDefault Action = "SET DEFAULT"
)

// PrimaryKey is a table's primary key constraint.
type PrimaryKey struct {
	Name    string   // constraint name, pk_<table> by convention
	Columns []string // column names in key order
}

// Unique is a UNIQUE constraint over one or more columns.
type Unique struct {
	Name    string   // uq_<table>_<col>[_<col>...] by convention
	Columns []string // column names in key order
}

// Index is a (possibly unique) index. Columns holds column names in key
// order; Exprs, when set, holds index expressions instead of plain
// columns (introspection only). Where is a partial index predicate.
type Index struct {
	Name    string   // ix_<table>_<col>... by convention, or the `index:NAME`
	Columns []string // column names in index order; nil when Exprs is set
	Exprs   []string // index expressions as pg_get_indexdef spells them, such as "lower(email)"
	Unique  bool     // a unique index: no two rows share the key
	Where   string   // the predicate of a partial index, raw SQL; "" for a whole-table index
	Method  string   // access method: "" means btree; hash, gist, spgist, gin, brin

	// OpClasses holds the operator class of each key (column or
	// expression), "" for the default of the key's type and the method;
	// nil when every key uses its default.
	OpClasses []string
}

// ForeignKey references RefTable(RefColumns) from Columns.
type ForeignKey struct {
	Name       string   // fk_<table>_<col>_<reftable> by convention
	Columns    []string // the referencing columns of the table, in key order
	RefSchema  string   // the referenced table's schema; "" means the search path's
	RefTable   string   // the referenced table's name
	RefColumns []string // the referenced columns, its primary key or a unique key, matching Columns
	OnDelete   Action   // what a DELETE of the referenced row does to referencing rows
	OnUpdate   Action   // what a change of the referenced key does to referencing rows
}

// Check is a CHECK constraint; Expr is raw SQL from the model author.
type Check struct {
	Name string // ck_<table>_<name> by convention
	Expr string // the boolean SQL expression, as written in `check:`
}
