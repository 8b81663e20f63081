package relation_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iancoleman/strcase"

	"github.com/crucible-orm/crucible/schema"
)

// mapTables builds schema tables from model structs for these tests: a
// small stand-in for the schema mapper that understands the `orm` options
// the relation tests need (pk, unique, fk:table.col, ondelete:ACTION, -).
func mapTables(t testing.TB, models ...any) []*schema.Table {
	t.Helper()
	var out []*schema.Table
	for _, m := range models {
		out = append(out, mapModel(reflect.TypeOf(m).Elem()))
	}
	return out
}

type tableNamer interface{ TableName() string }

func mapModel(typ reflect.Type) *schema.Table {
	name := strcase.ToSnake(typ.Name())
	if strings.HasSuffix(name, "y") {
		name = name[:len(name)-1] + "ies"
	} else {
		name += "s"
	}
	if n, ok := reflect.New(typ).Interface().(tableNamer); ok {
		name = n.TableName()
	}
	tb := &schema.Table{Name: name, GoType: typ}
	walkFields(tb, typ, nil, 0, true)
	tb.Seal()
	return tb
}

func walkFields(tb *schema.Table, typ reflect.Type, index []int, offset uintptr, direct bool) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		idx := append(append([]int(nil), index...), i)
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			walkFields(tb, f.Type, idx, offset+f.Offset, direct)
		case f.Anonymous && f.Type.Kind() == reflect.Pointer:
			walkFields(tb, f.Type.Elem(), idx, 0, false)
		case f.Tag.Get("rel") != "":
			tb.Relations = append(tb.Relations, relationField(f, idx, offset, direct))
		case f.Tag.Get("orm") != "-":
			addColumn(tb, f, idx, offset, direct)
		}
	}
}

func relationField(f reflect.StructField, idx []int, offset uintptr, direct bool) *schema.RelationField {
	target, many := f.Type, false
	if target.Kind() == reflect.Slice {
		target, many = target.Elem(), true
	}
	if target.Kind() == reflect.Pointer {
		target = target.Elem()
	}
	return &schema.RelationField{
		Name: f.Name, Index: idx, Type: f.Type, Target: target, Many: many,
		Tag: f.Tag.Get("rel"), Offset: offset + f.Offset, Direct: direct,
	}
}

func addColumn(tb *schema.Table, f reflect.StructField, idx []int, offset uintptr, direct bool) {
	col := &schema.Column{
		Name: strcase.ToSnake(f.Name), Type: goType(f.Type), Nullable: f.Type.Kind() == reflect.Pointer,
		Field: &schema.Field{Name: f.Name, Index: idx, Type: f.Type, Offset: offset + f.Offset, Direct: direct, Tag: f.Tag.Get("orm")},
	}
	tb.Columns = append(tb.Columns, col)
	var fk *schema.ForeignKey
	for _, opt := range strings.Split(f.Tag.Get("orm"), ",") {
		key, value, _ := strings.Cut(opt, ":")
		switch key {
		case "pk":
			if tb.PrimaryKey == nil {
				tb.PrimaryKey = &schema.PrimaryKey{Name: "pk_" + tb.Name}
			}
			tb.PrimaryKey.Columns = append(tb.PrimaryKey.Columns, col.Name)
		case "unique":
			tb.Uniques = append(tb.Uniques, &schema.Unique{Name: "uq_" + tb.Name + "_" + col.Name, Columns: []string{col.Name}})
		case "fk":
			ref, refCol, _ := strings.Cut(value, ".")
			fk = &schema.ForeignKey{Name: "fk_" + tb.Name + "_" + col.Name + "_" + ref, Columns: []string{col.Name}, RefTable: ref, RefColumns: []string{refCol}}
			tb.ForeignKeys = append(tb.ForeignKeys, fk)
		case "ondelete":
			fk.OnDelete = schema.Action(strings.ToUpper(value))
		}
	}
}

func goType(t reflect.Type) schema.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return schema.Scalar{Name: "timestamp with time zone"}
	case t.Kind() == reflect.Int64:
		return schema.Scalar{Name: "bigint"}
	case t.Kind() == reflect.Int32:
		return schema.Scalar{Name: "integer"}
	case t.Kind() == reflect.Array:
		return schema.Scalar{Name: "uuid"}
	}
	return schema.Scalar{Name: "text"}
}
