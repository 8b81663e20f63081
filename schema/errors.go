package schema

import (
	"errors"
	"reflect"
	"strings"
)

// Sentinel causes of a [ModelError]; match them with errors.Is.
var (
	ErrUnknownOption   = errors.New("unknown option")
	ErrBadValue        = errors.New("malformed value")
	ErrUnsupportedType = errors.New("unsupported Go type")
	ErrMissingRef      = errors.New("reference to a missing table or column")
	ErrDuplicateTable  = errors.New("duplicate table name")
	ErrEmptyEnum       = errors.New("enum type without values")
	ErrZeroDefault     = errors.New("server default hides the zero value")
	ErrNoPrimaryKey    = errors.New("model has no primary key")
	ErrBadName         = errors.New("bad constraint or index name")
	ErrDuplicateName   = errors.New("duplicate constraint or index name")
)

// ModelError is a mistake in a model found at registration. It names the Go
// type, the field and the tag so the author can find the line to fix.
type ModelError struct {
	Type  reflect.Type // the model struct type, nil when unknown
	Field string       // Go field name, "" for a type-level problem
	Tag   string       // the offending tag text, "" when none
	Err   error        // the cause, often one of the sentinels above
}

// Error renders "model pkg.User field Email tag `orm:\"…\"`: cause".
func (e *ModelError) Error() string {
	var b strings.Builder
	b.WriteString("model ")
	if e.Type != nil {
		b.WriteString(e.Type.String())
	} else {
		b.WriteString("?")
	}
	if e.Field != "" {
		b.WriteString(" field ")
		b.WriteString(e.Field)
	}
	if e.Tag != "" {
		b.WriteString(" tag `")
		b.WriteString(e.Tag)
		b.WriteString("`")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *ModelError) Unwrap() error { return e.Err }
