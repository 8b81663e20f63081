package migrate

import (
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// literal renders Go composite literals of ops and schema values for
// migration files. It runs when a file is written, never on a hot path,
// so it walks values by reflection. Zero fields are left out; fields that
// only the ORM uses (client defaults, Go types) are never written.
type literal struct {
	imports map[string]bool // package paths the rendered code uses
}

// inlineWidth is the length under which a literal stays on one line.
const inlineWidth = 90

// ddlFields lists the fields of the schema values that carry DDL; the
// others (client defaults, Go types and fields, relations, whatever the
// mapper adds later) are never written into a migration file.
var ddlFields = map[reflect.Type]map[string]bool{
	reflect.TypeFor[schema.Column](): {"Name": true, "Type": true, "Nullable": true, "Identity": true,
		"ServerDefault": true, "Comment": true},
	reflect.TypeFor[schema.Table](): {"Schema": true, "Name": true, "Columns": true, "PrimaryKey": true,
		"Uniques": true, "Indexes": true, "ForeignKeys": true, "Checks": true, "Comment": true},
}

// constNames spells values of schema's named constants.
var constNames = map[any]string{
	schema.IdentityByDefault: "schema.IdentityByDefault",
	schema.IdentityAlways:    "schema.IdentityAlways",
	schema.IdentityNone:      "schema.IdentityNone",
	schema.Restrict:          "schema.Restrict",
	schema.Cascade:           "schema.Cascade",
	schema.SetNull:           "schema.SetNull",
	schema.SetDefault:        "schema.SetDefault",
	schema.NoAction:          "schema.NoAction",
}

// render returns the literal of v. elide drops the type of a composite
// element whose type the enclosing slice already gives.
func (g *literal) render(v reflect.Value, elide bool) string {
	if v.IsValid() && v.CanInterface() {
		if name, ok := constNames[constKey(v)]; ok {
			g.use(v.Type())
			return name
		}
	}
	switch v.Kind() {
	case reflect.Invalid:
		return "nil"
	case reflect.Interface:
		if v.IsNil() {
			return "nil"
		}
		return g.render(v.Elem(), false)
	case reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		if elide {
			return g.render(v.Elem(), true)
		}
		return "&" + g.render(v.Elem(), false)
	case reflect.Struct:
		return g.structLit(v, elide)
	case reflect.Slice:
		return g.sliceLit(v)
	case reflect.Map:
		return g.mapLit(v)
	case reflect.String:
		return quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	}
	return "nil /* unsupported " + v.Type().String() + " */"
}

// constKey returns v's value as a map key, or nil when it is not
// comparable.
func constKey(v reflect.Value) any {
	if !v.Type().Comparable() || v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		return nil
	}
	return v.Interface()
}

func (g *literal) structLit(v reflect.Value, elide bool) string {
	t := v.Type()
	only := ddlFields[t]
	keepZero := strings.HasPrefix(t.Name(), "Change[")
	var fields []string
	for i := range t.NumField() {
		f := t.Field(i)
		fv := v.Field(i)
		zero := fv.IsZero() || isEmptySlice(fv)
		if !f.IsExported() || only != nil && !only[f.Name] || zero && !keepZero {
			continue
		}
		fields = append(fields, f.Name+": "+g.render(fv, false))
	}
	name := ""
	if !elide {
		name = g.typeName(t)
	}
	return name + block(fields)
}

func isEmptySlice(v reflect.Value) bool {
	return (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.Len() == 0
}

// mapLit renders a map with its entries sorted by key text.
func (g *literal) mapLit(v reflect.Value) string {
	if v.IsNil() {
		return "nil"
	}
	entries := make([]string, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		entries = append(entries, g.render(it.Key(), false)+": "+g.render(it.Value(), false))
	}
	slices.Sort(entries)
	return "map[" + g.typeName(v.Type().Key()) + "]" + g.typeName(v.Type().Elem()) + block(entries)
}

func (g *literal) sliceLit(v reflect.Value) string {
	if v.IsNil() {
		return "nil"
	}
	et := v.Type().Elem()
	elide := et.Kind() == reflect.Struct || et.Kind() == reflect.Pointer && et.Elem().Kind() == reflect.Struct
	elems := make([]string, v.Len())
	for i := range elems {
		elems[i] = g.render(v.Index(i), elide)
	}
	s := "[]" + g.typeName(et)
	if elide && len(elems) > 1 {
		return s + lines(elems)
	}
	return s + block(elems)
}

// block puts items on one line when they are short and single-line,
// otherwise one per line.
func block(items []string) string {
	n := 0
	for _, it := range items {
		n += len(it) + 2
		if strings.Contains(it, "\n") {
			n = inlineWidth
		}
	}
	if n < inlineWidth {
		return "{" + strings.Join(items, ", ") + "}"
	}
	return lines(items)
}

func lines(items []string) string {
	return "{\n" + strings.Join(items, ",\n") + ",\n}"
}

// typeName spells t as the migration file refers to it, noting the
// package it needs.
func (g *literal) typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + g.typeName(t.Elem())
	case reflect.Slice:
		return "[]" + g.typeName(t.Elem())
	}
	if t.PkgPath() == "" {
		return t.Name()
	}
	g.use(t)
	name := t.Name()
	for _, p := range []string{schemaPath, migratePath} {
		name = strings.ReplaceAll(name, p+".", path.Base(p)+".")
	}
	return path.Base(t.PkgPath()) + "." + name
}

func (g *literal) use(t reflect.Type) {
	if g.imports == nil {
		g.imports = map[string]bool{}
	}
	g.imports[t.PkgPath()] = true
	if strings.Contains(t.Name(), schemaPath+".") {
		g.imports[schemaPath] = true
	}
}

// Package paths that migration files import.
const (
	schemaPath  = "github.com/crucible-orm/crucible/schema"
	migratePath = "github.com/crucible-orm/crucible/migrate"
)

// quote renders a string literal: a raw string for multi-line text without
// backquotes (SQL reads better that way), else a quoted one.
func quote(s string) string {
	if strings.Contains(s, "\n") && !strings.Contains(s, "`") && !strings.Contains(s, "\r") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
