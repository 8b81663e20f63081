package orm

import (
	"reflect"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/schema"
)

// selfEdges orders the rows of self-referencing tables by their foreign
// key values: a row is inserted after the row it references when both are
// in the flush, and a referenced row is deleted after the rows that
// reference it (or referenced it before an update moved them away). Keys
// generated in the same flush are invisible here; the relationship rules
// add those edges from the object graph.
func (f *flush) selfEdges() {
	byModel := map[*model][]*action{}
	for _, a := range f.actions {
		if a.m != nil && len(a.m.selfFKs) > 0 && a.st != nil {
			byModel[a.m] = append(byModel[a.m], a)
		}
	}
	for m, acts := range byModel {
		for _, fk := range m.selfFKs {
			cols, ok := refCols(m, fk)
			if !ok {
				continue
			}
			f.selfSaveEdges(m, cols, acts)
			f.selfDeleteEdges(m, cols, acts)
		}
	}
}

// refCols returns the foreign key's columns when it references the
// primary key, in key order.
func refCols(m *model, fk *schema.ForeignKey) ([]*column, bool) {
	pk := make([]string, len(m.pk))
	for i, c := range m.pk {
		pk[i] = c.Name
	}
	if !slices.Equal(pk, fk.RefColumns) {
		return nil, false
	}
	cols := make([]*column, len(fk.Columns))
	for i, n := range fk.Columns {
		if cols[i] = m.column(n); cols[i] == nil {
			return nil, false
		}
	}
	return cols, true
}

func (f *flush) selfSaveEdges(m *model, cols []*column, acts []*action) {
	inserts := map[idKey]*action{}
	for _, a := range acts {
		if k, ok := m.keyOf(a.st.obj); ok && a.kind == actInsert {
			inserts[k] = a
		}
	}
	if len(inserts) == 0 {
		return
	}
	for _, a := range acts {
		if a.kind != actInsert && a.kind != actUpdate {
			continue
		}
		if k, ok := fkKey(m, cols, a.st.obj); ok {
			f.dependsOn(a, inserts[k], orderOnly)
		}
	}
}

func (f *flush) selfDeleteEdges(m *model, cols []*column, acts []*action) {
	deletes := map[idKey]*action{}
	for _, a := range acts {
		if a.kind == actDelete {
			deletes[a.st.id()] = a
		}
	}
	if len(deletes) == 0 {
		return
	}
	for _, a := range acts {
		if (a.kind != actDelete && a.kind != actUpdate) || a.st.snap.IsNil() {
			continue
		}
		if k, ok := fkKey(m, cols, a.st.snap); ok {
			if parent := deletes[k]; parent != nil {
				f.dependsOn(parent, a, orderOnly)
			}
		}
	}
}

// fkKey returns the identity key a row's foreign key points to, or false
// when the foreign key is NULL or zero.
func fkKey(m *model, cols []*column, obj mem.Ptr) (idKey, bool) {
	vals := make([]any, len(cols))
	for i, c := range cols {
		v := mem.NewAt(c.goType, c.path.read(obj)).Elem()
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return idKey{}, false
			}
			v = v.Elem()
		}
		if v.IsZero() {
			return idKey{}, false
		}
		vals[i] = v.Interface()
	}
	k, err := m.keyFromValues(vals)
	return k, err == nil
}
