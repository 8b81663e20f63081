package orm

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// snapOwner has columns of several copy kinds with a relationship field
// and an unmapped field between them and a collection after them, so
// that its snapshot record is its own (snap.go).
type snapOwner struct {
	ID     int64 `orm:"pk"`
	Small  int32
	Parent *snapParent `rel:"many_to_one,back_populates:Owners"`
	PID    int64       `orm:"fk:snap_parents.id"`
	cache  map[string]int
	Name   string
	Key    [16]byte
	At     time.Time
	Note   *string
	Tags   []string
	Kids   []*snapKid `rel:"one_to_many,back_populates:Owner"`
}

type snapParent struct {
	ID     int64 `orm:"pk"`
	Name   string
	Owners []*snapOwner `rel:"one_to_many,back_populates:Parent"`
}

type snapKid struct {
	ID      int64      `orm:"pk"`
	OwnerID int64      `orm:"fk:snap_owners.id"`
	Owner   *snapOwner `rel:"many_to_one,back_populates:Kids"`
}

// snapPlain maps every field: its record is the struct itself.
type snapPlain struct {
	ID   int64 `orm:"pk"`
	Name string
}

func snapModels(t *testing.T) (owner, plainModel *model) {
	t.Helper()
	reg := MustRegistry(&snapOwner{}, &snapParent{}, &snapKid{}, &snapPlain{})
	return reg.modelOf(&snapOwner{}), reg.modelOf(&snapPlain{})
}

// TestSnapRecordLayout: a model with fields other than columns gets a
// record holding its columns at their offsets in the struct, ending with
// the last column, with no pointer where the struct has a relationship or
// unmapped field; a model of columns only keeps the struct as its row.
func TestSnapRecordLayout(t *testing.T) {
	m, pm := snapModels(t)
	if m.snapWhole || !pm.snapWhole {
		t.Fatalf("snapWhole: owner %v, plain %v", m.snapWhole, pm.snapWhole)
	}
	if pm.snapType.Field(0).Type != pm.typ {
		t.Fatalf("plain record %s does not start with the row", pm.snapType)
	}
	byOffset := map[uintptr]reflect.StructField{}
	for i := range m.snapType.NumField() {
		f := m.snapType.Field(i)
		byOffset[f.Offset] = f
	}
	for _, c := range m.cols {
		f, ok := byOffset[c.path.offset]
		if !ok || f.Type != c.goType {
			t.Errorf("column %s at %d: record field %+v", c.Name, c.path.offset, f)
		}
	}
	for _, name := range []string{"Parent", "cache"} {
		sf, _ := m.typ.FieldByName(name)
		var at reflect.StructField
		for _, f := range byOffset {
			if f.Offset <= sf.Offset && sf.Offset < f.Offset+f.Type.Size() {
				at = f
			}
		}
		if at.Type == nil || at.Type.Kind() != reflect.Array || at.Type.Elem().Kind() != reflect.Uint8 ||
			at.Offset+at.Type.Size() < sf.Offset+sf.Type.Size() {
			t.Errorf("record at %s (offset %d): %+v, want byte filler covering it", name, sf.Offset, at)
		}
	}
	tags, _ := m.typ.FieldByName("Tags")
	kids, _ := m.typ.FieldByName("Kids")
	note, _ := m.typ.FieldByName("Note")
	// The row part ends with Tags; the Note pointee is inlined after it.
	if m.snapType.Size() >= kids.Offset+kids.Type.Size()+note.Type.Elem().Size() || m.snapType.Size() < tags.Offset+tags.Type.Size() {
		t.Errorf("record size %d, struct %d", m.snapType.Size(), m.typ.Size())
	}
}

// TestSnapRecordCopy snapshots an object through its own record, changes
// every column and the other fields, collects garbage, and expects each
// column to be seen as changed and revert to restore every column (values
// the snapshot alone still references included) and nothing else.
func TestSnapRecordCopy(t *testing.T) {
	m, _ := snapModels(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	parent, kid := &snapParent{ID: 9}, &snapKid{ID: 3}
	note := strings.Repeat("n", 40)
	o := &snapOwner{ID: 1, Small: 2, Parent: parent, PID: 9, Name: strings.Repeat("a", 40), Key: [16]byte{7},
		At: at, Note: &note, Tags: []string{strings.Repeat("t", 40)}, Kids: []*snapKid{kid}}
	want := *o
	wantTags, wantNote := o.Tags[0], *o.Note
	s := &Session{}
	st := &state{obj: mem.Of(o), m: m}
	s.snapshot(st)
	other := &snapParent{ID: 10}
	o.ID, o.Small, o.Parent, o.PID, o.Name, o.Key = 11, 12, other, 10, "b", [16]byte{8}
	o.At, o.Note, o.Tags, o.Kids, o.cache = at.Add(time.Hour), new(string), nil, nil, map[string]int{"x": 1}
	runtime.GC()
	if st.changed() != allColumns(m) {
		t.Fatalf("changed %v, want every column", st.changed())
	}
	st.revert()
	if o.ID != want.ID || o.Small != want.Small || o.PID != want.PID || o.Name != want.Name || o.Key != want.Key ||
		!o.At.Equal(want.At) || *o.Note != wantNote || len(o.Tags) != 1 || o.Tags[0] != wantTags {
		t.Fatalf("revert: %+v, want %+v", o, want)
	}
	if o.Parent != other || o.Kids != nil || o.cache == nil {
		t.Fatalf("revert touched fields that are not columns: %+v", o)
	}
	if st.dirty() {
		t.Fatalf("dirty after revert: %v", st.changed())
	}
}

func allColumns(m *model) colSet {
	var all colSet
	for _, c := range m.cols {
		all.add(c.pos)
	}
	return all
}
