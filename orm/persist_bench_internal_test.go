package orm

import (
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

type benchRow struct {
	ID        int64 `orm:"pk"`
	Name      string
	Email     string
	Age       int32
	Score     float64
	Active    bool
	Note      *string
	Code      string
	CreatedAt time.Time
	Counter   int64
}

func BenchmarkPersistParts(b *testing.B) {
	reg, _ := NewRegistry(&benchRow{})
	db := &DB{reg: reg}
	m := reg.models[0]
	note := "n"
	b.Run("objects only", func(b *testing.B) {
		for b.Loop() {
			s := db.Session()
			for i := range 10000 {
				r := mem.As[benchRow](s.objChunk(m).next())
				r.ID, r.Name, r.Note = int64(i+1), "name", &note
			}
		}
	})
	b.Run("plus states", func(b *testing.B) {
		for b.Loop() {
			s := db.Session()
			for i := range 10000 {
				obj := s.objChunk(m).next()
				r := mem.As[benchRow](obj)
				r.ID, r.Name, r.Note = int64(i+1), "name", &note
				st := s.newState(m, obj)
				s.loaded = append(s.loaded, st)
			}
		}
	})
	b.Run("plus snapshots", func(b *testing.B) {
		for b.Loop() {
			s := db.Session()
			for i := range 10000 {
				obj := s.objChunk(m).next()
				r := mem.As[benchRow](obj)
				r.ID, r.Name, r.Note = int64(i+1), "name", &note
				st := s.newState(m, obj)
				s.snapshotWith(st, typedCopy[benchRow])
				s.loaded = append(s.loaded, st)
			}
		}
	})
}

// BenchmarkPersistRows measures the session's per-row bookkeeping of a
// query result (no I/O): slab, key, state, snapshot, identity map.
func BenchmarkPersistRows(b *testing.B) {
	reg, err := NewRegistry(&benchRow{})
	if err != nil {
		b.Fatal(err)
	}
	db := &DB{reg: reg}
	m := reg.models[0]
	note := "n"
	b.ReportAllocs()
	for b.Loop() {
		s := db.Session()
		sc := newScanner(s, m, keepChanges)
		sc.copy = typedCopy[benchRow]
		for i := range 10000 {
			obj := s.objChunk(m).next()
			r := mem.As[benchRow](obj)
			r.ID, r.Name, r.Note = int64(i+1), "name", &note
			k, _ := m.keyOf(obj)
			if s.idmap.get(k) == nil {
				s.addLoaded(m, obj, k, sc.copy)
			}
		}
		sc.done()
		_ = mem.Ptr{}
	}
}
