package relation

import (
	"errors"
	"reflect"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// Sentinel causes of a [RelationError], returned (joined) by [Resolve];
// match them with errors.Is. ErrUnknownOption and ErrBadValue are the
// schema package's sentinels, so one errors.Is covers both tags.
var (
	// ErrUnknownOption: a `rel` option that does not exist.
	ErrUnknownOption = schema.ErrUnknownOption
	// ErrBadValue: an option with a malformed or missing value, or given
	// twice.
	ErrBadValue = schema.ErrBadValue
	// ErrUnknownKind: the tag does not start with one of the four kinds.
	ErrUnknownKind = errors.New("unknown relationship kind")
	// ErrFieldType: the field's Go type does not fit the kind (a slice
	// for a to-one kind, a pointer for a collection) or is not a pointer
	// to or slice of pointers to a struct.
	ErrFieldType = errors.New("field type does not fit the relationship kind")
	// ErrUnknownTarget: the related struct type is not a registered model.
	ErrUnknownTarget = errors.New("related type is not a registered model")
	// ErrUnknownField: foreign_key, back_populates or order_by names a
	// field or column that does not exist.
	ErrUnknownField = errors.New("no such field")
	// ErrNoForeignKey: no foreign key links the two tables (or the named
	// field is not one).
	ErrNoForeignKey = errors.New("no foreign key between the tables")
	// ErrAmbiguousForeignKey: several foreign keys could carry the
	// relationship and nothing says which.
	ErrAmbiguousForeignKey = errors.New("ambiguous foreign key")
	// ErrBackPopulates: back_populates names a relationship that does not
	// name this one back, or one that relates other types.
	ErrBackPopulates = errors.New("back_populates does not point back")
	// ErrKindMismatch: two sides of a back_populates pair have kinds that
	// do not match (one_to_many needs many_to_one, …).
	ErrKindMismatch = errors.New("relationship kinds do not match")
	// ErrForeignKeyMismatch: two sides of a pair use different foreign keys
	// or secondary tables.
	ErrForeignKeyMismatch = errors.New("the two sides use different foreign keys")
	// ErrNotUnique: a one_to_one whose foreign key is not unique.
	ErrNotUnique = errors.New("one_to_one needs a unique foreign key")
	// ErrSecondary: secondary missing on many_to_many, given on another
	// kind, or naming a table that cannot serve as the association table.
	ErrSecondary = errors.New("bad secondary table")
	// ErrCascade: a cascade the kind does not allow (delete-orphan on a
	// many_to_one, delete-orphan without delete).
	ErrCascade = errors.New("cascade not allowed here")
)

// ErrKeyType is matched by the error of a foreign key whose Go field
// cannot hold the key it references (a string key referencing an integer,
// a text column referencing a uuid); the ORM reports it when the registry
// is built.
var ErrKeyType = errors.New("foreign key type cannot hold the referenced key")

// ErrNoRelation is returned by [Set.Path] for a path segment that names no
// relationship; it is a query-time error, not a [RelationError].
var ErrNoRelation = errors.New("no such relationship")

// RelationError is a mistake in a relationship found by [Resolve]. It
// names the model type, the field and its tag and, when two declarations
// disagree, the other side ("Post.User"), so both lines can be found.
type RelationError struct {
	Type  reflect.Type // the model declaring the relationship
	Field string       // its Go field name
	Tag   string       // the raw `rel` tag
	Other string       // the other side as Type.Field, or a table name; "" when none
	Err   error        // the cause, wrapping one of the sentinels
}

// Error renders "relation blog.User.Posts `rel:\"…\"`: cause (other side
// blog.Post.User)".
func (e *RelationError) Error() string {
	var b strings.Builder
	b.WriteString("relation ")
	if e.Type != nil {
		b.WriteString(e.Type.String())
		b.WriteByte('.')
	}
	b.WriteString(e.Field)
	if e.Tag != "" {
		b.WriteString(" `rel:\"")
		b.WriteString(e.Tag)
		b.WriteString("\"`")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Other != "" {
		b.WriteString(" (other side ")
		b.WriteString(e.Other)
		b.WriteByte(')')
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *RelationError) Unwrap() error { return e.Err }
