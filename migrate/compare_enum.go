package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// enums creates the wanted enum types the database lacks and brings the
// values of the others in line: new values are added in place when the
// old ones keep their order, otherwise the type is recreated.
func (c *comparer) enums() {
	for _, w := range c.want.Enums() {
		l := c.live.EnumIn(w.Schema, w.Name)
		where := inBoth
		if l == nil {
			where = inModelsOnly
		}
		switch {
		case !c.filter.object(typeObject(w, where)):
		case l == nil:
			c.add(phaseCreateEnum, CreateEnum{Schema: w.Schema, Name: w.Name, Values: cloneStrings(w.Values)})
		case slices.Equal(l.Values, w.Values):
		case isSubsequence(l.Values, w.Values):
			c.addEnumValues(l, w)
		default:
			c.recreateEnum(l, w)
		}
	}
}

// typeObject describes an enum type for the scope.
func typeObject(e *schema.Enum, where presence) Object {
	return Object{Kind: TypeObject, Schema: e.Schema, Name: e.Name, InModels: where.inModels(), InDatabase: where.inDatabase()}
}

// dropUnusedEnums drops the live enum types in scope that the models no
// longer declare and a revision created (or all of them, with
// DropUnmanaged), after everything that used them. The others are
// reported as unmanaged, unless a table kept in the database uses them.
func (c *comparer) dropUnusedEnums() {
	for _, l := range c.live.Enums() {
		o := typeObject(l, inDatabaseOnly)
		if c.want.EnumIn(l.Schema, l.Name) != nil || !c.filter.object(o) {
			continue
		}
		if c.usedByModels(l) {
			continue // a type the models' columns name (type:NAME) without declaring it: theirs to keep
		}
		created := c.owned.types[objectName{l.Schema, l.Name}]
		if !created && c.usedByKeptTable(l) {
			continue // the type of an unmanaged table's column: reported with the table
		}
		if c.gone(o, created) {
			c.add(phaseDropEnum, DropEnum{Schema: l.Schema, Name: l.Name, Values: cloneStrings(l.Values)})
		}
	}
}

// usedByKeptTable reports whether a live table the diff does not drop
// has a column typed by e, and does not lose it.
func (c *comparer) usedByKeptTable(e *schema.Enum) bool {
	dropped := map[objectName]bool{}
	for _, op := range c.phases[phaseDropTable] {
		dropped[nameOf(op.(DropTable).Table)] = true
	}
	for _, t := range c.live.Tables() {
		if dropped[nameOf(t)] || c.want.TableIn(t.Schema, t.Name) != nil {
			continue
		}
		if usesEnum(t, e, c.filter.current) {
			return true
		}
	}
	return false
}

// usedByModels reports whether a table of the models has a column typed
// by e.
func (c *comparer) usedByModels(e *schema.Enum) bool {
	return slices.ContainsFunc(c.want.Tables(), func(t *schema.Table) bool { return usesEnum(t, e, c.filter.current) })
}

// usesEnum reports whether t has a column typed by e (or an array of it),
// an enum of the search path's schema current also when qualified with it.
func usesEnum(t *schema.Table, e *schema.Enum, current string) bool {
	return slices.ContainsFunc(t.Columns, func(col *schema.Column) bool {
		ref, _ := enumOf(localType(col.Type, current))
		return ref == (schema.EnumRef{Schema: e.Schema, Name: e.Name})
	})
}

// addEnumValues adds each new value after its predecessor in the wanted
// order (before the first old value when it comes first). Each op records
// how to undo it: recreating the type without the value, converting every
// column that uses the type.
func (c *comparer) addEnumValues(l, w *schema.Enum) {
	cur := cloneStrings(l.Values)
	cols := c.enumColumns(l, false)
	for i, v := range w.Values {
		if slices.Contains(cur, v) {
			continue
		}
		op := AddEnumValue{Schema: w.Schema, Enum: w.Name, Value: v}
		if i > 0 {
			op.After = w.Values[i-1]
		} else {
			op.Before = l.Values[0]
		}
		next := slices.Clone(cur)
		at := slices.Index(next, op.After) + 1
		if op.Before != "" {
			at = slices.Index(next, op.Before)
		}
		next = slices.Insert(next, at, v)
		op.undo = &RecreateEnum{Schema: w.Schema, Name: w.Name, From: next, To: cur, Columns: cols}
		c.add(phaseAddEnumValue, op)
		cur = next
	}
}

// recreateEnum replaces a type whose values were removed or reordered, and
// hints at RenameEnumValue when values were both removed and added.
func (c *comparer) recreateEnum(l, w *schema.Enum) {
	c.add(phaseRecreateEnum, RecreateEnum{Schema: w.Schema, Name: w.Name, From: cloneStrings(l.Values),
		To: cloneStrings(w.Values), Columns: c.enumColumns(l, true)})
	gone, fresh := diffByKey(l.Values, w.Values, func(s string) string { return s })
	if len(gone) == 1 && len(fresh) == 1 {
		c.hint(fmt.Sprintf("possible rename: enum %s loses value %s and gains %s. "+
			"If it is a rename, replace the RecreateEnum (and its inverse in Downgrade) with", w.QualifiedName(), gone[0], fresh[0]),
			opCode(RenameEnumValue{Schema: w.Schema, Enum: w.Name, From: gone[0], To: fresh[0]}))
	} else if len(gone) > 0 && len(fresh) > 0 {
		c.hint(fmt.Sprintf("enum %s loses %s and gains %s: renamed values keep their rows with RenameEnumValue",
			w.QualifiedName(), strings.Join(gone, ", "), strings.Join(fresh, ", ")), "")
	}
}

// enumColumns lists the live columns typed by the enum (or an array of
// it), with their defaults. With kept, only columns the models keep are
// listed (the others are dropped before the type is recreated), and a
// kept column's new default is set by the conversion itself, since the
// old one may name a value the new type lacks: the AlterColumn leaves it
// alone (see foldedDefaults).
func (c *comparer) enumColumns(e *schema.Enum, kept bool) []EnumColumn {
	var out []EnumColumn
	ref := schema.EnumRef{Schema: e.Schema, Name: e.Name}
	for _, t := range c.live.Tables() {
		wt := c.want.TableIn(t.Schema, t.Name)
		for _, col := range t.Columns {
			elem, array := enumOf(col.Type)
			if elem != ref {
				continue
			}
			var wc *schema.Column
			if wt != nil {
				wc = wt.Column(col.Name)
			}
			if kept && wc == nil {
				continue
			}
			ec := EnumColumn{Schema: t.Schema, Table: t.Name, Column: col.Name, Array: array}
			def := &Change[string]{From: col.ServerDefault, To: col.ServerDefault}
			if wanted, _ := enumOf(typeOf(wc)); kept && wanted == ref && !sameDefault(col, wc) {
				def.To = wc.ServerDefault
				c.foldedDefaults[columnName{nameOf(t), col.Name}] = true
			}
			if def.From != "" || def.To != "" {
				ec.Default = def
			}
			out = append(out, ec)
		}
	}
	return out
}

// typeOf returns c's type, nil for nil.
func typeOf(c *schema.Column) schema.Type {
	if c == nil {
		return nil
	}
	return c.Type
}

// enumOf returns the enum of an enum or enum-array type, the zero EnumRef
// for other types.
func enumOf(t schema.Type) (ref schema.EnumRef, array bool) {
	switch t := t.(type) {
	case schema.EnumRef:
		return t, false
	case schema.Array:
		if e, ok := t.Elem.(schema.EnumRef); ok {
			return e, true
		}
	}
	return schema.EnumRef{}, false
}

// isSubsequence reports whether sub appears in seq in the same order.
func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}
