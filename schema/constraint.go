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
	Name    string // uq_<table>_<col>[_<col>...] by convention
	Columns []string
}

// Index is a (possibly unique) index. Columns holds column names in key
// order; Exprs, when set, holds index expressions instead of plain
// columns (introspection only). Where is a partial index predicate.
type Index struct {
	Name    string // ix_<table>_<col>... by convention, or the `index:NAME`
	Columns []string
	Exprs   []string
	Unique  bool
	Where   string
	Method  string // access method: "" means btree; hash, gist, spgist, gin, brin

	// OpClasses holds the operator class of each key (column or
	// expression), "" for the default of the key's type and the method;
	// nil when every key uses its default.
	OpClasses []string
}

// ForeignKey references RefTable(RefColumns) from Columns.
type ForeignKey struct {
	Name       string // fk_<table>_<col>_<reftable> by convention
	Columns    []string
	RefSchema  string
	RefTable   string
	RefColumns []string
	OnDelete   Action
	OnUpdate   Action
}

// Check is a CHECK constraint; Expr is raw SQL from the model author.
type Check struct {
	Name string // ck_<table>_<name> by convention
	Expr string
}
