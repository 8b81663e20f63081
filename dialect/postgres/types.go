package postgres

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/schema"
)

// TypeName renders t for a column definition or a cast: a scalar with its
// modifiers ("character varying(20)", "numeric(10,2)", a name given with
// `type:` as written), an array as its element type plus "[]", "json" or
// "jsonb", and an enum as its quoted type name, qualified by its schema
// when it has one. It is the one place types
// are spelled: CreateTable, AddColumn, AlterColumnType and migrate's casts
// all go through it. It fails, wrapping [dialect.ErrInvalidDefinition], on
// a nil type, an empty scalar name, negative modifiers, a size together
// with a precision, a scale without a precision, and an enum name
// [Dialect.QuoteIdent] refuses.
func (d Dialect) TypeName(t schema.Type) (string, error) {
	switch t := t.(type) {
	case schema.Scalar:
		return scalarName(t)
	case schema.Array:
		if t.Elem == nil {
			return "", invalidType(t, "array without an element type")
		}
		elem, err := d.TypeName(t.Elem)
		if err != nil {
			return "", err
		}
		return elem + "[]", nil
	case schema.JSON:
		return t.String(), nil
	case schema.EnumRef:
		return stmt().qualified(t.Schema, t.Name).done()
	}
	return "", invalidType(t, "no type")
}

func scalarName(s schema.Scalar) (string, error) {
	name := strings.TrimSpace(s.Name)
	switch {
	case name == "" || strings.IndexByte(name, 0) >= 0:
		return "", invalidType(s, "empty name or NUL byte")
	case s.Size < 0 || s.Precision < 0:
		return "", invalidType(s, "negative size or precision")
	case s.Size > 0 && s.Precision > 0:
		return "", invalidType(s, "both a size and a precision")
	case s.Scale != 0 && s.Precision == 0:
		return "", invalidType(s, "a scale without a precision")
	case s.Size > 0:
		return name + "(" + strconv.Itoa(s.Size) + ")", nil
	case s.Precision > 0:
		return name + "(" + strconv.Itoa(s.Precision) + "," + strconv.Itoa(s.Scale) + ")", nil
	}
	return name, nil
}

func invalidType(t schema.Type, why string) error {
	return fmt.Errorf("%w: type %#v: %s", dialect.ErrInvalidDefinition, t, why)
}
