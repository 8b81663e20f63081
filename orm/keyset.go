package orm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/crucible-orm/crucible/orm/internal/mem"
)

// Keyset (seek) pagination: a page continues from the sort keys of the
// row before it (WHERE (k1, k2) > ($1, $2)) instead of skipping rows with
// OFFSET, so every page costs the same and rows added or removed
// meanwhile never shift a page. The primary key completes the sort, so
// the order is total.

// ErrBadCursor is matched by the error of [SelectQuery.Page] given a
// cursor it did not make: not one of its cursors, made for another
// query's order, or holding values of the wrong type. A web handler
// answers it with 400 Bad Request.
var ErrBadCursor = errors.New("bad page cursor")

// ErrPagination is matched by the error of [SelectQuery.Page] for a query
// that cannot be paginated by keyset: no Limit (the page size), an
// Offset, or an OrderBy key that is not a column of the query's model.
var ErrPagination = errors.New("query cannot be paginated by keyset")

// Page is one page of a keyset-paginated query, returned by
// [SelectQuery.Page].
type Page[T any] struct {
	// Items are the page's objects, in the query's order (whichever way
	// the page was read); they are the session's, as All returns them.
	Items []*T
	// Next is the cursor of the page after this one, "" when this page
	// ends the results.
	Next string
	// Prev is the cursor of the page before this one, "" when this page
	// starts the results (or is empty).
	Prev string
}

// maxCursor bounds the length of a cursor accepted from a caller.
const maxCursor = 4096

// Page runs the query one page at a time: Limit rows in the query's
// order, completed by the primary key (in the direction of the last
// OrderBy key, ascending without one), starting after (or, for a Prev
// cursor, ending before) the row the cursor was made from; "" is the first
// page. The cursors of the returned page are opaque URL-safe strings a
// web handler can send to its client and take back: they hold the sort
// key values of the page's first and last rows (readable, not secret) and
// a fingerprint of the order. Decoded values are checked against the key
// columns' types and bound as parameters; a cursor that fails the checks
// is ErrBadCursor. Page needs a Limit and no Offset, and its OrderBy keys
// must be columns of T (ErrPagination). Rows are tracked like All's.
func (q *SelectQuery[T]) Page(ctx context.Context, cursor string) (*Page[T], error) {
	page, err := q.page(ctx, cursor)
	if err != nil {
		return nil, fmt.Errorf("query %s: page: %w", q.name(), err)
	}
	return page, nil
}

func (q *SelectQuery[T]) page(ctx context.Context, cursor string) (*Page[T], error) {
	ks, err := q.keyset()
	if err != nil {
		return nil, err
	}
	var c pageCursor
	if cursor != "" {
		if c, err = ks.decode(cursor); err != nil {
			return nil, err
		}
	}
	pq := *q
	pq.order = ks.orderBy(c.Back)
	var extra *filter
	if cursor != "" {
		extra = ks.after(c.values, c.Back)
	}
	items, err := pq.runStmt(ctx, stmt{limit: q.limit + 1, extra: extra}, nil)
	if err != nil {
		return nil, err
	}
	more := len(items) > q.limit
	items = items[:min(len(items), q.limit)]
	if c.Back {
		slices.Reverse(items)
	}
	return newPage(ks, items, cursor != "", more, c.Back)
}

// keyset is a query's sort keys, primary key last.
type keyset struct {
	m     *model
	refs  []string // qualified columns
	cols  []*column
	desc  []bool
	print string // fingerprint of the order
}

// keyset resolves the query's order for pagination.
func (q *selectCore) keyset() (*keyset, error) {
	switch {
	case q.err != nil:
		return nil, q.err
	case q.limit <= 0:
		return nil, fmt.Errorf("Page needs Limit(n), the page size: %w", ErrPagination)
	case q.offset > 0:
		return nil, fmt.Errorf("Page takes no Offset: %w", ErrPagination)
	}
	sc := q.scope()
	keys, err := q.orderKeys(sc)
	if err != nil {
		return nil, err
	}
	ks := &keyset{m: q.m}
	for i, k := range keys {
		if k.col == nil || strings.Contains(q.order[i], ".") {
			return nil, fmt.Errorf("order key %q is not a column of %s: %w", q.order[i], q.m, ErrPagination)
		}
		ks.add(k.ref, k.col, k.desc)
	}
	last := len(ks.desc) > 0 && ks.desc[len(ks.desc)-1]
	for _, c := range q.m.pk {
		if !slices.Contains(ks.cols, c) {
			ks.add(sc.qual+"."+q.s.db.sql[q.m.id].cols[c.pos], c, last)
		}
	}
	h := fnv.New32a()
	h.Write([]byte(q.m.table.Name))
	for i, c := range ks.cols {
		fmt.Fprintf(h, "|%s:%t", c.Name, ks.desc[i])
	}
	ks.print = strconv.FormatUint(uint64(h.Sum32()), 36)
	return ks, nil
}

func (ks *keyset) add(ref string, c *column, desc bool) {
	ks.refs, ks.cols, ks.desc = append(ks.refs, ref), append(ks.cols, c), append(ks.desc, desc)
}

// orderBy returns the OrderBy keys of a page, reversed to read backwards.
func (ks *keyset) orderBy(back bool) []string {
	out := make([]string, len(ks.cols))
	for i, c := range ks.cols {
		out[i] = c.Name
		if ks.desc[i] != back {
			out[i] = "-" + c.Name
		}
	}
	return out
}

// after returns the condition "sorts after vals" (before, when back).
// PostgreSQL sorts NULL last ascending and first descending, which reading
// backwards (every direction flipped) preserves. Keys that cannot be NULL
// and share a direction compare as one row value, which an index on them
// serves.
func (ks *keyset) after(vals []any, back bool) *filter {
	var f filter
	uniform, nullable := true, false
	for i, c := range ks.cols {
		uniform = uniform && ks.desc[i] == ks.desc[0]
		nullable = nullable || c.Nullable
	}
	if uniform && !nullable {
		op := " > "
		if ks.desc[0] != back {
			op = " < "
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")
		f.add(SQL("("+strings.Join(ks.refs, ", ")+")"+op+"("+marks+")"), vals)
		return &f
	}
	var ors []string
	var args []any
	for i := range ks.cols {
		var ands []string
		for j := range i {
			eq, a := equalTo(ks.refs[j], vals[j])
			ands, args = append(ands, eq), append(args, a...)
		}
		gt, a := beyond(ks.refs[i], vals[i], ks.desc[i] != back, ks.cols[i].Nullable)
		ands, args = append(ands, gt), append(args, a...)
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	f.add(SQL(strings.Join(ors, " OR ")), args)
	return &f
}

// equalTo is "ref equals v", NULL included.
func equalTo(ref string, v any) (string, []any) {
	if v == nil {
		return ref + " IS NULL", nil
	}
	return ref + " = ?", []any{v}
}

// beyond is "ref sorts after v" in a direction (desc: NULLS FIRST); a
// column that cannot be NULL needs no NULL test.
func beyond(ref string, v any, desc, nullable bool) (string, []any) {
	switch {
	case v == nil && desc:
		return ref + " IS NOT NULL", nil
	case v == nil:
		return "false", nil
	case desc:
		return ref + " < ?", []any{v}
	case !nullable:
		return ref + " > ?", []any{v}
	}
	return "(" + ref + " > ? OR " + ref + " IS NULL)", []any{v}
}

// pageCursor is a cursor's content.
type pageCursor struct {
	Order  string            `json:"o"`
	Back   bool              `json:"b,omitempty"`
	Keys   []json.RawMessage `json:"k"`
	values []any
}

// newPage builds the page and its cursors: Next continues after the last
// row when more rows follow it (or the page was read backwards from
// there), Prev goes back before the first row when rows precede it.
func newPage[T any](ks *keyset, items []*T, fromCursor, more, back bool) (*Page[T], error) {
	p := &Page[T]{Items: items}
	if len(items) == 0 {
		return p, nil
	}
	var err error
	if more && !back || back {
		if p.Next, err = ks.encode(mem.Of(items[len(items)-1]), false); err != nil {
			return nil, err
		}
	}
	if more && back || !back && fromCursor {
		if p.Prev, err = ks.encode(mem.Of(items[0]), true); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// encode makes the cursor of the row obj: the page after it, or before it
// when back.
func (ks *keyset) encode(obj mem.Ptr, back bool) (string, error) {
	c := pageCursor{Order: ks.print, Back: back, Keys: make([]json.RawMessage, len(ks.cols))}
	for i, col := range ks.cols {
		b, err := json.Marshal(mem.NewAt(col.goType, col.path.read(obj)).Interface())
		if err != nil {
			return "", fmt.Errorf("cursor of %s: %w", col.Name, err)
		}
		c.Keys[i] = b
	}
	b, err := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b), err
}

// decode reads a cursor and checks it against the keys: its order's
// fingerprint, the number of values and each value's type.
func (ks *keyset) decode(cursor string) (pageCursor, error) {
	var c pageCursor
	if len(cursor) > maxCursor {
		return c, fmt.Errorf("%d bytes: %w", len(cursor), ErrBadCursor)
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err == nil {
		d := json.NewDecoder(bytes.NewReader(b))
		d.DisallowUnknownFields()
		err = d.Decode(&c)
		if err == nil && d.InputOffset() != int64(len(b)) {
			err = errors.New("data after the cursor")
		}
	}
	switch {
	case err != nil:
		return c, fmt.Errorf("%w: %w", ErrBadCursor, err)
	case c.Order != ks.print:
		return c, fmt.Errorf("made for another order: %w", ErrBadCursor)
	case len(c.Keys) != len(ks.cols):
		return c, fmt.Errorf("%d values for %d keys: %w", len(c.Keys), len(ks.cols), ErrBadCursor)
	}
	c.values = make([]any, len(ks.cols))
	for i, col := range ks.cols {
		if c.values[i], err = keyValue(col, c.Keys[i]); err != nil {
			return c, err
		}
	}
	return c, nil
}

// keyValue decodes a cursor value into the column's Go type: nil for a
// NULL, which only a nullable column may hold.
func keyValue(c *column, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		if !c.Nullable {
			return nil, fmt.Errorf("%s: null for a NOT NULL key: %w", c.Name, ErrBadCursor)
		}
		return nil, nil
	}
	v := reflect.New(c.goType)
	if err := json.Unmarshal(raw, v.Interface()); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", c.Name, ErrBadCursor, err)
	}
	if c.goType.Kind() == reflect.Pointer && v.Elem().IsNil() {
		return nil, nil
	}
	return c.argAt(mem.Value(v)), nil // bound as the column binds its field
}
