package orm

import (
	"context"
	"fmt"
	"slices"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
)

// Merge copies obj — typically a detached object, say one decoded from a
// request — onto the session's object for the same row: the one the
// session holds, else the row loaded by primary key, else a new pending
// copy. It returns that object (of obj's pointer type); obj itself never
// joins the session. [Merge] is the typed form.
//
// Every column is copied, zero values included, unless options say
// otherwise: [MergeFields] copies only the named fields, [MergeNonZero]
// only the non-zero ones. When the model has a version column and obj's
// version is set, it must be the stored version: an older (or newer) copy
// anywhere in the graph fails with a *StaleDataError (ErrStaleData) before
// anything is copied;
// leave the version zero to merge over whatever is stored. Along
// relationships with the merge cascade (the default) the targets are
// merged the same way and the returned object's fields point at the merged
// ones; a nil field is left alone (it may simply not be loaded). Objects
// are merged once per row: a second copy of a row met in the graph (an
// older one a child points back to, say) resolves to the first.
//
// With read replicas ([WithReplicas]) Merge counts as the session's first
// write: the rows it loads, and the session's later reads, come from the
// primary, so that a copy read from a lagging replica is checked against
// the stored version. Without a version column the merged values simply
// win over what is stored (last writer wins).
func (s *Session) Merge(ctx context.Context, obj any, opts ...MergeOption) (any, error) {
	s.onPrimary = true
	m, p, err := s.object(obj)
	if err == nil {
		p, err = s.merge1(ctx, m, p, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return mem.Any(m.ptrWord, p), nil
}

// Merge is the typed form of [Session.Merge].
func Merge[T any](ctx context.Context, s *Session, obj *T, opts ...MergeOption) (*T, error) {
	out, err := s.Merge(ctx, obj, opts...)
	if err != nil {
		return nil, err
	}
	return out.(*T), nil
}

// MergeOption narrows what Merge copies; see [MergeFields] and
// [MergeNonZero].
type MergeOption interface{ applyMerge(*mergeOpts) }

type mergeOpts struct {
	fields  []string // of the root, by Go field or column name; nil: all
	nonZero bool
}

type mergeOptFunc func(*mergeOpts)

func (f mergeOptFunc) applyMerge(o *mergeOpts) { f(o) }

// MergeFields makes Merge copy only the named fields (Go field or column
// names) of the object passed to it: the columns the request set, for a
// PATCH. A relationship field among them is merged too; relationships not
// named are left alone. The targets of a named relationship are merged
// whole (or with MergeNonZero). An unknown name fails the Merge with
// ErrUnknownColumn.
func MergeFields(fields ...string) MergeOption {
	return mergeOptFunc(func(o *mergeOpts) { o.fields = append(o.fields, fields...) })
}

// MergeNonZero makes Merge copy only the columns whose value is not the
// zero value, at every level of the graph: a struct decoded from a request
// that left CreatedAt out keeps the stored CreatedAt. A column cannot then
// be set to its zero value by Merge (use MergeFields for that).
func MergeNonZero() MergeOption { return mergeOptFunc(func(o *mergeOpts) { o.nonZero = true }) }

// merger is one Merge: the objects merged so far, by row identity (or,
// for objects without a key, by address), so that cycles end and a second
// copy of a row does not overwrite the first.
type merger struct {
	s     *Session
	ctx   context.Context
	opts  mergeOpts
	byKey map[idKey]mem.Ptr
	byPtr map[mem.Ptr]mem.Ptr
}

func (s *Session) merge1(ctx context.Context, m *model, p mem.Ptr, opts []MergeOption) (mem.Ptr, error) {
	mg := &merger{s: s, ctx: ctx, byKey: map[idKey]mem.Ptr{}, byPtr: map[mem.Ptr]mem.Ptr{}}
	for _, o := range opts {
		o.applyMerge(&mg.opts)
	}
	only, rels, err := mg.selected(m)
	if err == nil {
		err = mg.verify(m, p, rels, map[mem.Ptr]bool{})
	}
	if err != nil {
		return mem.Ptr{}, err
	}
	return mg.merge(m, p, only, rels)
}

// verify checks the versions of the whole graph before anything is
// copied, so that a stale copy anywhere changes nothing. The rows it loads
// stay in the session, where the merge finds them.
func (mg *merger) verify(m *model, p mem.Ptr, rels map[*relation.Relation]bool, seen map[mem.Ptr]bool) error {
	if seen[p] {
		return nil
	}
	seen[p] = true
	if m.version != nil && mg.s.stateOf(m, p) == nil {
		held, err := mg.s.heldOrLoaded(mg.ctx, m, p)
		if err == nil && !held.IsNil() {
			err = checkVersion(m, p, held)
		}
		if err != nil {
			return err
		}
	}
	for _, ru := range m.rules {
		rb := ru.base()
		if !follows(rb, p, rels) {
			continue
		}
		for _, t := range rb.targets(p) {
			if err := mg.verify(rb.target, t, nil, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// follows reports whether Merge follows relationship rb of src: named by
// MergeFields (rels), else along the merge cascade; a nil field is left
// alone.
func follows(rb *relBase, src mem.Ptr, rels map[*relation.Relation]bool) bool {
	switch {
	case rels != nil && !rels[rb.r], rels == nil && !rb.r.Cascade.Has(relation.Merge):
		return false
	case rb.r.Uselist:
		return rb.many(src) != nil
	}
	return !rb.one(src).IsNil()
}

// selected resolves MergeFields on the root model: the columns to copy and
// the relationships to follow (nil: all).
func (mg *merger) selected(m *model) (*colSet, map[*relation.Relation]bool, error) {
	if mg.opts.fields == nil {
		return nil, nil, nil
	}
	only, rels := &colSet{}, map[*relation.Relation]bool{}
	for _, name := range mg.opts.fields {
		if c := m.lookup(name); c != nil {
			only.add(c.pos)
		} else if r := mg.s.db.reg.rels.Field(m.table, name); r != nil {
			rels[r] = true
		} else {
			return nil, nil, fmt.Errorf("%s.%s: %w", m, name, ErrUnknownColumn)
		}
	}
	return only, rels, nil
}

// merge merges the object at p and its merge-cascaded targets; only and
// rels restrict the columns and relationships (the root's MergeFields).
func (mg *merger) merge(m *model, p mem.Ptr, only *colSet, rels map[*relation.Relation]bool) (mem.Ptr, error) {
	k, keyed := m.keyOf(p)
	if q, ok := mg.done(k, keyed, p); ok {
		return q, nil
	}
	dst, fresh := p, false
	if mg.s.stateOf(m, p) == nil {
		held, err := mg.s.heldOrLoaded(mg.ctx, m, p)
		if err != nil {
			return mem.Ptr{}, err
		}
		if dst = held; dst.IsNil() {
			dst, fresh = mem.New(m.typ), true
		} else if err := checkVersion(m, p, dst); err != nil {
			return mem.Ptr{}, err
		}
		mg.copyColumns(m, dst, p, only, fresh)
	}
	if keyed {
		mg.byKey[k] = dst
	} else {
		mg.byPtr[p] = dst
	}
	if err := mg.relations(m, p, dst, rels); err != nil {
		return mem.Ptr{}, err
	}
	if fresh {
		if _, err := mg.s.add(mem.Any(m.ptrWord, dst)); err != nil {
			return mem.Ptr{}, err
		}
	}
	return dst, nil
}

// done returns the object a row (or keyless object) was merged into.
func (mg *merger) done(k idKey, keyed bool, p mem.Ptr) (mem.Ptr, bool) {
	if keyed {
		q, ok := mg.byKey[k]
		return q, ok
	}
	q, ok := mg.byPtr[p]
	return q, ok
}

// copyColumns copies src's columns onto dst. An existing row keeps its
// version (the flush bumps it).
func (mg *merger) copyColumns(m *model, dst, src mem.Ptr, only *colSet, fresh bool) {
	for _, c := range m.cols {
		switch {
		case only != nil && !only.has(c.pos) && !c.pk,
			mg.opts.nonZero && c.zero(src),
			c == m.version && !fresh:
			continue
		}
		c.copyTo(dst, src)
	}
}

// checkVersion fails when the detached copy src carries a version other
// than the stored row's (dst).
func checkVersion(m *model, src, dst mem.Ptr) error {
	v := m.version
	if v == nil || v.zero(src) {
		return nil
	}
	have, stored := intValue(v, src), intValue(v, dst)
	if have == stored {
		return nil
	}
	return &StaleDataError{Table: m.table.Name, Op: "merge", Expected: 1, Version: have, Stored: stored}
}

// relations merges the targets of src's merge-cascaded relationships into
// dst's fields.
func (mg *merger) relations(m *model, src, dst mem.Ptr, rels map[*relation.Relation]bool) error {
	for _, ru := range m.rules {
		if !follows(ru.base(), src, rels) {
			continue
		}
		if err := mg.field(ru, src, dst); err != nil {
			return err
		}
	}
	return nil
}

// field merges the targets of src's relationship into dst's. An unloaded
// collection of a stored dst is loaded first, so that targets missing from
// src count as removed (delete-orphan applies) — except the rows a filtered
// load left out of a collection (see partials): of those only the ones the
// filter loaded and src dropped are removed; the rows nobody saw stay.
func (mg *merger) field(ru rule, src, dst mem.Ptr) error {
	rb := ru.base()
	var view *partialView
	if rb.r.Uselist && src != dst {
		view = partials.of(rb, src, dst)
	}
	from := slices.Clone(rb.targets(src))
	if st := mg.s.stateOf(rb.owner, dst); rb.r.Uselist && src != dst && st != nil && st.status == Persistent && !st.isLoaded(rb.idx) {
		if _, err := (&loader{s: mg.s}).step(mg.ctx, ru, []*state{st}, nil); err != nil {
			return err
		}
	}
	merged := make([]mem.Ptr, len(from))
	for i, t := range from {
		q, err := mg.merge(rb.target, t, nil, nil)
		if err != nil {
			return err
		}
		merged[i] = q
	}
	if view != nil {
		merged = append(merged, view.unseen(rb, rb.targets(dst), merged)...)
	}
	rb.setField(dst, merged)
	mg.keys(rb, dst, merged)
	return nil
}

// unseen returns the targets of have, a collection as the session holds
// it, that a merge into it keeps although the merged copy, a filtered
// view, lacks them: those not in merged that the filter did not load.
func (v *partialView) unseen(rb *relBase, have, merged []mem.Ptr) []mem.Ptr {
	var out []mem.Ptr
	for _, t := range have {
		if slices.Contains(merged, t) {
			continue
		}
		if k, ok := rb.target.keyOf(t); ok {
			if _, seen := v.seen[k]; seen {
				continue // loaded by the filter and dropped from the copy: an orphan
			}
		}
		out = append(out, t)
	}
	return out
}

// keys sets the foreign keys the merged relationship implies, which a
// copy built from a request usually leaves zero: a child's key from its
// parent's, as the flush would once the parent has one.
func (mg *merger) keys(rb *relBase, dst mem.Ptr, merged []mem.Ptr) {
	g := rb.fk
	if g == nil {
		return
	}
	for _, t := range merged {
		child, parent := t, dst
		if rb.r.Side == relation.FKOnOwner {
			child, parent = dst, t
		}
		if _, ok := g.parentKeyOf(mg.s, parent); ok {
			g.assign(child, parent)
		}
	}
}

// heldOrLoaded returns the session's object with p's primary key: held,
// or loaded; nil when p has no key or no row has it.
func (s *Session) heldOrLoaded(ctx context.Context, m *model, p mem.Ptr) (mem.Ptr, error) {
	k, ok := m.keyOf(p)
	if !ok {
		return mem.Ptr{}, nil
	}
	if st := s.lookup(k); st != nil {
		return st.obj, nil
	}
	args := make([]any, len(m.pk))
	for i, c := range m.pk {
		args[i] = c.arg(p)
	}
	objs, err := s.loadRows(ctx, m, s.db.sql[m.id].byKey, args)
	if err != nil || len(objs) == 0 {
		return mem.Ptr{}, err
	}
	return objs[0], nil
}
