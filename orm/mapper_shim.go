package orm

// TEMPORARY: a minimal stand-in for schema.NewMapper().Map until the schema
// mapper lands; it will be deleted then.

import (
	"reflect"
	"strings"
	"time"

	"github.com/iancoleman/strcase"

	"github.com/crucible-orm/crucible/schema"
)

type tableNamer interface{ TableName() string }

func mapModel(v any) (*schema.Table, []*schema.Enum, error) {
	typ := reflect.TypeOf(v).Elem()
	name := strcase.ToSnake(typ.Name())
	if strings.HasSuffix(name, "y") {
		name = name[:len(name)-1] + "ies"
	} else {
		name += "s"
	}
	if n, ok := v.(tableNamer); ok {
		name = n.TableName()
	}
	tb := &schema.Table{Name: name, GoType: typ}
	shimFields(tb, typ, nil, 0, true)
	if tb.PrimaryKey != nil && len(tb.PrimaryKey.Columns) == 1 {
		c := tb.Column(tb.PrimaryKey.Columns[0])
		if c.Type.String() == "bigint" || c.Type.String() == "integer" {
			if c.Identity == schema.IdentityNone && !strings.Contains(c.Field.Tag, "identity:none") {
				c.Identity = schema.IdentityByDefault
			}
		}
	}
	tb.Seal()
	return tb, nil, nil
}

func shimFields(tb *schema.Table, typ reflect.Type, index []int, offset uintptr, direct bool) {
	for i := range typ.NumField() {
		f := typ.Field(i)
		idx := append(append([]int(nil), index...), i)
		switch {
		case f.Anonymous && f.Type.Kind() == reflect.Struct:
			shimFields(tb, f.Type, idx, offset+f.Offset, direct)
		case f.Anonymous && f.Type.Kind() == reflect.Pointer:
			shimFields(tb, f.Type.Elem(), idx, 0, false)
		case f.Tag.Get("rel") != "":
			target, many := f.Type, false
			if target.Kind() == reflect.Slice {
				target, many = target.Elem(), true
			}
			target = target.Elem()
			tb.Relations = append(tb.Relations, &schema.RelationField{Name: f.Name, Index: idx, Type: f.Type, Target: target, Many: many,
				Tag: f.Tag.Get("rel"), Offset: offset + f.Offset, Direct: direct})
		case f.Tag.Get("orm") != "-" && f.IsExported():
			shimColumn(tb, f, idx, offset, direct)
		}
	}
}

func shimColumn(tb *schema.Table, f reflect.StructField, idx []int, offset uintptr, direct bool) {
	tag := f.Tag.Get("orm")
	col := &schema.Column{
		Name: strcase.ToSnake(f.Name), Type: shimType(f.Type), Nullable: shimNullable(f.Type),
		Field: &schema.Field{Name: f.Name, Index: idx, Type: f.Type, Offset: offset + f.Offset, Direct: direct, Tag: tag},
	}
	tb.Columns = append(tb.Columns, col)
	var fk *schema.ForeignKey
	for i, opt := range strings.Split(tag, ",") {
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
		case "type":
			col.Type = schema.Scalar{Name: value}
			if strings.HasSuffix(value, "[]") {
				col.Type = schema.Array{Elem: schema.Scalar{Name: strings.TrimSuffix(value, "[]")}}
			}
			if value == "jsonb" || value == "json" {
				col.Type = schema.JSON{Binary: value == "jsonb"}
			}
		case "server_default":
			col.ServerDefault = value
		case "onupdate":
			col.OnUpdate = value
		case "version":
			col.Version = true
		case "check":
			tb.Checks = append(tb.Checks, &schema.Check{Name: "ck_" + tb.Name + "_" + col.Name, Expr: value})
		case "default":
			col.DefaultText = value
			col.Default = shimDefault(f.Type, value)
		default:
			if i == 0 && key != "" {
				col.Name = key
			}
		}
	}
}

func shimDefault(t reflect.Type, s string) any {
	switch t.Kind() {
	case reflect.String:
		return reflect.ValueOf(s).Convert(t).Interface()
	case reflect.Int, reflect.Int64, reflect.Int32:
		var n int64
		for _, c := range s {
			n = n*10 + int64(c-'0')
		}
		return reflect.ValueOf(n).Convert(t).Interface()
	case reflect.Bool:
		return s == "true"
	}
	return nil
}

func shimType(t reflect.Type) schema.Type {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return schema.Scalar{Name: "timestamp with time zone"}
	case t.Kind() == reflect.Int64, t.Kind() == reflect.Int:
		return schema.Scalar{Name: "bigint"}
	case t.Kind() == reflect.Int32:
		return schema.Scalar{Name: "integer"}
	case t.Kind() == reflect.Bool:
		return schema.Scalar{Name: "boolean"}
	case t.Kind() == reflect.Float64:
		return schema.Scalar{Name: "double precision"}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return schema.Scalar{Name: "bytea"}
	case t.Kind() == reflect.Slice:
		return schema.Array{Elem: shimType(t.Elem())}
	case t.Kind() == reflect.Map:
		return schema.JSON{Binary: true}
	case t.Kind() == reflect.Array:
		return schema.Scalar{Name: "uuid"}
	}
	return schema.Scalar{Name: "text"}
}

func shimNullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	case reflect.Struct:
		_, ok := t.FieldByName("Valid")
		return ok
	}
	return false
}
