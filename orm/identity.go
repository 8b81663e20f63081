package orm

import (
	"fmt"
	"reflect"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// The identity map: one Go pointer per (table, primary key) per session.
// Keys are comparable values without boxing, read by the model's key
// codec (key.go): a lone integer key lives in n, any other key in s.
//
// The map holds its objects strongly, clean or not. SQLAlchemy holds clean
// objects weakly because its attribute events tell it the moment an object
// becomes dirty; Go cannot intercept a field write, so an object is known
// to be dirty only when a flush compares it with its snapshot — and an
// object the program changed and then dropped must still be flushed. A
// session is a unit of work, closed when the work is done; for large
// read-only results, Query.Iter streams without tracking.

// idKey identifies a row in the session's identity map: the model and
// the key its codec reads (key.go), an integer in n or any other key in s.
type idKey struct {
	m *model
	n int64
	s string
}

// keyOf returns the identity key of obj and false when the primary key is
// not set (a NULL or zero value in any key column).
func (m *model) keyOf(obj mem.Ptr) (idKey, bool) { return m.ident.key(obj) }

// rowKey returns the identity key of a row read from the database, whose
// key columns may hold zero values (id 0, a ” code) like any other.
func (m *model) rowKey(obj mem.Ptr) idKey {
	k, _ := m.ident.stored(obj)
	return k
}

// keyFromValues builds the identity key from primary key values given by a
// caller of Get: one value per key column, convertible to its field type.
func (m *model) keyFromValues(vals []any) (idKey, error) {
	if len(vals) != len(m.pk) {
		return idKey{}, fmt.Errorf("%s has %d primary key columns, got %d values: %w", m, len(m.pk), len(vals), ErrBadKey)
	}
	tmp := reflect.New(m.typ)
	for i, c := range m.pk {
		v := reflect.ValueOf(vals[i])
		if !v.IsValid() || !v.Type().ConvertibleTo(c.goType) || !convertible(v, c.goType) {
			return idKey{}, fmt.Errorf("%s key %s: %T is not a %s: %w", m, c.Name, vals[i], c.goType, ErrBadKey)
		}
		mem.NewAt(c.goType, c.path.addr(mem.Value(tmp))).Elem().Set(v.Convert(c.goType))
	}
	k, ok := m.ident.stored(mem.Value(tmp))
	if !ok {
		return idKey{}, fmt.Errorf("%s: NULL primary key: %w", m, ErrBadKey)
	}
	return k, nil
}

// convertible refuses the conversions Go allows but a key never means, such
// as an integer to a string.
func convertible(v reflect.Value, to reflect.Type) bool {
	from := v.Kind()
	if to.Kind() == reflect.String {
		return from == reflect.String
	}
	if isInt(to.Kind()) {
		return isInt(from)
	}
	return true
}

func isInt(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uint64
}

// identityMap maps identity keys to states, with one Go map per model and
// key kind, so that integer keys hash as plain int64s.
type identityMap struct {
	ints []map[int64]*state  // by model id, integer keys
	strs []map[string]*state // by model id, string and encoded keys
}

func (im *identityMap) get(k idKey) *state {
	if k.m == nil {
		return nil // a pending object's zero key
	}
	if k.m.ident.intKey {
		if k.m.id < len(im.ints) {
			return im.ints[k.m.id][k.n]
		}
		return nil
	}
	if k.m.id < len(im.strs) {
		return im.strs[k.m.id][k.s]
	}
	return nil
}

// put maps k to st.
func (im *identityMap) put(k idKey, st *state) {
	im.reserve(k.m, 1)
	if k.m.ident.intKey {
		im.ints[k.m.id][k.n] = st
		return
	}
	im.strs[k.m.id][k.s] = st
}

// del removes k when it maps to st.
func (im *identityMap) del(k idKey, st *state) {
	if im.get(k) != st || st == nil {
		return
	}
	if k.m.ident.intKey {
		delete(im.ints[k.m.id], k.n)
		return
	}
	delete(im.strs[k.m.id], k.s)
}

// reserve makes room for n more keys of model m, rebuilding the model's
// map once with room for all when that saves the growth steps of a large
// load.
func (im *identityMap) reserve(m *model, n int) {
	if m.ident.intKey {
		im.ints = reserveMap(im.ints, m.id, n)
	} else {
		im.strs = reserveMap(im.strs, m.id, n)
	}
}

func reserveMap[K comparable](maps []map[K]*state, id, n int) []map[K]*state {
	if len(maps) <= id {
		maps = append(maps, make([]map[K]*state, id+1-len(maps))...)
	}
	old := maps[id]
	switch {
	case old == nil:
		maps[id] = make(map[K]*state, max(n, 8))
	case n > 64 && n > len(old):
		grown := make(map[K]*state, len(old)+n)
		for k, v := range old {
			grown[k] = v
		}
		maps[id] = grown
	}
	return maps
}
