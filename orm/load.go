package orm

import (
	"context"
	"fmt"
	"reflect"

	"github.com/crucible-orm/crucible/orm/internal/mem"
	"github.com/crucible-orm/crucible/relation"
)

// Loading relationships: Go cannot intercept a field read, so nothing is
// loaded behind the caller's back. A query loads the relationships its
// Load paths name and those whose lazy: strategy is eager; each step is
// one SELECT for all the owners of the previous step, matching their keys
// with one array parameter (= ANY($1)), so a query with N steps costs
// 1 + N statements however many rows come back. Loaded rows go through the
// identity map, and back_populates fills the other side without a query.

// LoadOption narrows or orders what the last step of a Load path loads;
// see [Where] and [OrderBy].
type LoadOption interface{ applyLoad(*loadOpts) }

type loadOpts struct {
	filter filter
	order  []string
}

type loadOptFunc func(*loadOpts)

func (f loadOptFunc) applyLoad(o *loadOpts) { f(o) }

// Where is a Load option: only targets matching cond (SQL with ?
// placeholders, as [SelectQuery.Where]) are loaded. It is also the option
// of [SelectQuery.Join] and [SelectQuery.Has], filtering the related rows.
func Where(cond SQL, args ...any) LoadOption {
	return loadOptFunc(func(o *loadOpts) {
		o.filter.conds = append(o.filter.conds, cond)
		o.filter.args = append(o.filter.args, args)
	})
}

// OrderBy is a Load option: the targets' order (fields or columns of the
// target, "-name" for descending), before the relationship's order_by.
// Names are checked against the model (ErrUnknownColumn).
func OrderBy(keys ...string) LoadOption {
	return loadOptFunc(func(o *loadOpts) { o.order = append(o.order, keys...) })
}

// parseLoads turns Load's arguments into paths: each string starts a
// path, each LoadOption applies to the path before it.
// loadStyle says how a query's Load paths are loaded by default.
type loadStyle uint8

const (
	selectLoad loadStyle = iota // Load: one statement per step
	joinLoad                    // LoadJoined: joined into the query
)

func parseLoads(args []any, style loadStyle) ([]loadPath, error) {
	joined := style == joinLoad
	var out []loadPath
	for _, a := range args {
		switch a := a.(type) {
		case string:
			out = append(out, loadPath{path: a, joined: joined})
		case LoadOption:
			if len(out) == 0 {
				return out, fmt.Errorf("option before any path: %w", ErrLoadArg)
			}
			out[len(out)-1].opts = append(out[len(out)-1].opts, a)
		default:
			return out, fmt.Errorf("%T: %w", a, ErrLoadArg)
		}
	}
	return out, nil
}

// loadPath is one Load or LoadJoined argument of a query.
type loadPath struct {
	path   string       // dotted field path, "Posts.Comments"
	joined bool         // LoadJoined
	opts   []LoadOption // filter and order of the path's last step
}

// loadNode is one step of a load tree.
type loadNode struct {
	ru     rule
	opts   *loadOpts
	kids   []*loadNode
	joined bool // asked with the joined strategy (a to-one step without options)
}

func (n *loadNode) child(ru rule) *loadNode {
	for _, k := range n.kids {
		if k.ru == ru {
			return k
		}
	}
	k := &loadNode{ru: ru}
	n.kids = append(n.kids, k)
	return k
}

// afterQuery loads what a query's Load paths name and the eager lazy:
// strategies of every model reached, for the query's objects; held says
// what held objects and fields take (takeRow for a Refresh query).
func (s *Session) afterQuery(ctx context.Context, m *model, objs []mem.Ptr, loads []loadPath, held onHeld) error {
	root, err := loadTree(s.db.reg, m, loads, ownersFresh)
	if err != nil {
		return err
	}
	l := &loader{s: s, held: held, fields: held}
	err = runLoads(ctx, l, root, ownerStates(s, m, objs))
	giveBack(&s.db.spares.rows, l.spare)
	return err
}

// ownerLoads says whether a load tree holds its owners' eager
// relationships.
type ownerLoads uint8

const (
	// ownersFresh: the owners were just loaded; their eager relationships
	// are loaded too (queries).
	ownersFresh ownerLoads = iota
	// ownersHeld: the owners were loaded before; only the requested paths
	// and their targets' eager relationships are (LoadRelated).
	ownersHeld
)

// loadTree builds the steps of the paths plus the eager lazy: strategies
// of every model reached. Eager defaults do not follow a relationship back
// along its partner, nor repeat one already on the path (a
// self-referential relationship loads one level). owners says whether the
// owners' own eager relationships are loaded.
func loadTree(reg *Registry, m *model, loads []loadPath, owners ownerLoads) (*loadNode, error) {
	root := &loadNode{}
	for _, lp := range loads {
		rels, err := reg.rels.Path(m.table, lp.path)
		if err != nil {
			return nil, err
		}
		n := root
		for _, r := range rels {
			n = n.child(reg.ruleOf(r))
			n.joined = n.joined || lp.joined || r.EagerStrategy == relation.Joined
		}
		if len(lp.opts) > 0 {
			n.opts = &loadOpts{}
			for _, o := range lp.opts {
				o.applyLoad(n.opts)
			}
		}
	}
	if owners == ownersFresh {
		eager(reg, root, m, nil)
	} else {
		for _, k := range root.kids {
			eager(reg, k, k.ru.base().target, []*relation.Relation{k.ru.base().r})
		}
	}
	root.settle()
	return root, nil
}

func eager(reg *Registry, n *loadNode, m *model, path []*relation.Relation) {
	for _, ru := range m.rules {
		r := ru.base().r
		if !r.Lazy.Eager() || onPath(path, r) || (len(path) > 0 && path[len(path)-1].Back == r) {
			continue
		}
		k := n.child(ru)
		k.joined = k.joined || r.Lazy == relation.Joined
	}
	for _, k := range n.kids {
		if len(path) < 16 {
			eager(reg, k, k.ru.base().target, append(path, k.ru.base().r))
		}
	}
}

// settle keeps the joined mark only on to-one steps without options.
func (n *loadNode) settle() {
	for _, k := range n.kids {
		k.joined = k.joined && !k.ru.base().r.Uselist && k.opts == nil
		k.settle()
	}
}

func onPath(path []*relation.Relation, r *relation.Relation) bool {
	for _, p := range path {
		if p == r {
			return true
		}
	}
	return false
}

// runLoads runs the steps below n for owners, depth first.
func runLoads(ctx context.Context, l *loader, n *loadNode, owners []*state) error {
	for _, k := range n.kids {
		rows, err := l.step(ctx, k.ru, owners, k.opts)
		if err != nil {
			return fmt.Errorf("load %s: %w", k.ru.base(), err)
		}
		if len(k.kids) == 0 || len(rows) == 0 {
			l.release(rows)
			continue
		}
		targets := stepTargets(k.ru.base(), rows)
		l.release(rows)
		if err := runLoads(ctx, l, k, targets); err != nil {
			return err
		}
	}
	return nil
}

// LoadRelated loads a relationship path ("Posts", "Posts.Comments") of an
// object the session holds, with the same statements a query's Load would
// send for it, and fills the fields. Options filter and order the last
// step. Pending changes are flushed first unless autoflush is off.
func (s *Session) LoadRelated(ctx context.Context, obj any, path string, opts ...LoadOption) error {
	m, p, err := s.object(obj)
	if err != nil {
		return fmt.Errorf("load related %s: %w", path, err)
	}
	return s.loadRelated(ctx, m, p, path, opts)
}

func (s *Session) loadRelated(ctx context.Context, m *model, p mem.Ptr, path string, opts []LoadOption) error {
	st := s.stateOf(m, p)
	err := error(nil)
	if st == nil {
		err = fmt.Errorf("%s: %w", m, ErrNotPersistent)
	}
	if err == nil && s.autoflush {
		err = s.flush(ctx, keepTx)
	}
	if err == nil {
		var root *loadNode
		root, err = loadTree(s.db.reg, m, []loadPath{{path: path, opts: opts}}, ownersHeld)
		if err == nil {
			err = runLoads(ctx, &loader{s: s}, root, []*state{st})
		}
		if err == nil {
			err = s.afterLoad(ctx) // lifecycle.go
		}
	}
	if err != nil {
		return fmt.Errorf("load related %s: %w", path, err)
	}
	return nil
}

// Related returns obj's relationship field name (a *T or []*T in an any)
// through the session, which knows what was loaded: a loaded relationship
// (or one of an object created in this session) is returned as it is; an
// unloaded lazy:select one is loaded first (LoadRelated); an unloaded
// lazy:raise one fails with a *NotLoadedError (ErrNotLoaded); lazy:noload
// returns the field as it is. The generic [Related] is the typed form.
func (s *Session) Related(ctx context.Context, obj any, name string) (any, error) {
	m, p, err := s.object(obj)
	if err == nil {
		var rb *relBase
		if rb, err = s.related(ctx, m, p, name); err == nil {
			return mem.NewAt(m.typ, p).Elem().FieldByIndex(rb.r.Field.Index).Interface(), nil
		}
	}
	return nil, fmt.Errorf("related %s: %w", name, err)
}

// Related is the typed form of [Session.Related]: F is the field's type,
// *T for a to-one relationship or []*T for a collection; any other F is an
// error matching relation.ErrFieldType.
//
//	posts, err := orm.Related[[]*Post](ctx, s, user, "Posts")
func Related[F any](ctx context.Context, s *Session, obj any, name string) (F, error) {
	var zero F
	m, p, err := s.object(obj)
	if err == nil {
		var rb *relBase
		if rb, err = s.related(ctx, m, p, name); err == nil {
			if ft := rb.r.Field.Type; ft != reflect.TypeFor[F]() {
				err = fmt.Errorf("%s.%s is a %s, not a %s: %w", m, name, ft, reflect.TypeFor[F](), relation.ErrFieldType)
			} else {
				return mem.NewAt(m.typ, p).Elem().FieldByIndex(rb.r.Field.Index).Interface().(F), nil
			}
		}
	}
	return zero, fmt.Errorf("related %s: %w", name, err)
}

// related loads relationship name of the object at p if Related must.
func (s *Session) related(ctx context.Context, m *model, p mem.Ptr, name string) (*relBase, error) {
	r := s.db.reg.rels.Field(m.table, name)
	st := s.stateOf(m, p)
	switch {
	case r == nil:
		return nil, fmt.Errorf("%s has no relationship %q: %w", m, name, ErrNoRelation)
	case st == nil:
		return nil, ErrNotPersistent
	}
	rb := s.db.reg.ruleOf(r).base()
	if st.status != Persistent || st.isLoaded(rb.idx) {
		return rb, nil
	}
	switch r.Lazy {
	case relation.Raise:
		return nil, raiseError(rb, "read")
	case relation.NoLoad:
		return rb, nil
	}
	return rb, s.loadRelated(ctx, m, p, name, nil)
}
