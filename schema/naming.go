package schema

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// MaxIdentLen is PostgreSQL's identifier limit in bytes (NAMEDATALEN-1).
// Generated constraint and index names longer than this are shortened by
// the [Naming] rather than silently truncated by the server, and a name
// given in a tag that is longer is an error.
const MaxIdentLen = 63

// Naming chooses the names of the constraints and indexes that a model
// (or a table built by hand) does not name itself: the counterpart of
// SQLAlchemy's MetaData(naming_convention=…). Give one to [NewMetadata]
// with [WithNaming] (or to orm.NewRegistry, which passes it on); the
// default is [DefaultNaming]. [PostgresNaming] reproduces the names
// PostgreSQL itself gives, for a database created by hand or by another
// tool.
//
// Name must return a name of 1 to [MaxIdentLen] bytes; [NewMetadata]
// reports any other, and two objects given one name, as a [ModelError]
// wrapping [ErrBadName] or [ErrDuplicateName]. Names a tag gives (pk:NAME,
// unique:NAME, index:NAME, unique_index:NAME, fk_name:NAME,
// check_name:NAME) are never passed to the Naming.
type Naming interface {
	// Name returns the name of the object p describes.
	Name(p NameParts) string
}

// NamingFunc adapts a function to [Naming].
type NamingFunc func(p NameParts) string

// Name returns f(p).
func (f NamingFunc) Name(p NameParts) string { return f(p) }

// ConstraintKind is the kind of object a [Naming] names.
type ConstraintKind uint8

// The kinds of objects a [Naming] names.
const (
	PrimaryKeyKind ConstraintKind = iota + 1
	UniqueKind                    // a UNIQUE constraint
	IndexKind                     // an index, unique or not
	ForeignKeyKind
	CheckKind
)

var constraintKinds = [...]string{"", "primary key", "unique", "index", "foreign key", "check"}

// String returns the kind in words ("primary key", "index").
func (k ConstraintKind) String() string {
	if int(k) < len(constraintKinds) {
		return constraintKinds[k]
	}
	return fmt.Sprintf("ConstraintKind(%d)", k)
}

// NameParts is what a [Naming] builds a name from. Slices must not be
// modified.
type NameParts struct {
	Kind   ConstraintKind // what is named: a primary key, unique, index, foreign key or check
	Schema string         // the table's schema, "" for the search path's
	Table  string         // the table's name, unqualified

	// Columns are the key's columns in key order (the referencing ones of
	// a foreign key, the expressions of an index on expressions have
	// none); for a check, the table's columns its expression uses, in the
	// order it first uses them.
	Columns []string

	Unique    bool   // an index that is unique
	RefSchema string // a foreign key's referenced schema, "" for the search path's
	RefTable  string // a foreign key's referenced table

	// Label is, for a check, the column whose check: tag declares it, or
	// the check's place among the table's checks ("1", "2"…) for one
	// built by hand; "" for the other kinds.
	Label string
}

// DefaultNaming is Crucible's own convention, used unless [WithNaming]
// chooses another:
//
//	primary key   pk_<table>
//	unique        uq_<table>_<col>[_<col>…]
//	index         ix_<table>_<col>[_<col>…]
//	foreign key   fk_<table>_<col>[_<col>…]_<reftable>
//	check         ck_<table>_<label>
//
// A name over [MaxIdentLen] bytes keeps its first bytes and ends in an
// 8-hex-digit hash of the full name, so it stays unique and stable.
type DefaultNaming struct{}

// Name returns the name of p by Crucible's convention.
func (DefaultNaming) Name(p NameParts) string {
	switch p.Kind {
	case PrimaryKeyKind:
		return PrimaryKeyName(p.Table)
	case UniqueKind:
		return UniqueName(p.Table, p.Columns)
	case IndexKind:
		return IndexName(p.Table, p.Columns)
	case ForeignKeyKind:
		return ForeignKeyName(p.Table, p.Columns, p.RefTable)
	}
	return CheckName(p.Table, p.Label)
}

// PrimaryKeyName returns pk_<table>, [DefaultNaming]'s primary key name.
func PrimaryKeyName(table string) string { return ConstraintName("pk", table) }

// UniqueName returns uq_<table>_<cols>, [DefaultNaming]'s unique name.
func UniqueName(table string, cols []string) string {
	return ConstraintName("uq", table, cols...)
}

// IndexName returns ix_<table>_<cols>, [DefaultNaming]'s index name.
func IndexName(table string, cols []string) string {
	return ConstraintName("ix", table, cols...)
}

// ForeignKeyName returns fk_<table>_<cols>_<reftable>, [DefaultNaming]'s
// foreign key name.
func ForeignKeyName(table string, cols []string, refTable string) string {
	return ConstraintName("fk", table, append(append([]string(nil), cols...), refTable)...)
}

// CheckName returns ck_<table>_<name>, [DefaultNaming]'s check name.
func CheckName(table, name string) string { return ConstraintName("ck", table, name) }

// ConstraintName joins prefix, table and parts with '_' and shortens the
// result to [MaxIdentLen] bytes with a hash suffix when it is longer.
func ConstraintName(prefix, table string, parts ...string) string {
	name := prefix + "_" + table
	if len(parts) > 0 {
		name += "_" + strings.Join(parts, "_")
	}
	if len(name) <= MaxIdentLen {
		return name
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	suffix := fmt.Sprintf("_%08x", h.Sum32())
	return clipUTF8(name, MaxIdentLen-len(suffix)) + suffix
}

// clipUTF8 returns the longest prefix of s of at most n bytes that does
// not split a UTF-8 sequence.
func clipUTF8(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
