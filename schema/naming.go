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

// ColumnName returns the column name of a Go field: its snake_case
// ("CreatedAt" -> "created_at", "UserID" -> "user_id", "HTTPCode" ->
// "http_code"). Digits stay with the word before them ("Sha256" ->
// "sha256", "Line2" -> "line2"), unlike strcase.ToSnake.
func ColumnName(field string) string { return Snake(field) }

// Snake returns the snake_case of a Go identifier: a '_' goes before an
// upper-case letter that follows a lower-case letter or a digit, or that
// ends a run of capitals followed by a lower-case letter.
func Snake(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) < 0 {
		return s
	}
	b := make([]byte, 0, len(s)+4)
	upper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	lowerOrDigit := func(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') }
	for i := 0; i < len(s); i++ {
		c := s[i]
		if upper(c) {
			if i > 0 && s[i-1] != '_' && (lowerOrDigit(s[i-1]) || (upper(s[i-1]) && i+1 < len(s) && s[i+1] >= 'a' && s[i+1] <= 'z')) {
				b = append(b, '_')
			}
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// TableName returns the table name of a Go type name: the snake_case
// plural ("User" -> "users", "Category" -> "categories", "Address" ->
// "addresses", "Box" -> "boxes", "PostTag" -> "post_tags"). Irregular
// plurals are not guessed; a model declares its name with a
// TableName() string method instead.
func TableName(typeName string) string { return Plural(Snake(typeName)) }

// Plural returns the English plural of a snake_case word by the regular
// rules: -s/-x/-z/-ch/-sh take -es, a consonant followed by -y takes -ies,
// others take -s.
func Plural(s string) string {
	switch {
	case s == "":
		return s
	case strings.HasSuffix(s, "s"), strings.HasSuffix(s, "x"), strings.HasSuffix(s, "z"),
		strings.HasSuffix(s, "ch"), strings.HasSuffix(s, "sh"):
		return s + "es"
	case strings.HasSuffix(s, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}

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
