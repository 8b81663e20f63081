package schema

import (
	"fmt"
	"reflect"
)

// Table-level options are written on a blank field, which maps no column:
//
//	type Order struct {
//		_  struct{} `orm:"schema:sales,comment:'one order'"`
//		ID int64
//	}
//
// schema:NAME puts the table in a PostgreSQL schema, table:NAME names the
// table, comment:TEXT is the table's comment. A TableName() method may
// name the table instead, qualified or not ("sales.orders").

// tableOptions are the options of a blank field's orm tag.
var tableOptions = map[string]func(t *Table, v string) error{
	"schema":  func(t *Table, v string) error { t.Schema = v; return checkIdent("schema", v) },
	"table":   func(t *Table, v string) error { t.Name = v; return checkIdent("table", v) },
	"comment": func(t *Table, v string) error { t.Comment = unquote(v); return nil },
}

func checkIdent(what, v string) error {
	if !validName(v) {
		return fmt.Errorf("%w: %s name %q must be 1 to %d bytes without a dot or NUL", ErrBadValue, what, v, MaxIdentLen)
	}
	return nil
}

// tableTag applies the options of a blank field's tag to the table. A
// schema or name given both here and by TableName() is an error.
func (b *builder) tableTag(f reflect.StructField) {
	tag := f.Tag.Get("orm")
	fail := func(err error) { b.fail("_", `orm:"`+tag+`"`, err) }
	opts, err := ParseTag(tag)
	if err != nil {
		fail(err)
		return
	}
	seen := map[string]bool{}
	for _, o := range opts {
		apply, ok := tableOptions[o.Key]
		switch {
		case !ok:
			fail(fmt.Errorf("%w %q (a blank field takes schema:, table: and comment:)", ErrUnknownOption, o.Key))
			continue
		case seen[o.Key]:
			fail(fmt.Errorf("%w: %s given twice", ErrBadValue, o.Key))
			continue
		case o.Value == "":
			fail(fmt.Errorf("%w: %s needs a value (%s:…)", ErrBadValue, o.Key, o.Key))
			continue
		case o.Key != "comment" && b.namedByMethod:
			fail(fmt.Errorf("%w: %s: the model's TableName() already names its table (%s)", ErrBadValue, o.Key, b.t.QualifiedName()))
			continue
		}
		seen[o.Key] = true
		if err := apply(b.t, o.Value); err != nil {
			fail(err)
		}
	}
}

// newTable starts the table of model type t, named by its TableName()
// method (qualified or not) or by the convention.
func newTable(t reflect.Type) (tb *Table, byMethod bool) {
	name, byMethod := tableNameOf(t)
	nsp, name := splitModelName(name)
	return &Table{Schema: nsp, Name: name, GoType: t}, byMethod
}

// tableNameOf returns TableName() when the model has it, else the
// snake_case plural of the type name.
func tableNameOf(t reflect.Type) (string, bool) {
	switch {
	case t.Implements(tableNamer):
		return reflect.Zero(t).Interface().(TableNamer).TableName(), true
	case reflect.PointerTo(t).Implements(tableNamer):
		return reflect.New(t).Interface().(TableNamer).TableName(), true
	}
	return TableName(t.Name()), false
}
