package migrate

import (
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/schema"
)

// Objects inside a table (unique constraints, checks, indexes, foreign
// keys) are matched by definition, not by name: two with equal keys are
// the same object. Keys are comparable structs; a list of names in a key
// is a [names] value, which cannot collide whatever characters the names
// hold.

// names encodes a list of names injectively: each name quoted, one after
// the other.
type names string

func namesOf(list []string) names {
	var b strings.Builder
	for _, s := range list {
		b.WriteString(strconv.Quote(s))
	}
	return names(b.String())
}

// indexKey is an index's definition.
type indexKey struct {
	unique         bool
	method         string
	columns, exprs names
	opclasses      names
	where          string
}

func keyOfIndex(ix *schema.Index) indexKey {
	method := ix.Method
	if method == "" {
		method = "btree"
	}
	exprs := make([]string, len(ix.Exprs))
	for i, e := range ix.Exprs {
		exprs[i] = normalizeExpr(e)
	}
	k := indexKey{unique: ix.Unique, method: method, columns: namesOf(ix.Columns), exprs: namesOf(exprs),
		where: normalizeExpr(ix.Where)}
	for _, oc := range ix.OpClasses {
		if oc != "" {
			k.opclasses = namesOf(ix.OpClasses) // all defaults and none given are the same
			break
		}
	}
	return k
}

// fkKey is a foreign key's definition: a changed action is another key.
type fkKey struct {
	columns             names
	refSchema, refTable string
	refColumns          names
	onDelete, onUpdate  schema.Action
}

func keyOfFK(fk *schema.ForeignKey) fkKey {
	return fkKey{columns: namesOf(fk.Columns), refSchema: fk.RefSchema, refTable: fk.RefTable,
		refColumns: namesOf(fk.RefColumns), onDelete: fk.OnDelete, onUpdate: fk.OnUpdate}
}

func keyOfUnique(u *schema.Unique) names { return namesOf(u.Columns) }

func keyOfCheck(ck *schema.Check) string { return normalizeExpr(ck.Expr) }

// normalizeExpr folds white space and outer parentheses of an expression.
func normalizeExpr(s string) string {
	return postgres.TrimParens(strings.Join(strings.Fields(s), " "))
}

// diffByKey returns the items of live whose key want lacks and the items
// of want whose key live lacks, each in its own order.
func diffByKey[T any, K comparable](live, want []T, key func(T) K) (dropped, added []T) {
	lk := make(map[K]bool, len(live))
	for _, l := range live {
		lk[key(l)] = true
	}
	wk := make(map[K]bool, len(want))
	for _, w := range want {
		wk[key(w)] = true
	}
	for _, l := range live {
		if !wk[key(l)] {
			dropped = append(dropped, l)
		}
	}
	for _, w := range want {
		if !lk[key(w)] {
			added = append(added, w)
		}
	}
	return dropped, added
}

// renamedByKey pairs each wanted item with a live item of its key, in
// order, and returns the pairs (live, wanted) whose names differ.
func renamedByKey[T any, K comparable](live, want []T, key func(T) K, name func(T) string) [][2]T {
	byKey := make(map[K][]T, len(live))
	for _, l := range live {
		byKey[key(l)] = append(byKey[key(l)], l)
	}
	var pairs [][2]T
	for _, w := range want {
		same := byKey[key(w)]
		if len(same) == 0 {
			continue
		}
		byKey[key(w)] = same[1:]
		if name(same[0]) != name(w) {
			pairs = append(pairs, [2]T{same[0], w})
		}
	}
	return pairs
}

// tableObjects is how one kind of object of a table is compared: its
// key, its name for the scope, and the ops (with their phases) that drop a
// live one, add a wanted one and rename one.
type tableObjects[T any, K comparable] struct {
	kind      ObjectKind
	key       func(T) K
	name      func(T) string
	drop, add func(t *schema.Table, x T) Op
	rename    func(t *schema.Table, from, to string) Op
	dropPhase phase
	addPhase  phase
}

// compare drops the live objects the wanted table lacks and adds the
// wanted ones the live table lacks, those the scope lets through; with
// RenameConstraints, it renames those that differ by name only.
func (k tableObjects[T, K]) compare(c *comparer, l, w *schema.Table, live, want []T) {
	dropped, added := diffByKey(live, want, k.key)
	object := func(x T, where presence) bool {
		return c.filter.object(Object{Kind: k.kind, Schema: w.Schema, Table: w.Name, Name: k.name(x),
			InModels: where.inModels(), InDatabase: where.inDatabase()})
	}
	if c.filter.RenameConstraints {
		for _, p := range renamedByKey(live, want, k.key, k.name) {
			if object(p[0], inDatabaseOnly) && object(p[1], inModelsOnly) {
				c.add(phaseRename, k.rename(w, k.name(p[0]), k.name(p[1])))
			}
		}
	}
	for _, x := range dropped {
		if object(x, inDatabaseOnly) {
			c.add(k.dropPhase, k.drop(l, x))
		}
	}
	for _, x := range added {
		if object(x, inModelsOnly) {
			c.add(k.addPhase, k.add(w, x))
		}
	}
}

// The object kinds compared by key.
var (
	uniqueObjects = tableObjects[*schema.Unique, names]{kind: UniqueObject, key: keyOfUnique,
		name: func(u *schema.Unique) string { return u.Name },
		drop: func(t *schema.Table, u *schema.Unique) Op {
			return DropUnique{Schema: t.Schema, Table: t.Name, Unique: u}
		},
		add: func(t *schema.Table, u *schema.Unique) Op {
			return AddUnique{Schema: t.Schema, Table: t.Name, Unique: u}
		},
		rename:    renameConstraint,
		dropPhase: phaseDropConstraint, addPhase: phaseAddConstraint}
	checkObjects = tableObjects[*schema.Check, string]{kind: CheckObject, key: keyOfCheck,
		name: func(ck *schema.Check) string { return ck.Name },
		drop: func(t *schema.Table, ck *schema.Check) Op {
			return DropCheck{Schema: t.Schema, Table: t.Name, Check: ck}
		},
		add: func(t *schema.Table, ck *schema.Check) Op {
			return AddCheck{Schema: t.Schema, Table: t.Name, Check: ck}
		},
		rename:    renameConstraint,
		dropPhase: phaseDropConstraint, addPhase: phaseAddConstraint}
	indexObjects = tableObjects[*schema.Index, indexKey]{kind: IndexObject, key: keyOfIndex,
		name: func(ix *schema.Index) string { return ix.Name },
		drop: func(t *schema.Table, ix *schema.Index) Op {
			return DropIndex{Schema: t.Schema, Table: t.Name, Index: ix}
		},
		add: func(t *schema.Table, ix *schema.Index) Op {
			return CreateIndex{Schema: t.Schema, Table: t.Name, Index: ix}
		},
		rename: func(t *schema.Table, from, to string) Op {
			return RenameIndex{Schema: t.Schema, Table: t.Name, From: from, To: to}
		},
		dropPhase: phaseDropIndex, addPhase: phaseCreateIndex}
	fkObjects = tableObjects[*schema.ForeignKey, fkKey]{kind: ForeignKeyObject, key: keyOfFK,
		name: func(fk *schema.ForeignKey) string { return fk.Name },
		drop: func(t *schema.Table, fk *schema.ForeignKey) Op {
			return DropForeignKey{Schema: t.Schema, Table: t.Name, ForeignKey: fk}
		},
		add: func(t *schema.Table, fk *schema.ForeignKey) Op {
			return AddForeignKey{Schema: t.Schema, Table: t.Name, ForeignKey: fk}
		},
		rename:    renameConstraint,
		dropPhase: phaseDropFK, addPhase: phaseAddFK}
)

// renameConstraint is the op renaming a constraint of t.
func renameConstraint(t *schema.Table, from, to string) Op {
	return RenameConstraint{Schema: t.Schema, Table: t.Name, From: from, To: to}
}
