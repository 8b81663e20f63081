package orm

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// The snapshot record of a model is what the session keeps of each loaded
// object: its column values as the database holds them. Every reader of a
// snapshot (dirty checking, keys, the undo journal, the arguments of
// UPDATE and DELETE) reaches a column at the column's own offset in the
// model struct, so the record lays the columns out at those same offsets.
// It keeps nothing else of the struct: a model whose struct also holds
// relationship fields or unmapped fields has a record of its own, the
// columns with pointer-free filler between them, ending with the last
// column, so that the session neither copies those fields nor keeps
// (and has the garbage collector scan) a second reference to every
// loaded target and collection. After the row part come the pointees of
// inlined pointer columns (see inlinePtr).

// snapStep copies one part of a row into its snapshot record: a run of
// adjacent pointer-free columns as plain bytes, or one other column
// through its typed copy.
type snapStep struct {
	off, size uintptr
	assign    func(dst, src mem.Ptr) // nil for plain bytes
}

// copyRow copies the row's columns at src into the snapshot record (or
// row) at dst.
func (m *model) copyRow(dst, src mem.Ptr) {
	if m.indirect {
		for _, c := range m.cols {
			c.copyTo(dst, src)
		}
		return
	}
	for i := range m.snapSteps {
		s := &m.snapSteps[i]
		d, from := dst.Add(s.off), src.Add(s.off)
		switch {
		case s.assign != nil:
			s.assign(d, from)
		case s.size == 8 && s.off%8 == 0:
			mem.Copy[uint64](d, from)
		default:
			copy(mem.Bytes(d, s.size), mem.Bytes(from, s.size))
		}
	}
}

// snapRecord builds the snapshot record type (see above) and the steps
// that copy a row into it.
func (m *model) snapRecord() {
	var fields []reflect.StructField
	var rowCols []*column // the columns in the record's row part, when it is not the whole struct
	var at []int          // their fields
	if m.indirect || !m.foreignFields() {
		m.snapWhole = true
		fields = []reflect.StructField{{Name: "Row", Type: m.typ}}
	} else {
		rowCols = byOffset(m.cols)
		end := uintptr(0)
		for i, c := range rowCols {
			if c.path.offset > end {
				gap := c.path.offset - end
				fields = append(fields, reflect.StructField{Name: fmt.Sprintf("Gap%d", i), Type: reflect.ArrayOf(int(gap), byteType)})
			}
			at = append(at, len(fields))
			fields = append(fields, reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: c.goType})
			end = c.path.offset + c.goType.Size()
		}
	}
	row := len(fields) // the row part's fields come first
	var cols []*column
	keep := m.deep[:0]
	for _, c := range m.deep {
		if m.indirect || c.goType.Kind() != reflect.Pointer || !immutable(c.goType.Elem()) {
			keep = append(keep, c)
			continue
		}
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("P%d", len(cols)), Type: c.goType.Elem()})
		cols = append(cols, c)
	}
	m.deep = keep
	m.snapType = reflect.StructOf(fields)
	for i, c := range cols {
		f := m.snapType.Field(row + i)
		m.inline = append(m.inline, inlinePtr{col: c, off: f.Offset, assign: assignFor(f.Type)})
	}
	for i := range rowCols {
		if f := m.snapType.Field(at[i]); f.Offset != rowCols[i].path.offset {
			// Cannot happen: the struct itself places the columns there.
			panic(fmt.Sprintf("orm: snapshot record of %s places column %s at %d, not %d", m, rowCols[i].Name, f.Offset, rowCols[i].path.offset))
		}
	}
	m.snapSteps = copySteps(m.cols)
}

var byteType = reflect.TypeFor[byte]()

// foreignFields reports whether the model struct holds data outside its
// columns: a field (other than padding) that no column covers.
func (m *model) foreignFields() bool {
	return foreignIn(m.typ, 0, m.cols)
}

// foreignIn reports whether the struct of type t at offset base holds a
// field that no column of cols covers, looking inside the fields that
// columns cover only in part (embedded structs).
func foreignIn(t reflect.Type, base uintptr, cols []*column) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		lo, hi := base+f.Offset, base+f.Offset+f.Type.Size()
		if lo == hi {
			continue
		}
		covered, overlaps := false, false
		for _, c := range cols {
			clo, chi := c.path.offset, c.path.offset+c.goType.Size()
			covered = covered || clo <= lo && hi <= chi
			overlaps = overlaps || clo < hi && lo < chi
		}
		switch {
		case covered:
		case overlaps && f.Type.Kind() == reflect.Struct:
			if foreignIn(f.Type, lo, cols) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// copySteps returns the steps that copy the columns (all reached by
// offset) of a row: adjacent pointer-free columns merge into one run.
func copySteps(cols []*column) []snapStep {
	var steps []snapStep
	for _, c := range byOffset(cols) {
		off, size := c.path.offset, c.goType.Size()
		if !plain(c.goType) {
			steps = append(steps, snapStep{off: off, size: size, assign: c.assign})
			continue
		}
		if n := len(steps); n > 0 && steps[n-1].assign == nil && steps[n-1].off+steps[n-1].size == off {
			steps[n-1].size += size
			continue
		}
		steps = append(steps, snapStep{off: off, size: size})
	}
	return steps
}

// byOffset returns the columns (all reached by offset) in the order of
// their fields in the struct.
func byOffset(cols []*column) []*column {
	return slices.SortedFunc(slices.Values(cols), func(a, b *column) int {
		return cmp.Compare(a.path.offset, b.path.offset)
	})
}
