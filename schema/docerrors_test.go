package schema_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/schema"
)

// The sentinels of docs/models.md ("Errors at registration"), each raised
// by a model a new user could write, matched with errors.Is and naming the
// type and the field through *schema.ModelError.

type docMood string

func (docMood) EnumValues() []string { return nil }

type docPost struct {
	ID     int64
	UserID int64 `orm:"fk:user.id"`
}

type docUniq struct {
	ID   int64
	Name string `orm:"name,uniq"`
}

type docTypo struct {
	ID   int64
	Name string `orm:"uniqe"`
}

type docPtrKey struct {
	ID *int64 `orm:"pk"`
}

type docSetNull struct {
	ID      int64
	OwnerID int64 `orm:"fk:doc_set_nulls.id,ondelete:set null"`
}

type docChan struct {
	ID int64
	C  chan int
}

type docNoKey struct {
	Name string
}

type docEmptyEnum struct {
	ID   int64
	Mood docMood
}

type docZeroDefault struct {
	ID     int64
	Active bool `orm:"server_default:true"`
}

type docForgotRel struct {
	ID     int64
	Parent *docPost
}

type docDupIndex struct {
	ID int64
	A  string `orm:"index:ix_same"`
	B  string `orm:"unique:ix_same"`
}

type docTime struct {
	ID      int64
	Created time.Time `orm:"default:now"`
}

type docJSON struct {
	ID  int64
	Raw json.RawMessage `orm:"size:3"`
}

func TestDocRegistrationErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		models []any
		want   error
		field  string
	}{
		{"fk to a missing table", []any{&docPost{}}, schema.ErrMissingRef, "UserID"},
		{"unknown option", []any{&docUniq{}}, schema.ErrUnknownOption, "Name"},
		{"first element one typo from an option", []any{&docTypo{}}, schema.ErrUnknownOption, "Name"},
		{"pointer primary key", []any{&docPtrKey{}}, schema.ErrBadValue, "ID"},
		{"set null on NOT NULL", []any{&docSetNull{}}, schema.ErrBadValue, "OwnerID"},
		{"channel", []any{&docChan{}}, schema.ErrUnsupportedType, "C"},
		{"no primary key", []any{&docNoKey{}}, schema.ErrNoPrimaryKey, ""},
		{"empty enum", []any{&docEmptyEnum{}}, schema.ErrEmptyEnum, "Mood"},
		{"server default on bool", []any{&docZeroDefault{}}, schema.ErrZeroDefault, "Active"},
		{"forgotten relationship", []any{&docForgotRel{}, &docPost{}}, schema.ErrUnsupportedType, "Parent"},
		{"index and unique of one name", []any{&docDupIndex{}}, schema.ErrDuplicateName, ""},
		{"default not parseable", []any{&docTime{}}, schema.ErrBadValue, "Created"},
		{"size on the wrong type", []any{&docJSON{}}, schema.ErrBadValue, "Raw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tables, enums, err := schema.NewMapper().MapAll(tc.models...)
			if err == nil {
				_, err = schema.NewMetadata(tables, enums)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("%v: want %v", err, tc.want)
			}
			var me *schema.ModelError
			if !errors.As(err, &me) {
				t.Fatalf("%v: not a *schema.ModelError", err)
			}
			if tc.field != "" && me.Field != tc.field {
				t.Errorf("ModelError.Field %q, want %q (%v)", me.Field, tc.field, err)
			}
		})
	}
}
