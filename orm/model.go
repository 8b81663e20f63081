package orm

import (
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// maxColumns bounds a mapped table's width so that column sets fit a
// fixed-size bit set.
const maxColumns = 256

// colSet is a set of column positions of one model.
type colSet [maxColumns / 64]uint64

func (s *colSet) add(i int)      { s[i>>6] |= 1 << (i & 63) }
func (s *colSet) has(i int) bool { return s[i>>6]&(1<<(i&63)) != 0 }
func (s *colSet) empty() bool    { return s[0]|s[1]|s[2]|s[3] == 0 }
func (s *colSet) remove(i int)   { s[i>>6] &^= 1 << (i & 63) }

// low returns the set as one word when it holds only positions below 64,
// else 0.
func (s colSet) low() uint64 {
	if s[1]|s[2]|s[3] != 0 {
		return 0
	}
	return s[0]
}

func (s *colSet) union(o colSet) {
	for i := range s {
		s[i] |= o[i]
	}
}

// model is everything the session needs about one mapped struct type,
// computed once at registration and immutable afterwards.
type model struct {
	id      int
	order   int // position of the table in the metadata's foreign key order
	table   *schema.Table
	typ     reflect.Type // the struct type
	ptrWord mem.Type
	cols    []*column
	pk      []*column
	version *column
	rels    []*relation.Relation
	rules   []rule   // one per relationship, in field order (rule.go)
	ident   keyCodec // reads the primary key (key.go); key is its fast path
	// uniqueKeys are the foreign keys of this model that carry a
	// relationship and are unique (one_to_one).
	uniqueKeys []*fkGroup
	// childOf are the foreign keys of this model that carry a
	// relationship: those that can give its rows a parent.
	childOf []*fkGroup

	deep                               []*column           // columns whose snapshot needs a deep copy
	inline                             []inlinePtr         // pointer columns copied into the snapshot record
	snapType                           reflect.Type        // the snapshot record (snap.go): the row or its columns, then inlined pointees
	snapWhole                          bool                // the record's row part is the whole struct T (snap.go)
	snapSteps                          []snapStep          // how a row's columns are copied into the record (snap.go)
	encoded                            []*column           // columns snapshotted by encoding
	cmp                                []cmpStep           // how each column is compared with the snapshot (dirty.go)
	cmpBy                              [cmpKinds][]cmpStep // cmp grouped by kind
	defaults                           []*column           // columns with a client-side default
	sentAlways                         colSet              // columns every INSERT sends (not server-generated)
	serverGen                          []*column           // server-generated columns, sent only when set (prepareInsert)
	onUpdate                           []*column           // columns with an onupdate expression
	key                                keyKind
	indirect                           bool   // some column sits behind an embedded pointer
	insertWhat, updateWhat, deleteWhat string // "insert users", for errors
	staleUpdate                        *StaleDataError
	eager                              bool // some relationship loads with every query (lazy:joined/selectin)

	upsert *conflictPlan // the Upserter's ON CONFLICT, nil when none
	hooks  hookSet       // the lifecycle hooks it implements (lifecycle.go)

	softDelete *column // the soft_delete column, nil when none (softdelete.go)

	// Foreign key neighbours, set by the registry: the mapped tables this
	// one references and those referencing it, leaving out self references
	// and the foreign keys that close a cycle between tables; selfFKs are
	// the self references, ordered row by row.
	parents, children []*model
	selfFKs           []*schema.ForeignKey
}

// column is one mapped column with its precomputed accessors.
type column struct {
	*schema.Column
	pos       int // position in model.cols
	path      fieldPath
	goType    reflect.Type
	ptrWord   mem.Type     // type word of *goType
	scanWord  mem.Type     // type word of the pointer the field is scanned through (scanWord)
	argWord   mem.Type     // type word of the bound argument's pointer type
	plain     reflect.Type // the unnamed type of the field's layout pgx is handed (plainType)
	jsonForm  jsonForm     // a json column's: bound as a *jsonArg
	sliceForm sliceForm    // how values of many objects become one slice (args_slice.go)
	sliceElem reflect.Type // the slice's element type for sliceValues
	empty     any          // what a nil slice or map is written as, see emptyArg
	ops       valueOps
	encSlot   int  // index among model.encoded, or -1
	pk        bool // part of the primary key
	serverGen bool // identity or server default: omitted from INSERT when zero
	setDef    func(p mem.Ptr)
	assign    func(dst, src mem.Ptr) // typed copy of one value
}

// ptr returns a typed pointer to the field inside obj, as pgx takes scan
// destinations; it does not allocate.
func (c *column) ptr(obj mem.Ptr) any { return mem.Any(c.scanWord, c.path.addr(obj)) }

// arg returns a typed pointer for reading the field as a bound argument.
func (c *column) arg(obj mem.Ptr) any { return c.argAt(c.path.read(obj)) }

// argAt is arg for the field at p.
func (c *column) argAt(p mem.Ptr) any {
	if c.jsonForm != jsonNone {
		return &jsonArg{c: c, p: p}
	}
	if c.empty != nil && mem.LoadPtr(p).IsNil() {
		return c.empty
	}
	return mem.Any(c.argWord, p)
}

// emptyArg returns, for a NOT NULL slice or map column, the argument a nil
// field is written as (an empty array, bytea or JSON object), so that a
// nil Go value never becomes NULL; nil for other columns.
func emptyArg(t reflect.Type, nullable bool) any {
	v := reflect.New(t)
	switch {
	case nullable:
		return nil
	case t.Kind() == reflect.Slice:
		v.Elem().Set(reflect.MakeSlice(t, 0, 0))
	case t.Kind() == reflect.Map:
		v.Elem().Set(reflect.MakeMap(t))
	default:
		return nil
	}
	return v.Interface()
}

// zero reports whether the field holds its type's zero value.
func (c *column) zero(obj mem.Ptr) bool { return c.ops.isZero(c.path.read(obj)) }

// setZero stores the zero value in the field.
func (c *column) setZero(obj mem.Ptr) {
	mem.NewAt(c.goType, c.path.addr(obj)).Elem().SetZero()
}

// copyTo copies the field's value from src to dst (shallowly).
func (c *column) copyTo(dst, src mem.Ptr) {
	mem.NewAt(c.goType, c.path.addr(dst)).Elem().Set(mem.NewAt(c.goType, c.path.read(src)).Elem())
}

// newModel precomputes the accessors of a mapped table.
func newModel(id int, t *schema.Table, rels []*relation.Relation) (*model, error) {
	if len(t.Columns) > maxColumns {
		return nil, &schema.ModelError{Type: t.GoType, Err: fmt.Errorf("%d columns, at most %d: %w", len(t.Columns), maxColumns, ErrTooManyColumns)}
	}
	if t.PrimaryKey == nil || len(t.PrimaryKey.Columns) == 0 {
		return nil, &schema.ModelError{Type: t.GoType, Err: ErrNoPrimaryKey}
	}
	m := &model{id: id, table: t, typ: t.GoType, rels: rels, ptrWord: mem.TypeOf(reflect.PointerTo(t.GoType))}
	types := pgtype.NewMap() // asked how pgx encodes the columns' types (chooseSliceForm)
	for i, sc := range t.Columns {
		if sc.Field == nil {
			return nil, &schema.ModelError{Type: t.GoType, Err: fmt.Errorf("column %s maps no field", sc.Name)}
		}
		m.cols = append(m.cols, m.newColumn(i, sc, types))
	}
	for _, name := range t.PrimaryKey.Columns {
		c := m.column(name)
		c.pk = true
		m.pk = append(m.pk, c)
	}
	m.ident = newKeyCodec(m, m.pk)
	m.key = m.ident.fast
	m.snapRecord()
	m.compareSteps()
	m.insertWhat, m.updateWhat, m.deleteWhat = "insert "+t.Name, "update "+t.Name, "delete "+t.Name
	m.staleUpdate = &StaleDataError{Table: t.Name, Op: "update", Expected: 1}
	for _, r := range rels {
		m.eager = m.eager || r.Lazy.Eager()
	}
	if v := m.version; v != nil && !isInt(v.goType.Kind()) {
		return nil, &schema.ModelError{Type: t.GoType, Field: v.Field.Name, Tag: v.Field.Tag, Err: fmt.Errorf("version column must be an integer: %w", schema.ErrBadValue)}
	}
	return m, nil
}

func (m *model) newColumn(i int, sc *schema.Column, types *pgtype.Map) *column {
	f := sc.Field
	_, isJSON := sc.Type.(schema.JSON)
	c := &column{
		Column: sc, pos: i, goType: f.Type, encSlot: -1,
		ptrWord:  mem.TypeOf(reflect.PointerTo(f.Type)),
		scanWord: scanWord(f.Type),
		argWord:  argWord(f.Type, sc.Type),
		plain:    plainType(f.Type),
		empty:    emptyArg(plainType(f.Type), sc.Nullable),
		ops:      opsFor(f.Type, isJSON),
		path: fieldPath{owner: m.typ, offset: f.Offset, direct: f.Direct, index: f.Index,
			zero: mem.New(f.Type)},
		serverGen: sc.ServerGenerated(),
		assign:    assignFor(f.Type),
	}
	if isJSON {
		c.jsonForm = jsonFormOf(f.Type)
	}
	c.chooseSliceForm(argType(f.Type, sc.Type), types)
	switch c.ops.kind {
	case snapDeep:
		m.deep = append(m.deep, c)
	case snapEncoded:
		c.encSlot = len(m.encoded)
		m.encoded = append(m.encoded, c)
	}
	if sc.Default != nil {
		c.setDef = defaultSetter(f.Type, sc.Default)
		m.defaults = append(m.defaults, c)
	}
	if c.serverGen {
		m.serverGen = append(m.serverGen, c)
	} else {
		m.sentAlways.add(c.pos)
	}
	if sc.OnUpdate != "" {
		m.onUpdate = append(m.onUpdate, c)
	}
	if sc.Version {
		m.version = c
	}
	if !f.Direct {
		m.indirect = true
	}
	return c
}

// defaultSetter returns a function storing the client default v (already
// of the field's type, or convertible to it) in a field.
func defaultSetter(t reflect.Type, v any) func(p mem.Ptr) {
	dv := reflect.ValueOf(v)
	if t.Kind() == reflect.Pointer && dv.Type() == t.Elem() {
		// A pointer field gets a fresh pointer each time: objects never
		// share the default's storage.
		return func(p mem.Ptr) {
			np := reflect.New(t.Elem())
			np.Elem().Set(dv)
			mem.NewAt(t, p).Elem().Set(np)
		}
	}
	if dv.Type() != t && dv.Type().ConvertibleTo(t) {
		dv = dv.Convert(t)
	}
	return func(p mem.Ptr) { mem.NewAt(t, p).Elem().Set(dv) }
}

// column returns the column named name (a column name), or nil.
func (m *model) column(name string) *column {
	for _, c := range m.cols {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// lookup finds a column by Go field name or column name, as OrderBy, Set
// and Explicit accept them.
func (m *model) lookup(name string) *column {
	if c := m.column(name); c != nil {
		return c
	}
	if sc := m.table.ColumnByField(name); sc != nil {
		return m.cols[indexOf(m.table.Columns, sc)]
	}
	return nil
}

func indexOf(cols []*schema.Column, c *schema.Column) int {
	for i, x := range cols {
		if x == c {
			return i
		}
	}
	return -1
}

// String names the model for messages ("pkg.User").
func (m *model) String() string {
	if m == nil {
		return "?"
	}
	return m.typ.String()
}

// inlinePtr is a *E column whose snapshot copy of the pointee lives in the
// snapshot record itself, at off, instead of in an allocation of its own.
type inlinePtr struct {
	col    *column
	off    uintptr
	assign func(dst, src mem.Ptr)
}

// copy points the snapshot's field at the record's copy of the pointee.
func (in *inlinePtr) copy(snap, obj mem.Ptr) {
	p := mem.LoadPtr(in.col.path.read(obj))
	field := in.col.path.addr(snap)
	if p.IsNil() {
		mem.StorePtr(field, mem.Ptr{})
		return
	}
	slot := snap.Add(in.off)
	in.assign(slot, p)
	mem.StorePtr(field, slot)
}
