package orm

import (
	"reflect"
	"strconv"
	"strings"
	"unsafe"

	"github.com/crucible-orm/crucible/relation"
)

// Row-level order from relationships (SQLAlchemy's dependency.py): a child
// whose key comes from a parent inserted in the same flush waits for the
// parent's generated key; a replaced one-to-one child is deleted before its
// successor is written; association rows follow both sides' inserts and
// precede their deletes.

// relDependencies is the dependencies hook.
func relDependencies(f *flush) error {
	fr, _ := f.rel.(*flushRel)
	if fr == nil {
		return nil
	}
	for _, child := range fr.children {
		fr.linkActions(f, child)
	}
	for _, o := range fr.orphans {
		if !o.rm.r.UniqueForeignKey {
			continue
		}
		gone := f.actionOf(o.child)
		for _, t := range o.rm.targets(o.parent.obj) {
			if ts := f.s.stateOf(o.rm.target, t); ts != nil {
				f.dependsOn(f.actionOf(ts), gone, false)
			}
		}
	}
	return fr.associations(f)
}

// linkActions keeps the links of child that change its key, gives child
// an action for them and orders it after parents inserted in this flush.
func (fr *flushRel) linkActions(f *flush, child *state) {
	if child.deleting || (child.status != Pending && child.status != Persistent) {
		delete(fr.links, child)
		return
	}
	var keep *link
	for l := fr.links[child]; l != nil; {
		next := l.next
		var ps *state
		unsettled := false
		if l.parent != nil {
			ps = f.s.stateOf(l.rm.parentModel(), l.parent)
			_, known := readKey(l.rm.parent, l.parent)
			unsettled = ps != nil && ps.status == Pending && !known
		}
		if unsettled || l.differs() {
			l.next, keep = keep, l
			if fr.written == nil {
				fr.written = map[unsafe.Pointer]*link{}
			}
			fr.written[child.obj] = l
			ca := f.actionOf(child)
			if ca == nil {
				ca = f.ensureUpdate(child)
			}
			if ps != nil {
				if pa := f.actionOf(ps); pa != nil && pa.kind == actInsert {
					f.dependsOn(ca, pa, unsettled)
				}
			}
		}
		l = next
	}
	if keep == nil {
		delete(fr.links, child)
		return
	}
	fr.links[child] = keep
}

// parentModel is the model of the row the foreign key references.
func (rm *relMeta) parentModel() *model {
	if rm.r.Side == relation.FKOnOwner {
		return rm.target
	}
	return rm.owner
}

// associations adds the statements writing association rows: deletes of
// removed pairs and of deleted owners' rows, then inserts of added pairs.
func (fr *flushRel) associations(f *flush) error {
	dels := map[*relMeta]*action{}
	for rm, pairs := range fr.m2mDel {
		pairs := pairs
		a := f.statement(rm.r.Secondary, nil, func(f *flush) (string, []any, error) {
			return secStmt(f, rm, pairs, false)
		})
		dels[rm] = a
		for _, p := range pairs {
			fr.before(f, a, rm.owner, p.owner)
			fr.before(f, a, rm.target, p.target)
		}
	}
	for rm, owners := range fr.secOwner {
		sq := secSQLOf(f.s.db, rm)
		keys := make([]unsafe.Pointer, len(owners))
		for i, st := range owners {
			keys[i] = st.snap
		}
		a := f.statement(rm.r.Secondary, nil, func(*flush) (string, []any, error) {
			return "DELETE FROM " + sq.table + " WHERE " + sq.match(sq.local, sq.lcast, 1), keyArgs(rm.local, keys), nil
		})
		for _, st := range owners {
			f.dependsOn(f.actionOf(st), a, false)
		}
	}
	for rm, pairs := range fr.m2mAdd {
		pairs := pairs
		a := f.statement(rm.r.Secondary, nil, func(f *flush) (string, []any, error) {
			return secStmt(f, rm, pairs, true)
		})
		f.dependsOn(a, dels[rm], false)
		for _, p := range pairs {
			for _, side := range []struct {
				m *model
				p unsafe.Pointer
			}{{rm.owner, p.owner}, {rm.target, p.target}} {
				if st := f.s.stateOf(side.m, side.p); st != nil {
					if sa := f.actionOf(st); sa != nil && sa.kind == actInsert {
						f.dependsOn(a, sa, true)
					}
				}
			}
		}
	}
	return nil
}

// before makes the delete of the object at p (if any) wait for a.
func (fr *flushRel) before(f *flush, a *action, m *model, p unsafe.Pointer) {
	if st := f.s.stateOf(m, p); st != nil {
		if da := f.actionOf(st); da != nil && da.kind == actDelete {
			f.dependsOn(da, a, false)
		}
	}
}

// secStmt renders the INSERT (… ON CONFLICT DO NOTHING) or DELETE of
// association rows, one array parameter per column.
func secStmt(f *flush, rm *relMeta, pairs []pair, insert bool) (string, []any, error) {
	sq := secSQLOf(f.s.db, rm)
	owners := make([]unsafe.Pointer, len(pairs))
	targets := make([]unsafe.Pointer, len(pairs))
	for i, p := range pairs {
		owners[i], targets[i] = p.owner, p.target
	}
	args := append(keyArgs(rm.local, owners), keyArgs(rm.remote, targets)...)
	cols := append(append([]string{}, sq.local...), sq.remote...)
	casts := append(append([]string{}, sq.lcast...), sq.rcast...)
	if insert {
		return "INSERT INTO " + sq.table + " (" + strings.Join(cols, ", ") + ") SELECT * FROM " +
			unnestArgs(casts, 1) + " ON CONFLICT DO NOTHING", args, nil
	}
	return "DELETE FROM " + sq.table + " WHERE (" + strings.Join(cols, ", ") + ") IN (SELECT * FROM " +
		unnestArgs(casts, 1) + ")", args, nil
}

// keyArgs builds one typed array per column with the objects' values.
func keyArgs(cols []*column, objs []unsafe.Pointer) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		s := reflect.MakeSlice(reflect.SliceOf(c.goType), len(objs), len(objs))
		base, size := s.UnsafePointer(), c.goType.Size()
		for j, o := range objs {
			c.assign(unsafe.Add(base, uintptr(j)*size), c.path.read(o))
		}
		out[i] = s.Interface()
	}
	return out
}

// unnestArgs renders unnest($n::t1[], $n+1::t2[], …).
func unnestArgs(casts []string, n int) string {
	parts := make([]string, len(casts))
	for i, c := range casts {
		parts[i] = "$" + strconv.Itoa(n+i) + "::" + arrayOf(c) + "[]"
	}
	return "unnest(" + strings.Join(parts, ", ") + ")"
}

// secSQL is the quoted text of an association table.
type secSQL struct {
	table         string
	local, remote []string // quoted columns referencing the owner, the target
	lcast, rcast  []string
}

// match renders the condition "cols match the arrays from $n": = ANY for
// one column, IN (unnest) for several.
func (sq *secSQL) match(cols, casts []string, n int) string {
	qual := make([]string, len(cols))
	for i, c := range cols {
		qual[i] = sq.table + "." + c
	}
	if len(cols) == 1 {
		return qual[0] + " = ANY($" + strconv.Itoa(n) + ")"
	}
	return "(" + strings.Join(qual, ", ") + ") IN (SELECT * FROM " + unnestArgs(casts, n) + ")"
}

// secSQLOf quotes rm's association table for db, once (cached in db).
func secSQLOf(db *DB, rm *relMeta) *secSQL {
	k := rm.r
	if v, ok := db.secSQLs.Load(k); ok {
		return v.(*secSQL)
	}
	d, r := db.dialect, rm.r
	sq := &secSQL{}
	sq.table, _ = quoteTable(d, r.Secondary)
	for _, c := range r.SecondaryLocal {
		q, _ := d.QuoteIdent(c.Name)
		cast, _ := castType(d, c.Type)
		sq.local, sq.lcast = append(sq.local, q), append(sq.lcast, cast)
	}
	for _, c := range r.SecondaryRemote {
		q, _ := d.QuoteIdent(c.Name)
		cast, _ := castType(d, c.Type)
		sq.remote, sq.rcast = append(sq.remote, q), append(sq.rcast, cast)
	}
	v, _ := db.secSQLs.LoadOrStore(k, sq)
	return v.(*secSQL)
}
