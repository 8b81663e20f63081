package orm

import (
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

type dirtyName string

// dirtyRow has a column of every compare kind (dirty.go).
type dirtyRow struct {
	ID    int64 `orm:"pk"`
	Half  int32
	Short int16
	Flag  bool
	Tiny  uint8
	Score float64
	Key   [16]byte
	Name  string
	Named dirtyName
	At    time.Time
	Note  *string
	Count *int64
	Tags  []string
}

// TestChangedEachKind changes one column at a time of a snapshotted
// object and expects changed to name exactly that column, and dirty to
// see it; a time in another zone at the same instant is no change.
func TestChangedEachKind(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	note := "n"
	base := func() *dirtyRow {
		return &dirtyRow{ID: 1, Half: 2, Short: 3, Flag: true, Tiny: 4, Score: 5, Key: [16]byte{6},
			Name: "a", Named: "b", At: at, Note: &note, Tags: []string{"x"}}
	}
	m := MustRegistry(&dirtyRow{}).modelOf(&dirtyRow{})
	for _, tc := range []struct {
		column string // "" for no change
		change func(r *dirtyRow)
	}{
		{"", func(r *dirtyRow) { r.At = at.In(time.FixedZone("x", 3600)) }},
		{"id", func(r *dirtyRow) { r.ID++ }},
		{"half", func(r *dirtyRow) { r.Half++ }},
		{"short", func(r *dirtyRow) { r.Short++ }},
		{"flag", func(r *dirtyRow) { r.Flag = false }},
		{"tiny", func(r *dirtyRow) { r.Tiny++ }},
		{"score", func(r *dirtyRow) { r.Score = 5.5 }},
		{"key", func(r *dirtyRow) { r.Key[15] = 1 }},
		{"name", func(r *dirtyRow) { r.Name = "c" }},
		{"named", func(r *dirtyRow) { r.Named = "c" }},
		{"at", func(r *dirtyRow) { r.At = at.Add(time.Nanosecond) }},
		{"note", func(r *dirtyRow) { *r.Note = "changed in place" }},
		{"note", func(r *dirtyRow) { r.Note = nil }},
		{"", func(r *dirtyRow) { r.Note = new(string); *r.Note = note }}, // another pointer to the same value
		{"count", func(r *dirtyRow) { r.Count = new(int64) }},            // nil to a pointer to zero
		{"tags", func(r *dirtyRow) { r.Tags[0] = "y" }},
	} {
		t.Run(tc.column, func(t *testing.T) {
			s := &Session{}
			r := base()
			r.Note = new(string)
			*r.Note = note
			r.Tags = []string{"x"}
			st := &state{obj: mem.Of(r), m: m}
			s.snapshot(st)
			tc.change(r)
			got := st.changed()
			var want colSet
			if tc.column != "" {
				want.add(m.column(tc.column).pos)
			}
			if got != want || st.dirty() != (tc.column != "") {
				t.Fatalf("changed %v dirty %v, want %v", got, st.dirty(), want)
			}
		})
	}
}

// TestPatchSnapshot: a final flush's snapshot is patched with the
// columns it wrote, after which nothing differs; a column the patch
// cannot copy in place (a pointer) leaves it to a full snapshot.
func TestPatchSnapshot(t *testing.T) {
	m := MustRegistry(&dirtyRow{}).modelOf(&dirtyRow{})
	note := "n"
	r := &dirtyRow{ID: 1, Half: 2, Name: "a", Note: &note, At: time.Now(), Key: [16]byte{1}}
	st := &state{obj: mem.Of(r), m: m}
	(&Session{}).snapshot(st)
	r.Half, r.Name, r.At, r.Key[3], r.Short, r.Flag, r.Tiny = 3, "b", r.At.Add(time.Second), 9, 1, true, 1
	set := st.changed()
	if !st.patchSnapshot(set.low()) {
		t.Fatal("patchSnapshot refused plain columns")
	}
	if set = st.changed(); !set.empty() {
		t.Fatalf("after the patch changed = %v", set)
	}
	r.Name, r.Note = "c", nil
	set = st.changed()
	if st.patchSnapshot(set.low()) {
		t.Fatal("patchSnapshot patched a pointer column")
	}
	if set = st.changed(); !set.has(m.column("name").pos) || !set.has(m.column("note").pos) {
		t.Fatalf("a refused patch changed the snapshot: changed = %v", set)
	}
}
