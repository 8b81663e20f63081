package orm

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// Upserts: INSERT … ON CONFLICT (key) DO NOTHING / DO UPDATE SET …,
// for pending objects in a flush (an option of Session.Add, or the model's
// own Upserter default) and as the statement-level Insert. The returned
// rows are matched to objects by the values of the conflict key, which
// every object sends: never by position, so a row DO NOTHING skipped can
// never hand its neighbour's key to the wrong object.

// ErrConflictTarget is matched by the error of an upsert whose ON
// CONFLICT clause cannot work: its target is not the primary key, a unique
// constraint or a unique index of the model (with exactly those columns),
// it chooses neither DoNothing nor DoUpdate, it would update the primary
// key, or an object leaves a conflict key column unset; and of a flush in
// which DO NOTHING skipped an object whose key other objects need (its
// children, association rows). Nothing is written.
var ErrConflictTarget = errors.New("bad ON CONFLICT clause")

// ErrDuplicateObject is matched by the error of an upsert that would make
// two objects stand for one row: two objects of one statement with the
// same conflict key, an object the session already holds given to Insert,
// or a pending upsert whose conflict key is that of an object the session
// holds (change the held object instead) or of another new object of the
// flush. Nothing is written.
var ErrDuplicateObject = errors.New("two objects for one row")

// Conflict says what inserting an object does when its row conflicts with
// an existing one on a unique key: ON CONFLICT (target) DO NOTHING, or DO
// UPDATE SET …. Build it with [OnConflict] or [OnConstraint], then
// DoNothing or DoUpdate (and Set, Where); give it to [Session.Add] with the
// objects it applies to, return it from a model's [Upserter] method, or
// use the same methods on an [InsertQuery]. Field names are checked
// against the model when the conflict is used.
type Conflict struct {
	fields     []string
	constraint string
	nothing    bool
	updating   bool
	update     []string // DoUpdate fields; none: every column sent
	sets       []conflictSet
	where      filter
}

type conflictSet struct {
	field string
	value any
}

// OnConflict starts a conflict clause whose target is the given fields (Go
// field or column names): they must be the columns of the primary key, of
// a unique constraint or of a unique index.
func OnConflict(fields ...string) *Conflict { return &Conflict{fields: fields} }

// OnConstraint starts a conflict clause whose target is the named primary
// key, unique constraint or unique index of the model.
func OnConstraint(name string) *Conflict { return &Conflict{constraint: name} }

// DoNothing leaves a conflicting row as it is. Its object is skipped: it
// is not inserted, does not stand for the existing row and gets no key.
func (c *Conflict) DoNothing() *Conflict { c.nothing = true; return c }

// DoUpdate updates the conflicting row with the object's values of the
// given fields (SET col = EXCLUDED.col); without fields, every column the
// INSERT sends except the conflict target's. A version column counts up,
// onupdate columns take their expression. The object then stands for the
// row: its key and the columns not updated are read back from it.
func (c *Conflict) DoUpdate(fields ...string) *Conflict {
	c.updating = true
	c.update = append(c.update, fields...)
	return c
}

// Set adds an assignment to DO UPDATE: value is bound, except [Default]
// and an [SQL] expression, which may read the row's current values by the
// table's name and the proposed ones as EXCLUDED:
// Set("Hits", orm.SQL("counters.hits + EXCLUDED.hits")). Set alone
// updates only what it sets.
func (c *Conflict) Set(field string, value any) *Conflict {
	c.updating = true
	c.sets = append(c.sets, conflictSet{field, value})
	return c
}

// Where makes DO UPDATE conditional (DO UPDATE … WHERE cond, with ?
// placeholders): a conflicting row it does not match is left as it is and
// its object skipped, as with DoNothing.
func (c *Conflict) Where(cond SQL, args ...any) *Conflict {
	c.where.add(cond, args)
	return c
}

// Upserter is implemented by models whose new objects are always
// upserted: the session inserts every pending object of the model with
// the returned conflict clause, unless Session.Add was given another. It
// is called once, when the model is registered; a clause that does not
// fit the model fails the registration.
type Upserter interface {
	// OnConflict returns the clause the model's new objects are inserted
	// with.
	OnConflict() *Conflict
}

var upserterType = reflect.TypeFor[Upserter]()

// upserter checks the model's Upserter clause, at registration.
func (m *model) upserter() (err error) {
	if !reflect.PointerTo(m.typ).Implements(upserterType) {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = &schema.ModelError{Type: m.typ, Err: fmt.Errorf("OnConflict panicked: %v", r)}
		}
	}()
	u := reflect.New(m.typ).Interface().(Upserter)
	if m.upsert, err = m.conflictPlan(u.OnConflict()); err != nil {
		return &schema.ModelError{Type: m.typ, Err: fmt.Errorf("OnConflict: %w", err)}
	}
	return nil
}

// conflictPlan is a Conflict checked against a model.
type conflictPlan struct {
	desc     string // equal for equal clauses, so their rows share a statement
	key      []*column
	keyWhere string   // the predicate of a partial unique index target
	codec    keyCodec // reads the conflict key (key.go)
	keySet   colSet
	nothing  bool
	all      bool   // DoUpdate(): every sent column but the key's
	update   colSet // DoUpdate(fields…)
	sets     []setClause
	where    filter
}

// conflictPlan checks c against the model.
func (m *model) conflictPlan(c *Conflict) (*conflictPlan, error) {
	if c == nil {
		return nil, fmt.Errorf("nil conflict: %w", ErrConflictTarget)
	}
	cp := &conflictPlan{nothing: c.nothing, where: c.where}
	var err error
	if cp.key, cp.keyWhere, err = m.conflictKey(c); err != nil {
		return nil, err
	}
	for _, k := range cp.key {
		cp.keySet.add(k.pos)
	}
	cp.codec = newKeyCodec(m, cp.key)
	switch {
	case c.nothing && c.updating:
		return nil, fmt.Errorf("DoNothing and DoUpdate both: %w", ErrConflictTarget)
	case !c.nothing && !c.updating:
		return nil, fmt.Errorf("choose DoNothing or DoUpdate: %w", ErrConflictTarget)
	case c.nothing && len(c.where.conds) > 0:
		return nil, fmt.Errorf("Where applies to DoUpdate: %w", ErrConflictTarget)
	}
	cp.all = c.updating && len(c.update) == 0 && len(c.sets) == 0
	cp.desc = fmt.Sprintf("%s|%s|%s|%t|%q", m.table.Name, colNames(cp.key), cp.keyWhere, c.nothing, c.update)
	if len(c.sets) > 0 || len(c.where.conds) > 0 {
		cp.desc += fmt.Sprintf("|%p", c) // bound values: only the same clause shares
	}
	if err := cp.assignments(m, c); err != nil {
		return nil, err
	}
	return cp, nil
}

// assignments checks the fields DO UPDATE sets.
func (cp *conflictPlan) assignments(m *model, c *Conflict) error {
	for _, f := range c.update {
		col, err := m.updatable(f)
		if err != nil {
			return err
		}
		cp.update.add(col.pos)
	}
	for _, s := range c.sets {
		col, err := m.updatable(s.field)
		if err != nil {
			return err
		}
		cp.sets = append(cp.sets, setClause{col, s.value})
	}
	return nil
}

// updatable finds a column DO UPDATE may set: not one of the primary key.
func (m *model) updatable(field string) (*column, error) {
	c := m.lookup(field)
	switch {
	case c == nil:
		return nil, fmt.Errorf("do update %q: %w", field, ErrUnknownColumn)
	case c.pk:
		return nil, fmt.Errorf("do update %s: the primary key cannot change: %w", c.Name, ErrConflictTarget)
	}
	return c, nil
}

// conflictKey resolves the target to a unique key of the table: its
// columns, in the key's order, and the predicate of a partial unique
// index (a key without one is preferred).
func (m *model) conflictKey(c *Conflict) ([]*column, string, error) {
	t := m.table
	var key *uniqueKey
	if c.constraint != "" {
		key = findUniqueKey(m, func(k uniqueKey) bool { return k.name == c.constraint })
		if key == nil {
			return nil, "", fmt.Errorf("%s has no primary key, unique constraint or unique index %q: %w", t.Name, c.constraint, ErrConflictTarget)
		}
	} else {
		var names []string
		for _, f := range c.fields {
			col := m.lookup(f)
			if col == nil {
				return nil, "", fmt.Errorf("on conflict %q: %w", f, ErrUnknownColumn)
			}
			names = append(names, col.Name)
		}
		key = findUniqueKey(m, func(k uniqueKey) bool { return sameColumns(k.cols, names) })
		if len(names) == 0 || key == nil {
			return nil, "", fmt.Errorf("on conflict (%s): no primary key, unique constraint or unique index of %s has exactly these columns: %w",
				strings.Join(names, ", "), t.Name, ErrConflictTarget)
		}
	}
	out := make([]*column, len(key.cols))
	for i, n := range key.cols {
		out[i] = m.column(n)
	}
	return out, key.where, nil
}

// uniqueKey is a primary key, unique constraint or unique index (of
// columns, not expressions), with a partial index's predicate.
type uniqueKey struct {
	name  string
	cols  []string
	where string
}

// findUniqueKey returns the first of the table's unique keys that match
// accepts, those without a predicate first.
func findUniqueKey(m *model, match func(uniqueKey) bool) *uniqueKey {
	t := m.table
	keys := []uniqueKey{{t.PrimaryKey.Name, t.PrimaryKey.Columns, ""}}
	for _, u := range t.Uniques {
		keys = append(keys, uniqueKey{u.Name, u.Columns, ""})
	}
	var partial []uniqueKey
	for _, ix := range t.Indexes {
		switch {
		case !ix.Unique || len(ix.Exprs) > 0:
		case ix.Where == "":
			keys = append(keys, uniqueKey{ix.Name, ix.Columns, ""})
		default:
			partial = append(partial, uniqueKey{ix.Name, ix.Columns, ix.Where})
		}
	}
	for _, k := range append(keys, partial...) {
		if match(k) {
			return &k
		}
	}
	return nil
}

func sameColumns(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(b, func(n string) bool { return !slices.Contains(a, n) })
}

// updated returns the columns DO UPDATE sets from EXCLUDED for rows
// sending set.
func (cp *conflictPlan) updated(m *model, set colSet) colSet {
	if !cp.all {
		return cp.update
	}
	var out colSet
	for _, c := range m.cols {
		if set.has(c.pos) && !cp.keySet.has(c.pos) && !c.pk && c != m.version {
			out.add(c.pos)
		}
	}
	return out
}

// returning lists what an upsert sending set reads back: the key and the
// conflict target; the columns not sent; and after DO UPDATE, every
// column whose value may not be the object's (not updated from EXCLUDED,
// set by an expression, version and onupdate columns).
func (cp *conflictPlan) returning(m *model, set colSet) colSet {
	ret := withKeyCols(m, returnedBy(m, set))
	for _, c := range cp.key {
		ret.add(c.pos)
	}
	if cp.nothing {
		return ret
	}
	upd := cp.updated(m, set)
	for _, c := range m.cols {
		if set.has(c.pos) && !upd.has(c.pos) && !cp.keySet.has(c.pos) {
			ret.add(c.pos)
		}
	}
	for _, c := range m.onUpdate {
		ret.add(c.pos)
	}
	return ret
}

// clause renders " ON CONFLICT (key) DO …" for rows sending set, its
// values numbered from next.
func (cp *conflictPlan) clause(ts *tableSQL, set colSet, next int, reg *Registry) (string, []any, error) {
	w := &sqlw{args: make([]any, next-1, next-1+len(cp.sets)), q: ts.d, reg: reg}
	w.str(" ON CONFLICT (" + strings.Join(ts.keyNames(cp.key), ", ") + ")")
	if cp.keyWhere != "" {
		w.str(" WHERE " + cp.keyWhere) // the model author's predicate: infers the partial index
	}
	if cp.nothing {
		w.str(" DO NOTHING")
		return string(w.buf), nil, nil
	}
	w.str(" DO UPDATE SET ")
	if err := cp.setList(w, ts, set); err != nil {
		return "", nil, err
	}
	if _, err := w.conds(&cp.where, " WHERE "); err != nil {
		return "", nil, err
	}
	return string(w.buf), w.args[next-1:], nil
}

// setList writes DO UPDATE's assignments: the Sets, the columns updated
// from EXCLUDED, the onupdate expressions and the next version.
func (cp *conflictPlan) setList(w *sqlw, ts *tableSQL, set colSet) error {
	m := ts.m
	var done colSet
	assign := func(c *column) {
		if !done.empty() {
			w.str(", ")
		}
		done.add(c.pos)
		w.str(ts.cols[c.pos] + " = ")
	}
	for _, sc := range cp.sets {
		assign(sc.col)
		if err := writeValue(w, ts, sc); err != nil {
			return err
		}
	}
	upd := cp.updated(m, set)
	for _, c := range m.cols {
		if upd.has(c.pos) && !done.has(c.pos) {
			assign(c)
			w.str("EXCLUDED." + ts.cols[c.pos])
		}
	}
	for _, c := range m.onUpdate {
		if !done.has(c.pos) {
			assign(c)
			w.str(c.OnUpdate)
		}
	}
	if v := m.version; v != nil && !done.has(v.pos) {
		assign(v)
		w.str(ts.table + "." + ts.cols[v.pos] + " + 1")
	}
	return nil
}

// keyNames returns the quoted names of cols, in their order.
func (ts *tableSQL) keyNames(cols []*column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = ts.cols[c.pos]
	}
	return out
}

// writeValue writes the value of a Set: DEFAULT, an SQL expression, or a
// bound value.
func writeValue(w *sqlw, ts *tableSQL, sc setClause) error {
	switch v := sc.val.(type) {
	case defaultValue:
		w.str("DEFAULT")
	case SQL:
		buf, next, err := rewrite(nil, string(v), 1)
		if err == nil && next != 1 {
			err = ErrPlaceholders
		}
		if err != nil {
			return fmt.Errorf("set %s: an SQL expression takes no placeholders: %w", sc.col.Name, err)
		}
		w.str(string(buf))
	default:
		w.bind(w.reg.setArg(sc.col, v))
		w.str(ts.bind[sc.col.pos])
	}
	return nil
}
