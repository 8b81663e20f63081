package orm

import (
	"database/sql"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Results that are not whole model rows (projections, Raw into any type)
// are scanned through a resultPlan: where each result column goes in the
// result type, worked out once per (type, column names) and cached in the
// registry, so that a row costs pointer arithmetic and pgx's Scan, no
// reflection. They never enter the identity map.
//
// A struct's fields are matched to columns by name as pgx's
// RowToStructByName does: a `db:"name"` tag names the column (`db:"-"`
// skips the field), else the field name matches ignoring case and
// underscores (UserID reads user_id); embedded structs contribute their
// fields. For a registered model the mapped column names are used. A type
// that is not a struct (int64, string, …), time.Time, or a type that is an
// sql.Scanner receives the result's only column.

// resultPlan places the columns of a result in a value of typ.
type resultPlan struct {
	typ    reflect.Type
	fields []resultField // per result column
}

type resultField struct {
	off   uintptr  // offset of the field, when index is nil
	index []int    // reflect path through an embedded pointer
	word  mem.Type // type word of a pointer to the field's type
}

// dest points dst at the fields of the value at obj.
func (p *resultPlan) dest(dst []any, obj mem.Ptr) {
	for i := range p.fields {
		f := &p.fields[i]
		a := obj.Add(f.off)
		if f.index != nil {
			a = mem.Field(p.typ, obj, f.index)
		}
		dst[i] = mem.Any(f.word, a)
	}
}

type planKey struct {
	t     reflect.Type
	names string
}

// resultPlan returns the plan of t for a result with the given column
// names. A column no field of t receives is an error (ErrUnknownColumn);
// fields without a column keep their zero value.
func (r *Registry) resultPlan(t reflect.Type, names []string) (*resultPlan, error) {
	k := planKey{t, strings.Join(names, "\x00")}
	if v, ok := r.plans.Load(k); ok {
		return v.(*resultPlan), nil
	}
	p, err := r.newResultPlan(t, names)
	if err != nil {
		return nil, err
	}
	v, _ := r.plans.LoadOrStore(k, p)
	return v.(*resultPlan), nil
}

func (r *Registry) newResultPlan(t reflect.Type, names []string) (*resultPlan, error) {
	p := &resultPlan{typ: t, fields: make([]resultField, len(names))}
	if scalarType(t) {
		if len(names) != 1 {
			return nil, fmt.Errorf("%s receives one column, the result has %d: %w", t, len(names), ErrUnknownColumn)
		}
		p.fields[0] = resultField{word: scanWord(t)}
		return p, nil
	}
	fields := r.fieldsOf(t)
	used := make(map[int]string, len(names))
	for i, n := range names {
		j := matchField(fields, n)
		if j < 0 {
			return nil, fmt.Errorf("result column %q: no field of %s receives it: %w", n, t, ErrUnknownColumn)
		}
		if prev, dup := used[j]; dup {
			return nil, fmt.Errorf("result columns %q and %q both go to %s.%s: %w", prev, n, t, fields[j].name, ErrUnknownColumn)
		}
		used[j] = n
		p.fields[i] = fields[j].field
	}
	return p, nil
}

// scalarType reports whether a result type takes a single column itself.
func scalarType(t reflect.Type) bool {
	return t.Kind() != reflect.Struct || t == timeType || reflect.PointerTo(t).Implements(scannerType)
}

var scannerType = reflect.TypeFor[sql.Scanner]()

// structField is a field a result column can go to.
type structField struct {
	name   string // Go name, for messages
	col    string // the db tag or the model's column name; "" when untagged
	exact  bool   // col must match exactly (a model column)
	norm   string // lower-cased name without underscores, when untagged
	field  resultField
	goType reflect.Type
}

// fieldsOf lists the fields of t that can receive columns.
func (r *Registry) fieldsOf(t reflect.Type) []structField {
	if m := r.byType[t]; m != nil {
		out := make([]structField, len(m.cols))
		for i, c := range m.cols {
			f := resultField{off: c.Field.Offset, word: c.scanWord}
			if !c.Field.Direct {
				f.index = c.Field.Index
			}
			out[i] = structField{name: c.Field.Name, col: c.Name, exact: true, field: f, goType: c.goType}
		}
		return out
	}
	var out []structField
	walkFields(t, nil, 0, true, &out)
	return out
}

func walkFields(t reflect.Type, index []int, off uintptr, direct bool, out *[]structField) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, tagged := sf.Tag.Lookup("db")
		tag, _, _ = strings.Cut(tag, ",")
		path := append(append([]int(nil), index...), i)
		switch {
		case tag == "-":
		case sf.Anonymous && !tagged && sf.Type.Kind() == reflect.Struct:
			walkFields(sf.Type, path, off+sf.Offset, direct, out)
		case sf.Anonymous && !tagged && sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct:
			walkFields(sf.Type.Elem(), path, 0, false, out)
		case sf.IsExported():
			f := resultField{off: off + sf.Offset, word: scanWord(sf.Type)}
			if !direct {
				f.index = path
			}
			sf := structField{name: sf.Name, col: tag, norm: normName(sf.Name), field: f, goType: sf.Type}
			if tagged {
				sf.norm = ""
			}
			*out = append(*out, sf)
		}
	}
}

// normName is a name lower-cased without underscores.
func normName(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// matchField returns the index of the field a column named n goes to, or
// -1: an exact tag first, then a tag ignoring case, then an untagged
// field's name ignoring case and underscores.
func matchField(fields []structField, n string) int {
	for i, f := range fields {
		if f.col == n {
			return i
		}
	}
	for i, f := range fields {
		if f.col != "" && !f.exact && strings.EqualFold(f.col, n) {
			return i
		}
	}
	norm := normName(n)
	for i, f := range fields {
		if f.norm != "" && f.norm == norm {
			return i
		}
	}
	return -1
}

// resultNames returns the names of a result's columns.
func resultNames(rows pgx.Rows) []string {
	fds := rows.FieldDescriptions()
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	return names
}

// collect scans every row into one array of R and returns pointers into
// it: a few allocations however many rows.
func collect[R any](rows pgx.Rows, p *resultPlan, size int) ([]*R, error) {
	vals := make([]R, 0, size)
	dest := make([]any, len(p.fields))
	var zero R
	for rows.Next() {
		vals = append(vals, zero)
		p.dest(dest, mem.Of(&vals[len(vals)-1]))
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", p.typ, err)
		}
	}
	out := make([]*R, len(vals))
	for i := range vals {
		out[i] = &vals[i]
	}
	return out, nil
}

// stream scans each row into a fresh R, cut from small slabs, and passes
// it to yield until yield returns false (errStop).
func stream[R any](rows pgx.Rows, p *resultPlan, yield func(*R) bool) error {
	dest := make([]any, len(p.fields))
	var slab []R
	for rows.Next() {
		if len(slab) == 0 {
			slab = make([]R, 64)
		}
		r := &slab[0]
		slab = slab[1:]
		p.dest(dest, mem.Of(r))
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan %s: %w", p.typ, err)
		}
		if !yield(r) {
			return errStop
		}
	}
	return nil
}
