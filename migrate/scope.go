package migrate

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// Scope says which objects of a database autogenerate and check look at,
// and whether they may drop what no model describes: the counterpart of
// Alembic's include_schemas, include_name and include_object. Hand it to
// a [Runner] with [WithScope]; the command line's -include-schemas,
// -exclude-schemas, -include, -exclude and -drop-unmanaged flags add to
// it.
//
// The zero Scope reads the search path's schema and every schema the
// models name, and compares every table and enum type there. A table or
// enum type of the database that no model describes is dropped only when
// a revision of the set created it (with [CreateTable] or [CreateEnum]):
// anything else is reported in [Diff.Unmanaged] and left alone, unless
// DropUnmanaged is set. The version table is never compared.
//
// Patterns are [path.Match] globs ("audit_*", "*"). A name pattern without
// a dot matches the name of a table or type in any schema; one with a dot
// matches "schema.name", where the search path's schema goes by its name
// ("public.*", "sales.order*").
type Scope struct {
	// IncludeSchemas lists more schemas to read, as patterns ("*" for
	// every schema but PostgreSQL's own). Their tables and types are
	// compared like the others: reported when no model describes them.
	IncludeSchemas []string
	// ExcludeSchemas lists schemas to leave alone entirely, as patterns;
	// it wins over IncludeSchemas and over the models.
	ExcludeSchemas []string
	// Include, when not empty, limits the comparison to the tables and
	// types whose name matches one of its patterns.
	Include []string
	// Exclude lists patterns of tables and types to leave alone; it wins
	// over Include.
	Exclude []string
	// IncludeObject, when set, has the last word on each object the
	// patterns let through: false leaves it alone (not created, altered,
	// dropped or reported). It is asked about tables and types, and, for
	// the tables compared, about the columns, indexes and constraints that
	// differ.
	IncludeObject func(Object) bool
	// DropUnmanaged lets autogenerate drop the tables and enum types in
	// scope that no model describes and no revision created. Off by
	// default, and never set by anything but the caller.
	DropUnmanaged bool
	// RenameConstraints makes a key, constraint or index whose definition
	// the models share but whose name differs a change: autogenerate
	// renames it ([RenameConstraint], [RenameIndex]), as after a change of
	// naming convention (schema.WithNaming). Off by default: constraints
	// and indexes are matched by definition, and a name alone is no
	// change, as in Alembic.
	RenameConstraints bool
}

// WithScope sets what [Runner.Autogenerate], [Runner.Check] and
// [Runner.Baseline] look at (default: the zero [Scope]).
func WithScope(s Scope) Option { return func(r *Runner) { r.scope = s } }

// ObjectKind is the kind of an [Object].
type ObjectKind uint8

// The kinds of objects a [Scope] filters.
const (
	TableObject ObjectKind = iota + 1
	TypeObject             // an enum type
	ColumnObject
	PrimaryKeyObject
	UniqueObject
	CheckObject
	IndexObject
	ForeignKeyObject
)

var objectKinds = [...]string{"", "table", "type", "column", "primary key", "unique", "check", "index", "foreign key"}

// String returns the kind in words ("table", "foreign key").
func (k ObjectKind) String() string {
	if int(k) < len(objectKinds) {
		return objectKinds[k]
	}
	return fmt.Sprintf("ObjectKind(%d)", k)
}

// Object is a database object as a [Scope] sees it.
type Object struct {
	Kind   ObjectKind // table, type, column, constraint or index
	Schema string     // "" for the search path's schema
	Table  string     // the table of a column, index or constraint; "" for tables and types
	Name   string     // the object's own name

	InModels   bool // the models declare it
	InDatabase bool // the database has it
}

// String names the object: "table sales.orders", "index ix_a on orders".
func (o Object) String() string {
	if o.Table == "" {
		return o.Kind.String() + " " + schema.QualifiedName(o.Schema, o.Name)
	}
	return o.Kind.String() + " " + o.Name + " on " + schema.QualifiedName(o.Schema, o.Table)
}

// with returns s with the lists of more added, and DropUnmanaged and
// RenameConstraints set when either sets them.
func (s Scope) with(more Scope) Scope {
	s.IncludeSchemas = append(slices.Clip(s.IncludeSchemas), more.IncludeSchemas...)
	s.ExcludeSchemas = append(slices.Clip(s.ExcludeSchemas), more.ExcludeSchemas...)
	s.Include = append(slices.Clip(s.Include), more.Include...)
	s.Exclude = append(slices.Clip(s.Exclude), more.Exclude...)
	s.DropUnmanaged = s.DropUnmanaged || more.DropUnmanaged
	s.RenameConstraints = s.RenameConstraints || more.RenameConstraints
	return s
}

// Err reports the first malformed pattern of the scope.
func (s Scope) Err() error {
	for _, list := range [][]string{s.IncludeSchemas, s.ExcludeSchemas, s.Include, s.Exclude} {
		if err := patternsErr(list); err != nil {
			return fmt.Errorf("scope: %w", err)
		}
	}
	return nil
}

// patternsErr reports the first malformed pattern of list (wrapping
// [path.ErrBadPattern]).
func patternsErr(list []string) error {
	for _, p := range list {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", p, err)
		}
	}
	return nil
}

// systemSchema reports the schemas PostgreSQL keeps for itself, which no
// pattern includes.
func systemSchema(nsp string) bool {
	return strings.HasPrefix(nsp, "pg_") || nsp == "information_schema"
}

// matchAny reports whether name matches one of the patterns.
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// filter is a Scope resolved against one database: it knows the name of
// the search path's schema, which qualified patterns use.
type filter struct {
	Scope
	current string
}

// schema reports whether the objects of schema nsp ("" for the search
// path's) are compared at all.
func (f filter) schema(nsp string) bool {
	if nsp == "" {
		nsp = f.current
	}
	return !matchAny(f.ExcludeSchemas, nsp)
}

// named reports whether a table or type passes the schema and name
// patterns.
func (f filter) named(nsp, name string) bool {
	if !f.schema(nsp) {
		return false
	}
	full := nsp
	if full == "" {
		full = f.current
	}
	full += "." + name
	match := func(patterns []string) bool {
		for _, p := range patterns {
			target := name
			if strings.Contains(p, ".") {
				target = full
			}
			if ok, _ := path.Match(p, target); ok {
				return true
			}
		}
		return false
	}
	return (len(f.Include) == 0 || match(f.Include)) && !match(f.Exclude)
}

// object reports whether o is compared: it passes the patterns (tables
// and types) and IncludeObject.
func (f filter) object(o Object) bool {
	if o.Table == "" && !f.named(o.Schema, o.Name) {
		return false
	}
	return f.IncludeObject == nil || f.IncludeObject(o)
}
