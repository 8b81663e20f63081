package orm

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// Registry is the set of mapped models of an application: their tables,
// relationships and the accessors the session uses, computed once by
// [NewRegistry]. It is immutable and safe for concurrent use; build one at
// start-up and share it. There is no global registry.
type Registry struct {
	meta    *schema.Metadata
	rels    *relation.Set
	models  []*model
	byType  map[reflect.Type]*model
	byTable map[*schema.Table]*model
	rules   []rule // one per relationship, in the order of rels.All (rule.go)

	plans   sync.Map // planKey → *resultPlan, built on first use (scan_result.go)
	callers sync.Map // reflect.Type → *column (nil: as it is) of callers' values (args_caller.go)
	hooked  bool     // some model has a flush hook (lifecycle.go)
}

// NewRegistry maps the given models (pointers to zero structs, such as
// &User{}) and resolves their relationships. It works in passes: each
// struct is mapped to a table, relationships are resolved across all
// tables, the tables and enums are sealed into metadata, and the
// per-model accessors are precomputed. Every mistake of every model is
// reported, joined in one error; NewRegistry never panics.
//
// Among the models, [schema.MetadataOption] values configure the
// metadata, such as the naming convention of constraints and indexes:
// NewRegistry(schema.WithNaming(schema.PostgresNaming{}), &User{}, …).
func NewRegistry(models ...any) (*Registry, error) {
	models, opts := metadataOptions(models)
	tables, enums, err := mapAll(models)
	if err != nil {
		return nil, err
	}
	rels, extra, relErr := relation.Resolve(tables)
	meta, metaErr := schema.NewMetadata(append(tables, extra...), enums, opts...)
	if err := errors.Join(metaErr, relErr); err != nil {
		return nil, err
	}
	return build(meta, rels, tables)
}

// MustRegistry is like [NewRegistry] but panics on error. Use it for
// package-level registries whose models are fixed at compile time.
func MustRegistry(models ...any) *Registry {
	r, err := NewRegistry(models...)
	if err != nil {
		panic(err)
	}
	return r
}

// metadataOptions takes the metadata options out of the models.
func metadataOptions(args []any) (models []any, opts []schema.MetadataOption) {
	for _, a := range args {
		if o, ok := a.(schema.MetadataOption); ok {
			opts = append(opts, o)
		} else {
			models = append(models, a)
		}
	}
	return models, opts
}

// mapAll is the first pass: each model struct becomes a table.
func mapAll(models []any) ([]*schema.Table, []*schema.Enum, error) {
	var errs []error
	for _, m := range models {
		typ := reflect.TypeOf(m)
		if typ == nil || typ.Kind() != reflect.Pointer || typ.Elem().Kind() != reflect.Struct {
			errs = append(errs, fmt.Errorf("register %T: want a pointer to a struct: %w", m, ErrUnknownModel))
		}
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return schema.NewMapper().MapAll(models...)
}

// build is the last pass: accessors per model.
func build(meta *schema.Metadata, rels *relation.Set, tables []*schema.Table) (*Registry, error) {
	r := &Registry{meta: meta, rels: rels, byType: map[reflect.Type]*model{}, byTable: map[*schema.Table]*model{}}
	var errs []error
	for _, t := range tables {
		m, err := newModel(len(r.models), t, rels.Of(t))
		if err == nil {
			err = m.methods()
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.models = append(r.models, m)
		r.byType[t.GoType] = m
		r.byTable[t] = m
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.linkModels()
	r.hooked = hookedModels(r.models)
	for i, t := range meta.Tables() {
		if m := r.byTable[t]; m != nil {
			m.order = i
		}
	}
	if err := r.buildRules(); err != nil {
		return nil, err
	}
	return r, nil
}

// linkModels records each model's foreign key neighbours for the flush
// order.
func (r *Registry) linkModels() {
	cyclic := map[*schema.ForeignKey]bool{}
	for _, fk := range r.meta.CyclicForeignKeys() {
		cyclic[fk] = true
	}
	for _, m := range r.models {
		for _, fk := range m.table.ForeignKeys {
			parent := r.byTable[r.meta.Referenced(fk)]
			switch {
			case parent == m:
				m.selfFKs = append(m.selfFKs, fk)
			case parent == nil || cyclic[fk] || slices.Contains(m.parents, parent):
			default:
				m.parents = append(m.parents, parent)
				parent.children = append(parent.children, m)
			}
		}
	}
}

// Metadata returns the schema of the registered models (tables in foreign
// key order, enums), for migrations and DDL.
func (r *Registry) Metadata() *schema.Metadata { return r.meta }

// Relations returns the resolved relationships of the registered models.
func (r *Registry) Relations() *relation.Set { return r.rels }

// Table returns the table a registered model maps to, or nil. model may be
// a struct value, a pointer to one, or a reflect.Type of either.
func (r *Registry) Table(model any) *schema.Table {
	if m := r.modelOf(model); m != nil {
		return m.table
	}
	return nil
}

func (r *Registry) modelOf(v any) *model {
	t, ok := v.(reflect.Type)
	if !ok {
		t = reflect.TypeOf(v)
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return r.byType[t]
}

// modelFor returns the model of T or an error naming T.
func modelFor[T any](r *Registry) (*model, error) {
	m := r.byType[reflect.TypeFor[T]()]
	if m == nil {
		return nil, fmt.Errorf("%s: %w", reflect.TypeFor[T](), ErrUnknownModel)
	}
	return m, nil
}
