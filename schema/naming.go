package schema

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// MaxIdentLen is PostgreSQL's identifier limit in bytes (NAMEDATALEN-1).
// Generated constraint and index names longer than this are shortened by
// [ConstraintName] rather than silently truncated by the server.
const MaxIdentLen = 63

// The naming convention of constraints and indexes. Every constraint the
// mapper or [NewMetadata] creates is named, so migrations never meet an
// unnamed one:
//
//	primary key   pk_<table>
//	unique        uq_<table>_<col>[_<col>…]
//	index         ix_<table>_<col>[_<col>…]
//	foreign key   fk_<table>_<col>[_<col>…]_<reftable>
//	check         ck_<table>_<col or name>
//
// A name over [MaxIdentLen] bytes keeps its first bytes and ends in an
// 8-hex-digit hash of the full name, so it stays unique and stable.

// PrimaryKeyName returns pk_<table>.
func PrimaryKeyName(table string) string { return ConstraintName("pk", table) }

// UniqueName returns uq_<table>_<cols>.
func UniqueName(table string, cols []string) string {
	return ConstraintName("uq", table, cols...)
}

// IndexName returns ix_<table>_<cols>.
func IndexName(table string, cols []string) string {
	return ConstraintName("ix", table, cols...)
}

// ForeignKeyName returns fk_<table>_<cols>_<reftable>.
func ForeignKeyName(table string, cols []string, refTable string) string {
	return ConstraintName("fk", table, append(append([]string(nil), cols...), refTable)...)
}

// CheckName returns ck_<table>_<name>.
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
	cut := MaxIdentLen - len(suffix)
	for cut > 0 && name[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return name[:cut] + suffix
}
