package schema

// Metadata is a set of tables and enum types: the whole schema of an
// application, built from mapped models or read back from a live database.
// It is immutable once built and safe for concurrent use.
type Metadata struct {
	tables []*Table // foreign-key order: referenced tables first
	byName map[string]*Table
	enums  []*Enum
	byEnum map[string]*Enum
	cyclic []*ForeignKey // FKs that close a cycle between tables
}

// NewMetadata validates tables and enums together and returns the sealed
// metadata. It checks that table and enum names are unique, that every
// foreign key names an existing table and columns, and that every enum
// column names a declared enum; each problem is a *ModelError (when the
// table is mapped from a Go type) or a plain error, all joined.
// Tables are ordered so that referenced tables come first.
func NewMetadata(tables []*Table, enums []*Enum) (*Metadata, error) {
	return newMetadata(tables, enums)
}

// Tables returns the tables in foreign-key order: every table comes after
// the tables it references (self references and cycles aside). The slice
// must not be modified.
func (m *Metadata) Tables() []*Table { return m.tables }

// Table returns the table with the given name, or nil.
func (m *Metadata) Table(name string) *Table { return m.byName[name] }

// Enums returns the enum types in declaration order. The slice must not be
// modified.
func (m *Metadata) Enums() []*Enum { return m.enums }

// Enum returns the enum type with the given name, or nil.
func (m *Metadata) Enum(name string) *Enum { return m.byEnum[name] }

// CyclicForeignKeys returns the foreign keys that close a reference cycle
// between tables. DDL must add them with ALTER TABLE after creating all
// tables, and drop them before dropping the tables.
func (m *Metadata) CyclicForeignKeys() []*ForeignKey { return m.cyclic }
