package schema

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// column maps one field to a column, with the constraints its tag declares.
func (b *builder) column(f reflect.StructField, fld *Field) {
	tag := f.Tag.Get("orm")
	tagText := `orm:"` + tag + `"`
	fail := func(err error) { b.fail(fld.Name, tagText, err) }
	ct, err := readColumnTags(tag)
	if err != nil {
		fail(err)
		return
	}
	c := &Column{Name: ColumnName(f.Name), Field: fld, Comment: ct.comment, ServerDefault: ct.serverDefault,
		OnUpdate: ct.onupdate, Version: ct.version, SoftDelete: ct.softDelete}
	if ct.name != "" {
		c.Name = ct.name
	}
	if !validIdent(c.Name) {
		fail(fmt.Errorf("%w: column name %q must be 1 to %d bytes without NUL", ErrBadValue, c.Name, MaxIdentLen))
	}
	if ct.typ == "" && modelLike(f.Type) {
		fail(fmt.Errorf("%w: %s looks like a relationship without its rel tag; add rel:\"…\", or type:jsonb to store it as JSON", ErrUnsupportedType, f.Type))
		return
	}
	g, err := typeOf(f.Type, ct.enum)
	if err != nil && ct.typ == "" {
		fail(err)
		return
	}
	c.Type, c.Nullable = g.typ, g.nullable || (err != nil && f.Type.Kind() == reflect.Interface)
	if ct.enum != "" && g.enum == nil {
		fail(fmt.Errorf("%w: enum:%s needs a Go type with EnumValues() []string", ErrBadValue, ct.enum))
	}
	if g.enum != nil && ct.typ == "" && !slices.ContainsFunc(b.enums, func(e *Enum) bool { return e.QualifiedName() == g.enum.QualifiedName() }) {
		b.enums = append(b.enums, g.enum)
	}
	if ct.typ != "" {
		t, err := ParseType(ct.typ)
		if err != nil {
			fail(fmt.Errorf("%w: type:%s: %v", ErrBadValue, ct.typ, err))
		}
		c.Type, g.zeroReal = t, g.zeroReal && isZeroMeaningful(t)
	}
	b.sizeAndPrecision(c, ct, f.Type, fail)
	if ct.hasDefault {
		v, err := parseDefault(f.Type, ct.def, g.enum)
		if err != nil {
			fail(err)
		} else {
			c.Default, c.DefaultText = v, ct.def
		}
	}
	if ct.serverDefault != "" && g.zeroReal && !ct.pk && !ct.version && !ct.hasDefault {
		fail(fmt.Errorf("%w: with server_default the zero value %#v could never be inserted (it would be replaced by the default); use a pointer type (*%s), where nil means the default",
			ErrZeroDefault, reflect.Zero(f.Type).Interface(), f.Type))
	}
	if ct.version && (!isInteger(c.Type) || c.Nullable) {
		fail(fmt.Errorf("%w: version needs a non-pointer integer field, not %s", ErrBadValue, f.Type))
	}
	if ct.softDelete && (!isTimestamp(c.Type) || !c.Nullable) {
		fail(fmt.Errorf("%w: soft_delete needs a nullable timestamp field (*time.Time), not %s", ErrBadValue, f.Type))
	}
	b.identity(c, ct, fail)
	b.constraints(c, ct, fail)
	b.t.Columns = append(b.t.Columns, c)
	if ct.pk {
		b.pk = append(b.pk, c)
		b.pkNames = append(b.pkNames, ct.pkName)
	} else if c.Name == "id" {
		b.ids = append(b.ids, c)
	}
}

func (b *builder) sizeAndPrecision(c *Column, ct columnTags, goT reflect.Type, fail func(error)) {
	if ct.size > 0 {
		s, ok := c.Type.(Scalar)
		switch {
		case ok && (s.Name == "text" || s.Name == "character varying" || s.Name == "character"):
			if s.Name == "text" {
				s.Name = "character varying"
			}
			s.Size = ct.size
			c.Type = s
		default:
			fail(fmt.Errorf("%w: size applies to string columns, not %s", ErrBadValue, c.Type))
		}
	}
	if ct.precision > 0 || ct.scale > 0 {
		s, ok := c.Type.(Scalar)
		isFloat := goT.Kind() == reflect.Float32 || goT.Kind() == reflect.Float64
		switch {
		case ct.precision == 0:
			fail(fmt.Errorf("%w: scale needs precision", ErrBadValue))
		case ct.scale > ct.precision:
			fail(fmt.Errorf("%w: scale %d is larger than precision %d", ErrBadValue, ct.scale, ct.precision))
		case ok && (s.Name == "numeric" || isFloat):
			c.Type = Scalar{Name: "numeric", Precision: ct.precision, Scale: ct.scale}
		default:
			fail(fmt.Errorf("%w: precision applies to numeric columns (pgtype.Numeric, floats), not %s", ErrBadValue, c.Type))
		}
	}
}

func (b *builder) identity(c *Column, ct columnTags, fail func(error)) {
	if !ct.hasIdentity {
		return
	}
	if ct.identity == "none" {
		if b.noID == nil {
			b.noID = map[*Column]bool{}
		}
		b.noID[c] = true
		return
	}
	if !isInteger(c.Type) || c.Nullable {
		fail(fmt.Errorf("%w: identity needs a non-pointer integer column, not %s", ErrBadValue, c.Type))
		return
	}
	if c.ServerDefault != "" {
		fail(fmt.Errorf("%w: an identity column cannot also have a server_default", ErrBadValue))
	}
	c.Identity = IdentityByDefault
	if ct.identity == "always" {
		c.Identity = IdentityAlways
	}
}

func (b *builder) constraints(c *Column, ct columnTags, fail func(error)) {
	t := b.t
	if ct.unique {
		t.Uniques = append(t.Uniques, &Unique{Columns: []string{c.Name}})
	}
	for _, it := range ct.indexes {
		b.addIndex(c, it, fail)
	}
	switch {
	case ct.check != "":
		ck := &Check{Name: ct.checkName, Expr: ct.check}
		if ck.Name == "" {
			t.conventionally(&ck.Name, c.Name)
		}
		t.Checks = append(t.Checks, ck)
	case ct.checkName != "":
		fail(fmt.Errorf("%w: check_name:%s without check", ErrBadValue, ct.checkName))
	}
	if ct.fk != "" {
		parts := strings.Split(ct.fk, ".")
		if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
			fail(fmt.Errorf("%w: fk:%s (want fk:table.column)", ErrBadValue, ct.fk))
			return
		}
		fk := &ForeignKey{Columns: []string{c.Name}, RefTable: parts[len(parts)-2], RefColumns: []string{parts[len(parts)-1]}}
		if len(parts) == 3 {
			fk.RefSchema = parts[0]
		}
		fk.Name = ct.fkName
		var ok bool
		if ct.ondelete != "" {
			if fk.OnDelete, ok = parseAction(ct.ondelete); !ok {
				fail(fmt.Errorf("%w: ondelete:%s (want cascade, restrict, set null, set default or no action)", ErrBadValue, ct.ondelete))
			}
			if fk.OnDelete == SetNull && !c.Nullable {
				fail(fmt.Errorf("%w: ondelete:set null on a column that cannot be NULL; use a pointer type", ErrBadValue))
			}
		}
		if ct.fkOnUpdate != "" {
			fk.OnUpdate, _ = parseAction(ct.fkOnUpdate)
		}
		t.ForeignKeys = append(t.ForeignKeys, fk)
	}
}

// parseAction reads a referential action, case-insensitively, with '_' or
// ' ' between words ("set null", "SET_NULL", "setnull").
func parseAction(s string) (Action, bool) {
	switch strings.ToLower(strings.NewReplacer("_", "", " ", "", "-", "").Replace(s)) {
	case "cascade":
		return Cascade, true
	case "restrict":
		return Restrict, true
	case "setnull":
		return SetNull, true
	case "setdefault":
		return SetDefault, true
	case "noaction":
		return NoAction, true
	}
	return NoAction, false
}

// isZeroMeaningful reports whether Go's zero value (false, 0, "") is a
// value a column of type t would store as such.
func isZeroMeaningful(t Type) bool {
	s, ok := t.(Scalar)
	if !ok {
		return false
	}
	switch s.Name {
	case "boolean", "smallint", "integer", "bigint", "real", "double precision", "numeric",
		"text", "character varying", "character":
		return true
	}
	return false
}

// parseDefault converts a `default:` text into a value of the field's type
// (for a pointer field, of the pointed-to type).
func parseDefault(t reflect.Type, text string, enum *Enum) (any, error) {
	elem := t
	if elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	bad := func(err error) error {
		return fmt.Errorf("%w: default:%s is not a %s: %v", ErrBadValue, text, elem, err)
	}
	v := reflect.New(elem).Elem()
	switch {
	case elem == durationType:
		d, err := time.ParseDuration(text)
		if err != nil {
			return nil, bad(err)
		}
		v.SetInt(int64(d))
	case elem.Kind() == reflect.String:
		if enum != nil && !slices.Contains(enum.Values, text) {
			return nil, fmt.Errorf("%w: default:%s is not a value of enum %s %v", ErrBadValue, text, enum.Name, enum.Values)
		}
		v.SetString(text)
	case elem.Kind() == reflect.Bool:
		x, err := strconv.ParseBool(text)
		if err != nil {
			return nil, bad(err)
		}
		v.SetBool(x)
	case v.CanInt():
		x, err := strconv.ParseInt(text, 10, elem.Bits())
		if err != nil {
			return nil, bad(err)
		}
		v.SetInt(x)
	case v.CanUint():
		x, err := strconv.ParseUint(text, 10, elem.Bits())
		if err != nil {
			return nil, bad(err)
		}
		v.SetUint(x)
	case v.CanFloat():
		x, err := strconv.ParseFloat(text, elem.Bits())
		if err != nil {
			return nil, bad(err)
		}
		v.SetFloat(x)
	default:
		return nil, fmt.Errorf("%w: default: is not supported for %s; use server_default:EXPR", ErrBadValue, t)
	}
	return v.Interface(), nil
}

// typoDistance is the optimal-string-alignment distance of a and b.
func typoDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// isTimestamp reports whether t is timestamp or timestamptz.
func isTimestamp(t Type) bool {
	s, ok := t.(Scalar)
	return ok && strings.HasPrefix(s.Name, "timestamp")
}
