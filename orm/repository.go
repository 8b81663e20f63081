package orm

import "context"

// Repository is the Repository pattern as a thin typed layer over a
// session: a collection-like view of T's rows. It adds no behaviour of its
// own; changes still become SQL when the session flushes or commits.
type Repository[T any] struct {
	s *Session
}

// NewRepository returns the repository of T's rows in session s.
func NewRepository[T any](s *Session) *Repository[T] { return &Repository[T]{s: s} }

// Get returns the object with the given primary key (see [Get]).
func (r *Repository[T]) Get(ctx context.Context, key ...any) (*T, error) {
	return Get[T](ctx, r.s, key...)
}

// Find returns the objects matching cond (SQL with ? placeholders, as in
// [SelectQuery.Where]); an empty cond returns every row.
func (r *Repository[T]) Find(ctx context.Context, cond SQL, args ...any) ([]*T, error) {
	q := Query[T](r.s)
	if cond != "" {
		q.Where(cond, args...)
	}
	return q.All(ctx)
}

// Query starts a query of T's rows for anything Find does not cover.
func (r *Repository[T]) Query() *SelectQuery[T] { return Query[T](r.s) }

// Add adds objects to the session (see [Session.Add]).
func (r *Repository[T]) Add(objs ...*T) {
	for _, o := range objs {
		r.s.Add(o)
	}
}

// Delete marks an object for deletion (see [Session.Delete]).
func (r *Repository[T]) Delete(obj *T) { r.s.Delete(obj) }
