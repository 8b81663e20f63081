package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// columnTags are the options of an `orm` tag once read, before they are
// applied: the tag is read whole first because the meaning of onupdate
// depends on whether fk is present.
type columnTags struct {
	name                         string
	pk, unique, version          bool
	softDelete                   bool
	identity                     string
	hasIdentity                  bool
	indexes                      []indexTag // index and unique_index options, in tag order
	typ, enum, comment, check    string
	size, precision, scale       int
	hasDefault                   bool
	def, serverDefault, onupdate string
	fk, ondelete, fkOnUpdate     string
	hasFK                        bool // the tag has fk, read before the other options

	// Names given to the constraints: pk:NAME, fk_name:NAME, check_name:NAME
	// (unique:NAME is an entry of indexes).
	pkName, fkName, checkName string
}

// indexTag is one index or unique_index option of a column with the
// modifiers that follow it in the tag (using, where, opclass, position).
type indexTag struct {
	name     string // "" for a single-column index named by the convention
	unique   bool
	method   string
	where    string
	opclass  string
	position int // 1-based place of the column in the index, 0 = field order

	constraint bool // unique:NAME, a UNIQUE constraint rather than an index
}

// valueRule says whether an option takes a value.
type valueRule uint8

const (
	noValue       valueRule = iota // version
	needsValue                     // type:SQL
	optionalValue                  // identity or identity:always
)

// columnOption is one option of the orm tag: whether it takes a value,
// whether it may be given more than once, and what it records.
type columnOption struct {
	value  valueRule
	repeat bool
	apply  func(ct *columnTags, v string) error
}

// setString returns an apply that stores the value in the field f picks.
func setString(f func(*columnTags) *string) func(*columnTags, string) error {
	return func(ct *columnTags, v string) error { *f(ct) = v; return nil }
}

// setFlag returns an apply that sets the field f picks.
func setFlag(f func(*columnTags) *bool) func(*columnTags, string) error {
	return func(ct *columnTags, _ string) error { *f(ct) = true; return nil }
}

// columnOptions is the orm tag's grammar: every option, in one table.
var columnOptions = map[string]columnOption{
	"pk":             {value: optionalValue, apply: readPK},
	"unique":         {value: optionalValue, repeat: true, apply: readUnique},
	"version":        {apply: setFlag(func(ct *columnTags) *bool { return &ct.version })},
	"soft_delete":    {apply: setFlag(func(ct *columnTags) *bool { return &ct.softDelete })},
	"identity":       {value: optionalValue, apply: readIdentity("identity")},
	"autoincrement":  {value: optionalValue, apply: readIdentity("autoincrement")},
	"index":          {value: optionalValue, repeat: true, apply: addIndexTag(false)},
	"unique_index":   {value: needsValue, repeat: true, apply: addIndexTag(true)},
	"using":          {value: needsValue, repeat: true, apply: indexModifier("using", readMethod)},
	"where":          {value: needsValue, repeat: true, apply: indexModifier("where", readWhere)},
	"opclass":        {value: needsValue, repeat: true, apply: indexModifier("opclass", readOpclass)},
	"position":       {value: needsValue, repeat: true, apply: indexModifier("position", readPosition)},
	"type":           {value: needsValue, apply: setString(func(ct *columnTags) *string { return &ct.typ })},
	"enum":           {value: needsValue, apply: setString(func(ct *columnTags) *string { return &ct.enum })},
	"comment":        {value: needsValue, apply: func(ct *columnTags, v string) error { ct.comment = unquote(v); return nil }},
	"check":          {value: needsValue, apply: setString(func(ct *columnTags) *string { return &ct.check })},
	"size":           {value: needsValue, apply: positive("size", func(ct *columnTags) *int { return &ct.size })},
	"precision":      {value: needsValue, apply: positive("precision", func(ct *columnTags) *int { return &ct.precision })},
	"scale":          {value: needsValue, apply: readScale},
	"default":        {value: optionalValue, apply: readDefault},
	"server_default": {value: needsValue, apply: setString(func(ct *columnTags) *string { return &ct.serverDefault })},
	"onupdate":       {value: needsValue, apply: readOnUpdate},
	"fk":             {value: needsValue, apply: setString(func(ct *columnTags) *string { return &ct.fk })},
	"fk_name":        {value: needsValue, apply: readFKName},
	"check_name":     {value: needsValue, apply: setName("check_name", func(ct *columnTags) *string { return &ct.checkName })},
	"ondelete":       {value: needsValue, apply: readOnDelete},
	"column":         {value: needsValue, apply: setString(func(ct *columnTags) *string { return &ct.name })},
}

// readColumnTags reads an orm tag through the option table. A bare first
// element that is no option (and not one typo away from one) names the
// column.
func readColumnTags(tag string) (columnTags, error) {
	var ct columnTags
	opts, err := ParseTag(tag)
	if err != nil {
		return ct, err
	}
	ct.hasFK = slices.ContainsFunc(opts, func(o Option) bool { return o.Key == "fk" })
	seen := make(map[string]bool, len(opts))
	for i, o := range opts {
		spec, known := columnOptions[o.Key]
		if !known {
			if i == 0 && !o.HasValue && nearOption(o.Key) == "" {
				ct.name = o.Key
				continue
			}
			return ct, unknownOption(o.Key)
		}
		if seen[o.Key] && !spec.repeat {
			return ct, fmt.Errorf("%w: %s given twice", ErrBadValue, o.Key)
		}
		seen[o.Key] = true
		if err := spec.read(&ct, o); err != nil {
			return ct, err
		}
	}
	return ct, nil
}

// read checks the option's value against the rule and applies it.
func (spec columnOption) read(ct *columnTags, o Option) error {
	switch {
	case spec.value == noValue && o.HasValue:
		return fmt.Errorf("%w: %s takes no value", ErrBadValue, o.Key)
	case spec.value == needsValue && o.Value == "":
		return fmt.Errorf("%w: %s needs a value (%s:…)", ErrBadValue, o.Key, o.Key)
	case o.Key == "default" && !o.HasValue:
		return fmt.Errorf("%w: default needs a value (default:V)", ErrBadValue)
	}
	return spec.apply(ct, o.Value)
}

func unknownOption(key string) error {
	if near := nearOption(key); near != "" {
		return fmt.Errorf("%w %q (did you mean %s? name a column so spelled with column:%s)", ErrUnknownOption, key, near, key)
	}
	return fmt.Errorf("%w %q", ErrUnknownOption, key)
}

func readIdentity(key string) func(*columnTags, string) error {
	return func(ct *columnTags, v string) error {
		ct.hasIdentity, ct.identity = true, strings.ToLower(v)
		switch ct.identity {
		case "", "by_default", "always", "none":
			return nil
		}
		return fmt.Errorf("%w: %s:%s (want identity, identity:always or identity:none)", ErrBadValue, key, v)
	}
}

func positive(key string, f func(*columnTags) *int) func(*columnTags, string) error {
	return func(ct *columnTags, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("%w: %s:%s is not a positive number", ErrBadValue, key, v)
		}
		*f(ct) = n
		return nil
	}
}

func readScale(ct *columnTags, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("%w: scale:%s is not a number ≥ 0", ErrBadValue, v)
	}
	ct.scale = n
	return nil
}

func readDefault(ct *columnTags, v string) error {
	ct.hasDefault, ct.def = true, unquote(v)
	return nil
}

// readOnUpdate reads onupdate: a referential action when the tag has fk,
// else the expression the ORM sets on every UPDATE.
func readOnUpdate(ct *columnTags, v string) error {
	if _, isAction := parseAction(v); ct.hasFK && isAction {
		ct.fkOnUpdate = v
	} else {
		ct.onupdate = v
	}
	return nil
}

func readOnDelete(ct *columnTags, v string) error {
	if !ct.hasFK {
		return fmt.Errorf("%w: ondelete without fk", ErrBadValue)
	}
	ct.ondelete = v
	return nil
}

// setName returns an apply that checks a constraint name and stores it in
// the field f picks.
func setName(key string, f func(*columnTags) *string) func(*columnTags, string) error {
	return func(ct *columnTags, v string) error {
		if err := checkConstraintName(key, v); err != nil {
			return err
		}
		*f(ct) = v
		return nil
	}
}

// checkConstraintName checks a name given in a tag: PostgreSQL takes 1 to
// MaxIdentLen bytes without NUL.
func checkConstraintName(key, v string) error {
	if !validIdent(v) {
		return fmt.Errorf("%w: %w: %s:%s must be 1 to %d bytes without NUL", ErrBadValue, ErrBadName, key, v, MaxIdentLen)
	}
	return nil
}

// readPK reads pk or pk:NAME.
func readPK(ct *columnTags, v string) error {
	ct.pk = true
	if v == "" {
		return nil
	}
	return setName("pk", func(ct *columnTags) *string { return &ct.pkName })(ct, v)
}

// readUnique reads unique, a single-column UNIQUE constraint, or
// unique:NAME, one shared by the fields naming it.
func readUnique(ct *columnTags, v string) error {
	if v == "" {
		ct.unique = true
		return nil
	}
	if err := checkConstraintName("unique", v); err != nil {
		return err
	}
	ct.indexes = append(ct.indexes, indexTag{name: v, unique: true, constraint: true})
	return nil
}

func readFKName(ct *columnTags, v string) error {
	if !ct.hasFK {
		return fmt.Errorf("%w: fk_name:%s without fk", ErrBadValue, v)
	}
	return setName("fk_name", func(ct *columnTags) *string { return &ct.fkName })(ct, v)
}

func addIndexTag(unique bool) func(*columnTags, string) error {
	return func(ct *columnTags, v string) error {
		ct.indexes = append(ct.indexes, indexTag{name: v, unique: unique})
		return nil
	}
}

// indexModifier returns the apply of an option that qualifies the index
// option before it in the tag, given once per index.
func indexModifier(key string, read func(ix *indexTag, v string) error) func(*columnTags, string) error {
	return func(ct *columnTags, v string) error {
		if len(ct.indexes) == 0 {
			return fmt.Errorf("%w: %s:%s qualifies an index: put it after index, index:NAME, unique_index:NAME (or position: after unique:NAME)", ErrBadValue, key, v)
		}
		ix := &ct.indexes[len(ct.indexes)-1]
		if ix.constraint && key != "position" {
			return fmt.Errorf("%w: %s:%s: unique:%s is a UNIQUE constraint, which takes position: only (declare unique_index:%s for an index with %s)",
				ErrBadValue, key, v, ix.name, ix.name, key)
		}
		if modifierSet(*ix, key) {
			return fmt.Errorf("%w: %s given twice for one index", ErrBadValue, key)
		}
		return read(ix, v)
	}
}

// modifierSet reports whether ix already had the modifier key.
func modifierSet(ix indexTag, key string) bool {
	switch key {
	case "using":
		return ix.method != ""
	case "where":
		return ix.where != ""
	case "opclass":
		return ix.opclass != ""
	}
	return ix.position != 0
}

// indexMethods are PostgreSQL's built-in index access methods.
var indexMethods = []string{"btree", "hash", "gist", "spgist", "gin", "brin"}

func readMethod(ix *indexTag, v string) error {
	m := strings.ToLower(v)
	if !slices.Contains(indexMethods, m) {
		return fmt.Errorf("%w: using:%s (want one of %s)", ErrBadValue, v, strings.Join(indexMethods, ", "))
	}
	ix.method = m // btree is folded into "" when the index is built
	return nil
}

func readWhere(ix *indexTag, v string) error { ix.where = v; return nil }

func readOpclass(ix *indexTag, v string) error {
	if !validIdent(v) || strings.ContainsAny(v, " \t\".") {
		return fmt.Errorf("%w: opclass:%s is not an operator class name", ErrBadValue, v)
	}
	ix.opclass = strings.ToLower(v) // as PostgreSQL folds an unquoted name
	return nil
}

func readPosition(ix *indexTag, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return fmt.Errorf("%w: position:%s is not a positive number", ErrBadValue, v)
	}
	ix.position = n
	return nil
}

// unquote strips one pair of single quotes, undoubling inner ones, so that
// a value may hold a comma: comment:'a, b'.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

// nearOption returns the option name that key is one typo away from (one
// letter added, dropped, changed, or two swapped), or "".
func nearOption(key string) string {
	names := make([]string, 0, len(columnOptions))
	for name := range columnOptions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, o := range names {
		if len(o) > 2 && typoDistance(key, o) == 1 {
			return o
		}
	}
	return ""
}
