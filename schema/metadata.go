package schema

import "slices"

// Metadata is a set of tables and enum types: the whole schema of an
// application, built from mapped models or read back from a live database.
// It is immutable once built and safe for concurrent use.
type Metadata struct {
	tables  []*Table // foreign-key order: referenced tables first
	byName  map[qname]*Table
	enums   []*Enum
	byEnum  map[qname]*Enum
	schemas []string      // the named schemas of tables and enums, sorted
	cyclic  []*ForeignKey // FKs that close a cycle between tables
	naming  Naming        // names the constraints the tables leave unnamed
}

// MetadataOption configures [NewMetadata]. orm.NewRegistry takes these
// options among its models and passes them on.
type MetadataOption func(*Metadata)

// WithNaming names the constraints and indexes that the tables leave
// unnamed by n instead of [DefaultNaming]: those of models without a name
// in their tag, and those of tables built by hand with Name "". Names a
// tag or a hand-built table gives are kept.
func WithNaming(n Naming) MetadataOption {
	return func(m *Metadata) {
		if n != nil {
			m.naming = n
		}
	}
}

// NewMetadata validates tables and enums together and returns the sealed
// metadata. It names the constraints and indexes the tables leave
// unnamed by the [Naming] (see [WithNaming]), then checks that table and
// enum names are unique in their schema, that constraint and index names
// are valid and unique (in their table, and with the tables and indexes
// of their schema), that every foreign key names an existing table and
// columns, and that every enum column names a declared enum (references
// into a named schema that holds none of the tables and enums given are
// not checked: the metadata does not describe that schema); each problem
// is a *ModelError (when the table is mapped from a Go type) or a plain
// error, all joined. Tables are ordered so that referenced tables come
// first.
//
// A foreign key that names no schema finds its table in the search
// path's schema (tables with Schema ""); when there is none of that name
// there but there is one in schema "public" (PostgreSQL's default search
// path), it references that one, and the other way round: fk:users.id
// reaches a model whose TableName() is "public.users". The key's
// RefSchema is set to the schema of the table it references.
func NewMetadata(tables []*Table, enums []*Enum, opts ...MetadataOption) (*Metadata, error) {
	return newMetadata(tables, enums, opts)
}

// Naming returns the convention that named the constraints and indexes
// the tables left unnamed.
func (m *Metadata) Naming() Naming { return m.naming }

// Tables returns the tables in foreign-key order: every table comes after
// the tables it references (self references and cycles aside). The slice
// must not be modified.
func (m *Metadata) Tables() []*Table { return m.tables }

// Table returns the table of the search path's schema with the given name
// or, failing that, the table a qualified name ("sales.orders") names; nil
// when there is none.
func (m *Metadata) Table(name string) *Table { return lookup(m.byName, name) }

// lookup finds name in the search path's schema, else as a qualified name.
func lookup[T any](by map[qname]*T, name string) *T {
	if x := by[qname{"", name}]; x != nil {
		return x
	}
	if nsp, n := SplitQualified(name); nsp != "" {
		return by[qname{nsp, n}]
	}
	return nil
}

// TableIn returns the table name of schema nsp ("" for the search path's
// schema), or nil.
func (m *Metadata) TableIn(nsp, name string) *Table { return m.byName[qname{nsp, name}] }

// Referenced returns the table fk references, or nil when the metadata
// does not hold it.
func (m *Metadata) Referenced(fk *ForeignKey) *Table { return m.TableIn(fk.RefSchema, fk.RefTable) }

// Enums returns the enum types in declaration order. The slice must not be
// modified.
func (m *Metadata) Enums() []*Enum { return m.enums }

// Enum returns the enum type of the search path's schema with the given
// name or, failing that, the one a qualified name names; nil when there is
// none.
func (m *Metadata) Enum(name string) *Enum { return lookup(m.byEnum, name) }

// EnumIn returns the enum type name of schema nsp ("" for the search
// path's schema), or nil.
func (m *Metadata) EnumIn(nsp, name string) *Enum { return m.byEnum[qname{nsp, name}] }

// Schemas returns the named schemas the tables and enum types live in,
// sorted, without "" (the search path's schema). The slice must not be
// modified.
func (m *Metadata) Schemas() []string { return m.schemas }

// describes reports whether the metadata holds objects of schema nsp; ""
// (the search path's schema) is always described.
func (m *Metadata) describes(nsp string) bool {
	_, found := slices.BinarySearch(m.schemas, nsp)
	return nsp == "" || found
}

// CyclicForeignKeys returns the foreign keys that close a reference cycle
// between tables. DDL must add them with ALTER TABLE after creating all
// tables, and drop them before dropping the tables.
func (m *Metadata) CyclicForeignKeys() []*ForeignKey { return m.cyclic }
