package schema

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
)

// Mapper turns model structs into tables. It reflects over a struct type
// once and caches the result, so mapping the same type again returns the
// same *Table. A Mapper is safe for concurrent use. The ORM's registry uses
// one Mapper per registration; use one yourself to build metadata without
// the ORM (migrations, tools).
type Mapper struct {
	mu    sync.Mutex
	cache map[reflect.Type]*mapping
}

type mapping struct {
	table *Table
	enums []*Enum
	err   error
}

// NewMapper returns an empty Mapper.
func NewMapper() *Mapper { return &Mapper{cache: map[reflect.Type]*mapping{}} }

// TableNamer is implemented by a model that names its own table.
type TableNamer interface {
	// TableName returns the table's name, unqualified; it is called on the
	// zero value (or a new pointer) when the model is mapped.
	TableName() string
}

var tableNamer = reflect.TypeFor[TableNamer]()

// Map maps one model, given as a pointer to a struct (or a struct value),
// into its table and the enum types its columns use. Every mistake found in
// the model is reported, joined: each is a *[ModelError] naming the type,
// the field and the tag. References between tables (foreign keys, enum
// definitions shared by several models) are checked by [NewMetadata].
func (m *Mapper) Map(model any) (*Table, []*Enum, error) {
	t := reflect.TypeOf(model)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil, nil, &ModelError{Type: reflect.TypeOf(model), Err: fmt.Errorf("%w: a model is a struct or a pointer to one", ErrUnsupportedType)}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if mp, ok := m.cache[t]; ok {
		return mp.table, mp.enums, mp.err
	}
	b := &builder{typ: t, named: map[string]*Index{}, members: map[*Index][]indexMember{}}
	b.t, b.namedByMethod = newTable(t)
	b.build()
	mp := &mapping{table: b.t, enums: b.enums, err: errors.Join(b.errs...)}
	if mp.err != nil {
		mp.table, mp.enums = nil, nil
	}
	m.cache[t] = mp
	return mp.table, mp.enums, mp.err
}

// MapAll maps each model (pointers to structs; a type given twice is mapped
// once) and returns the tables in the order given and the enum types they
// use, each once. All mistakes of all models are reported together. An
// enum name defined twice with different values is an error.
func (m *Mapper) MapAll(models ...any) ([]*Table, []*Enum, error) {
	var (
		tables []*Table
		enums  []*Enum
		errs   []error
		seen   = map[*Table]bool{}
		byName = map[string]*Enum{}
	)
	for _, model := range models {
		t, es, err := m.Map(model)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[t] {
			continue
		}
		seen[t] = true
		tables = append(tables, t)
		for _, e := range es {
			prev, ok := byName[e.QualifiedName()]
			switch {
			case !ok:
				byName[e.QualifiedName()] = e
				enums = append(enums, e)
			case !slices.Equal(prev.Values, e.Values):
				errs = append(errs, &ModelError{Type: t.GoType, Err: fmt.Errorf("%w: enum type %s is declared twice with different values %v and %v",
					ErrBadValue, e.QualifiedName(), prev.Values, e.Values)})
			}
		}
	}
	return tables, enums, errors.Join(errs...)
}

// builder accumulates one table and the errors found on the way.
type builder struct {
	typ   reflect.Type
	t     *Table
	enums []*Enum
	errs  []error
	named map[string]*Index // index:NAME and unique_index:NAME, composite
	// members are each index's columns with their tags, settled by
	// finishIndexes once every field is mapped.
	members map[*Index][]indexMember
	pk      []*Column
	pkNames []string         // the pk:NAME of each column of pk, "" where none
	ids     []*Column        // columns named "id", the primary key by convention
	noID    map[*Column]bool // identity:none

	namedByMethod bool // the model has a TableName() method
}

func (b *builder) fail(field, tag string, err error) {
	b.errs = append(b.errs, &ModelError{Type: b.typ, Field: field, Tag: tag, Err: err})
}

func (b *builder) build() {
	for i := range b.typ.NumField() {
		if f := b.typ.Field(i); f.Name == "_" && f.Tag.Get("orm") != "" {
			b.tableTag(f)
		}
	}
	b.fields(b.typ, nil, 0, true, "")
	if !validName(b.t.Name) || b.t.Schema != "" && !validName(b.t.Schema) {
		b.fail("", "", badQualified("table", b.t.QualifiedName()))
	}
	if len(b.t.Columns) == 0 {
		b.fail("", "", fmt.Errorf("%w: the model has no mapped columns (exported fields)", ErrBadValue))
		return
	}
	b.primaryKey()
	b.finishIndexes()
	b.t.NameConstraints(DefaultNaming{})
	seen := map[string]string{}
	for _, c := range b.t.Columns {
		if prev, dup := seen[c.Name]; dup {
			b.fail(c.Field.Name, c.Field.Tag, fmt.Errorf("%w: column %q is also mapped from field %s", ErrBadValue, c.Name, prev))
		}
		seen[c.Name] = c.Field.Name
	}
}

// fields maps the struct's fields: embedded structs first (their columns
// come first in the table), then the struct's own fields in order.
func (b *builder) fields(t reflect.Type, index []int, offset uintptr, direct bool, prefix string) {
	var own []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("orm")
		if tag == "-" {
			continue
		}
		if f.Name == "_" {
			continue // table options, read first by build
		}
		if f.Anonymous && !hasTag {
			et, ptr := f.Type, false
			if et.Kind() == reflect.Pointer {
				et, ptr = et.Elem(), true
			}
			if et.Kind() == reflect.Struct && embeddable(et) {
				idx := append(slices.Clone(index), i)
				if ptr {
					b.fields(et, idx, 0, false, prefix+f.Name+".")
				} else {
					b.fields(et, idx, offset+f.Offset, direct, prefix+f.Name+".")
				}
				continue
			}
		}
		if f.IsExported() {
			own = append(own, f)
		}
	}
	for _, f := range own {
		idx := append(slices.Clone(index), f.Index...)
		fld := &Field{Name: prefix + f.Name, Index: idx, Type: f.Type, Offset: offset + f.Offset, Direct: direct, Tag: string(f.Tag)}
		if rel, ok := f.Tag.Lookup("rel"); ok {
			b.relation(f, fld, rel)
			continue
		}
		b.column(f, fld)
	}
}

// embeddable reports whether an embedded struct contributes its fields
// rather than being one column (time.Time, pgtype and sql wrappers).
func embeddable(t reflect.Type) bool {
	if t == timeType || t.PkgPath() == pgtypePkg || t.PkgPath() == sqlPkg || t.Implements(sqlTyper) {
		return false
	}
	return true
}

func (b *builder) relation(f reflect.StructField, fld *Field, tag string) {
	target, many := f.Type, false
	if target.Kind() == reflect.Slice {
		target, many = target.Elem(), true
	}
	if target.Kind() != reflect.Pointer || target.Elem().Kind() != reflect.Struct {
		b.fail(fld.Name, `rel:"`+tag+`"`, fmt.Errorf("%w: a relationship field is *T or []*T of a model struct T, not %s", ErrUnsupportedType, f.Type))
		return
	}
	b.t.Relations = append(b.t.Relations, &RelationField{Name: f.Name, Index: fld.Index, Type: f.Type,
		Target: target.Elem(), Many: many, Tag: tag, Offset: fld.Offset, Direct: fld.Direct})
}

// primaryKey settles the key: the fields tagged pk in order, else a column
// named id. A lone integer key becomes an identity column unless it says
// identity:none or has a server default.
func (b *builder) primaryKey() {
	pk := b.pk
	if len(pk) == 0 && len(b.ids) == 1 {
		pk = b.ids
	}
	if len(pk) == 0 {
		b.fail("", "", fmt.Errorf("%w: tag a field `orm:\"pk\"` (or name it ID)", ErrNoPrimaryKey))
		return
	}
	b.t.PrimaryKey = &PrimaryKey{Name: b.pkName()}
	for _, c := range pk {
		switch {
		case nilable(c.Field.Type):
			b.fail(c.Field.Name, c.Field.Tag, fmt.Errorf("%w: a primary key column cannot be NULL; use a non-pointer type", ErrBadValue))
		case c.Nullable:
			c.Nullable = false // a wrapper (pgtype.UUID, sql.Null[T]): an invalid one is a key not set yet
		}
		b.t.PrimaryKey.Columns = append(b.t.PrimaryKey.Columns, c.Name)
	}
	if len(pk) == 1 {
		c := pk[0]
		if c.Identity == IdentityNone && !b.noID[c] && c.ServerDefault == "" && isInteger(c.Type) {
			c.Identity = IdentityByDefault
		}
	}
}

// pkName returns the name the pk:NAME options give the primary key, ""
// when none does; two different names are an error.
func (b *builder) pkName() string {
	name := ""
	for i, n := range b.pkNames {
		switch {
		case n == "" || n == name:
		case name != "":
			c := b.pk[i]
			b.fail(c.Field.Name, c.Field.Tag, fmt.Errorf("%w: the primary key is named both %s and %s", ErrBadValue, name, n))
		default:
			name = n
		}
	}
	return name
}

// isInteger reports whether t is smallint, integer or bigint.
func isInteger(t Type) bool {
	s, ok := t.(Scalar)
	return ok && (s.Name == "smallint" || s.Name == "integer" || s.Name == "bigint")
}

// validIdent reports whether s can be a PostgreSQL identifier unchanged.
func validIdent(s string) bool {
	if s == "" || len(s) > MaxIdentLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return true
}
