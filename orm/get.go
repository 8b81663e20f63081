package orm

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Get returns the object of type T with the given primary key (one value
// per key column, in key order). When the session already holds that row
// it returns the held pointer without a query; otherwise it flushes
// pending changes (autoflush), selects the row and adds it to the session.
// It fails with an error matching ErrNotFound (and pgx.ErrNoRows) when no
// row has the key, or when the held object was deleted in this session.
func Get[T any](ctx context.Context, s *Session, key ...any) (*T, error) {
	m, err := modelFor[T](s.db.reg)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	k, err := keyOf(m, key)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	if st := s.lookup(k); st != nil {
		if st.deleting {
			return nil, fmt.Errorf("get %s: deleted in this session: %w", m, ErrNotFound)
		}
		return mem.As[T](st.obj), nil
	}
	var p mem.Ptr
	key = m.keyParams(key)
	if m.eager {
		p, err = getEager(ctx, s, m, key) // load.go: joined in the same statement
	} else {
		p, err = s.get(ctx, m, key, keepChanges)
	}
	if err == nil {
		err = s.afterLoad(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", m, err)
	}
	return mem.As[T](p), nil
}

// keyOf turns Get's arguments into an identity key, without reflection for
// a single integer or string key.
func keyOf(m *model, key []any) (idKey, error) {
	if len(key) == 1 {
		switch v := key[0].(type) {
		case int64:
			if m.key != keyString && m.key != keyOther {
				return idKey{m: m, n: v}, nil
			}
		case int:
			if m.key != keyString && m.key != keyOther {
				return idKey{m: m, n: int64(v)}, nil
			}
		case string:
			if m.key == keyString {
				return idKey{m: m, s: v}, nil
			}
		}
	}
	return m.keyFromValues(key)
}

// keyParams returns Get's key values as bound arguments: a value of a
// key column whose Go type pgx encodes only knowing the parameter's type
// (a [16]byte uuid; a time.Time of a date or timestamp column, which would
// otherwise go as timestamptz) goes through the column's argument type,
// as the flush binds it; other values as given.
func (m *model) keyParams(key []any) []any {
	var out []any
	for i, c := range m.pk {
		if i >= len(key) || c.sliceForm != sliceValues || reflect.TypeOf(key[i]) != c.goType {
			continue
		}
		if out == nil {
			out = slices.Clone(key)
		}
		out[i] = c.valueArg(key[i])
	}
	if out == nil {
		return key
	}
	return out
}

// get selects one row by key and merges it into the session.
func (s *Session) get(ctx context.Context, m *model, key []any, held onHeld) (mem.Ptr, error) {
	if s.autoflush {
		if err := s.Flush(ctx); err != nil {
			return mem.Ptr{}, err
		}
	}
	sc := newScanner(s, m, held)
	defer sc.done()
	var out mem.Ptr
	sql := s.db.sql[m.id].byKey
	if held == takeRow {
		sql = s.db.sql[m.id].keyAll // a soft-deleted row too
	}
	err := s.query(ctx, sql, key, func(rows pgx.Rows) error {
		if !rows.Next() {
			return nil
		}
		p, err := sc.next(rows)
		out = p
		return err
	})
	if err == nil && out.IsNil() {
		err = ErrNotFound
	}
	return out, err
}

// Refresh reloads a persistent object's columns from the database,
// discarding its unflushed changes, and its loaded relationships (which
// targets its collections and references hold). Along relationships with
// the refresh-expire cascade (in "all") the targets are refreshed the same
// way, level by level. It fails with ErrNotPersistent for an object the
// session does not hold and ErrNotFound when its row is gone.
func (s *Session) Refresh(ctx context.Context, obj any) error {
	m, p, err := s.object(obj)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	st := s.stateOf(m, p)
	if st == nil || st.status != Persistent {
		return fmt.Errorf("refresh %s: %w", m, ErrNotPersistent)
	}
	key := make([]any, len(m.pk))
	for i, c := range m.pk {
		key[i] = c.arg(st.snap)
	}
	saved := s.autoflush
	s.autoflush = false
	_, err = s.get(ctx, m, key, takeRow)
	if err == nil {
		err = s.refreshRelated(ctx, st) // cascade.go
	}
	s.autoflush = saved
	if err == nil {
		err = s.afterLoad(ctx)
	}
	if err != nil {
		return fmt.Errorf("refresh %s: %w", m, err)
	}
	return nil
}
