package schema_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/internal/blogtest"
	"github.com/crucible-orm/crucible/schema"
)

// Bad models: each is reported at registration with the Go type, the
// field and the tag in its message, and a matchable cause.

type (
	unknownOption struct {
		ID   int64  `orm:"pk"`
		Name string `orm:"uniqe"`
	}
	badSize struct {
		ID   int64  `orm:"pk"`
		Name string `orm:"size:ten"`
	}
	sizeOnInt struct {
		ID  int64 `orm:"pk"`
		Age int   `orm:"size:3"`
	}
	badDefaultInt struct {
		ID   int64 `orm:"pk"`
		Rank int   `orm:"default:high"`
	}
	badDefaultBool struct {
		ID int64 `orm:"pk"`
		On *bool `orm:"default:yes please"`
	}
	badDefaultEnum struct {
		ID   int64 `orm:"pk"`
		Mood Mood  `orm:"default:angry"`
	}
	defaultOnTime struct {
		ID int64     `orm:"pk"`
		At time.Time `orm:"default:now"`
	}
	zeroBool struct {
		ID     int64 `orm:"pk"`
		Active bool  `orm:"server_default:true"`
	}
	zeroInt struct {
		ID    int64 `orm:"pk"`
		Stock int   `orm:"server_default:10"`
	}
	zeroString struct {
		ID    int64  `orm:"pk"`
		Title string `orm:"server_default:'untitled'"`
	}
	unsupportedChan struct {
		ID int64 `orm:"pk"`
		C  chan int
	}
	unsupportedFunc struct {
		ID int64 `orm:"pk"`
		F  func()
	}
	unsupportedIface struct {
		ID int64 `orm:"pk"`
		V  any
	}
	unsupportedMatrix struct {
		ID int64 `orm:"pk"`
		M  [][]int
	}
	noPrimaryKey struct {
		Name string
	}
	nullablePK struct {
		Code *string `orm:"pk"`
	}
	versionString struct {
		ID      int64  `orm:"pk"`
		Version string `orm:"version"`
	}
	identityString struct {
		ID   int64  `orm:"pk"`
		Code string `orm:"identity"`
	}
	badIdentity struct {
		ID int64 `orm:"pk,identity:sometimes"`
	}
	badFK struct {
		ID     int64 `orm:"pk"`
		UserID int64 `orm:"fk:users"`
	}
	badAction struct {
		ID     int64 `orm:"pk"`
		UserID int64 `orm:"fk:users.id,ondelete:explode"`
	}
	setNullNotNull struct {
		ID     int64 `orm:"pk"`
		UserID int64 `orm:"fk:users.id,ondelete:set null"`
	}
	ondeleteWithoutFK struct {
		ID     int64 `orm:"pk"`
		UserID int64 `orm:"ondelete:cascade"`
	}
	enumWithoutValuer struct {
		ID   int64  `orm:"pk"`
		Kind string `orm:"enum:kind"`
	}
	emptyEnumModel struct {
		ID  int64 `orm:"pk"`
		Val emptyEnum
	}
	repeatedEnumModel struct {
		ID  int64 `orm:"pk"`
		Val repeatedEnum
	}
	malformedTag struct {
		ID   int64  `orm:"pk"`
		Name string `orm:"check:(length(name) > 0"`
	}
	emptyOption struct {
		ID   int64  `orm:"pk,,unique"`
		Name string //
	}
	badType struct {
		ID   int64  `orm:"pk"`
		Name string `orm:"type:varchar(x)"`
	}
	uniqueIndexWithoutName struct {
		ID   int64  `orm:"pk"`
		Name string `orm:"unique_index"`
	}
	mixedIndex struct {
		ID int64  `orm:"pk"`
		A  string `orm:"index:ix_ab"`
		B  string `orm:"unique_index:ix_ab"`
	}
	badScale struct {
		ID    int64   `orm:"pk"`
		Price float64 `orm:"precision:4,scale:6"`
	}
	precisionOnString struct {
		ID   int64  `orm:"pk"`
		Name string `orm:"precision:4"`
	}
	flagWithValue struct {
		ID int64
		V  int64 `orm:"version:yes"`
	}
	duplicateColumn struct {
		ID    int64  `orm:"pk"`
		Name  string //
		Label string `orm:"name"`
	}
	badRelationType struct {
		ID    int64           `orm:"pk"`
		Posts []blogtest.Post `rel:"one_to_many"`
	}
	longColumn struct {
		ID int64  `orm:"pk"`
		X  string `orm:"a_column_name_that_is_far_too_long_for_postgresql_identifiers_really"`
	}
	notAStruct int
	twice      struct {
		ID int64 `orm:"pk,pk"`
	}
	forgotRel struct {
		ID     int64 `orm:"pk"`
		Author *refUser
	}
	forgotRelMany struct {
		ID    int64 `orm:"pk"`
		Posts []*blogtest.Post
	}
	pgPoint struct {
		ID int64 `orm:"pk"`
		At pgtype.Point
	}
)

type emptyEnum string

func (emptyEnum) EnumValues() []string { return nil }

type repeatedEnum string

func (repeatedEnum) EnumValues() []string { return []string{"a", "b", "a"} }

func TestBadModels(t *testing.T) {
	tests := []struct {
		name  string
		model any
		is    error
		field string // "" for a type-level mistake
		msg   string // a part of the message
	}{
		{"unknown option", &unknownOption{}, schema.ErrUnknownOption, "Name", `unknown option "uniqe" (did you mean unique?`},
		{"size not a number", &badSize{}, schema.ErrBadValue, "Name", "size:ten is not a positive number"},
		{"size on an int", &sizeOnInt{}, schema.ErrBadValue, "Age", "size applies to string columns"},
		{"default not an int", &badDefaultInt{}, schema.ErrBadValue, "Rank", "default:high is not a int"},
		{"default not a bool", &badDefaultBool{}, schema.ErrBadValue, "On", "default:yes please is not a bool"},
		{"default not an enum value", &badDefaultEnum{}, schema.ErrBadValue, "Mood", "not a value of enum mood"},
		{"default on a time", &defaultOnTime{}, schema.ErrBadValue, "At", "use server_default"},
		{"server default hides false", &zeroBool{}, schema.ErrZeroDefault, "Active", "use a pointer type (*bool)"},
		{"server default hides 0", &zeroInt{}, schema.ErrZeroDefault, "Stock", "zero value 0 could never be inserted"},
		{"server default hides empty string", &zeroString{}, schema.ErrZeroDefault, "Title", `zero value ""`},
		{"channel", &unsupportedChan{}, schema.ErrUnsupportedType, "C", "chan int"},
		{"func", &unsupportedFunc{}, schema.ErrUnsupportedType, "F", "func()"},
		{"interface", &unsupportedIface{}, schema.ErrUnsupportedType, "V", "interface {}"},
		{"nested slice", &unsupportedMatrix{}, schema.ErrUnsupportedType, "M", "multi-dimensional"},
		{"no primary key", &noPrimaryKey{}, schema.ErrNoPrimaryKey, "", "tag a field"},
		{"nullable primary key", &nullablePK{}, schema.ErrBadValue, "Code", "primary key column cannot be NULL"},
		{"version on a string", &versionString{}, schema.ErrBadValue, "Version", "version needs a non-pointer integer"},
		{"identity on a string", &identityString{}, schema.ErrBadValue, "Code", "identity needs a non-pointer integer"},
		{"unknown identity kind", &badIdentity{}, schema.ErrBadValue, "ID", "identity:sometimes"},
		{"fk without column", &badFK{}, schema.ErrBadValue, "UserID", "want fk:table.column"},
		{"unknown ondelete action", &badAction{}, schema.ErrBadValue, "UserID", "ondelete:explode"},
		{"set null on NOT NULL", &setNullNotNull{}, schema.ErrBadValue, "UserID", "cannot be NULL; use a pointer"},
		{"ondelete without fk", &ondeleteWithoutFK{}, schema.ErrBadValue, "UserID", "ondelete without fk"},
		{"enum on a plain string", &enumWithoutValuer{}, schema.ErrBadValue, "Kind", "EnumValues() []string"},
		{"enum without values", &emptyEnumModel{}, schema.ErrEmptyEnum, "Val", "EnumValues() returned none"},
		{"enum with a repeated value", &repeatedEnumModel{}, schema.ErrBadValue, "Val", `repeated value "a"`},
		{"unbalanced parenthesis", &malformedTag{}, schema.ErrBadValue, "Name", "unbalanced brackets"},
		{"empty option", &emptyOption{}, schema.ErrBadValue, "ID", "empty option"},
		{"malformed type", &badType{}, schema.ErrBadValue, "Name", "type:varchar(x)"},
		{"unique_index without a name", &uniqueIndexWithoutName{}, schema.ErrBadValue, "Name", "unique_index needs a value"},
		{"index both unique and not", &mixedIndex{}, schema.ErrBadValue, "B", "both as index and as unique_index"},
		{"scale above precision", &badScale{}, schema.ErrBadValue, "Price", "scale 6 is larger than precision 4"},
		{"precision on a string", &precisionOnString{}, schema.ErrBadValue, "Name", "precision applies to numeric columns"},
		{"flag with a value", &flagWithValue{}, schema.ErrBadValue, "V", "version takes no value"},
		{"two fields, one column", &duplicateColumn{}, schema.ErrBadValue, "Label", `column "name" is also mapped from field Name`},
		{"relation of values", &badRelationType{}, schema.ErrUnsupportedType, "Posts", "*T or []*T"},
		{"identifier too long", &longColumn{}, schema.ErrBadValue, "X", "must be 1 to 63 bytes"},
		{"an option twice", &twice{}, schema.ErrBadValue, "ID", "pk given twice"},
		{"forgotten rel tag", &forgotRel{}, schema.ErrUnsupportedType, "Author", "looks like a relationship without its rel tag"},
		{"forgotten rel tag on a slice", &forgotRelMany{}, schema.ErrUnsupportedType, "Posts", "add rel:"},
		{"pgtype without a default type", &pgPoint{}, schema.ErrUnsupportedType, "At", "pgtype.Point has no default column type"},
		{"not a struct", new(notAStruct), schema.ErrUnsupportedType, "", "a model is a struct"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, enums, err := schema.NewMapper().Map(tc.model)
			require.Error(t, err)
			assert.Nil(t, tb, "nothing is mapped from a bad model")
			assert.Nil(t, enums)
			require.ErrorIs(t, err, tc.is)
			var me *schema.ModelError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
			assert.Contains(t, err.Error(), tc.msg)
			if tc.field != "" {
				assert.Contains(t, err.Error(), "schema_test.", "the message names the Go type")
				assert.Contains(t, err.Error(), "field "+tc.field)
				assert.Contains(t, err.Error(), "tag `", "the message quotes the tag")
			}
		})
	}
}

type twoMistakes struct {
	ID    int64  `orm:"pk"`
	A     string `orm:"indx"`
	Count int    `orm:"server_default:1"`
}

func TestAllMistakesAtOnce(t *testing.T) {
	_, _, err := schema.NewMapper().MapAll(&twoMistakes{}, &unknownOption{}, &zeroBool{})
	require.Error(t, err)
	var fields []string
	for _, e := range flatten(err) {
		var me *schema.ModelError
		require.ErrorAs(t, e, &me)
		fields = append(fields, me.Type.Name()+"."+me.Field)
	}
	assert.Equal(t, []string{"twoMistakes.A", "twoMistakes.Count", "unknownOption.Name", "zeroBool.Active"}, fields)
}

// flatten returns the leaves of joined errors.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

type (
	refUser struct {
		ID int64 `orm:"pk"`
	}
	refMissingTable struct {
		ID      int64 `orm:"pk"`
		OwnerID int64 `orm:"fk:owners.id"`
	}
	refMissingColumn struct {
		ID     int64 `orm:"pk"`
		UserID int64 `orm:"fk:ref_users.uid"`
	}
	refWrongType struct {
		ID     int64  `orm:"pk"`
		UserID string `orm:"fk:ref_users.id"`
	}
	refTwin struct {
		ID int64 `orm:"pk"`
	}
)

func (refTwin) TableName() string { return "ref_users" }

func TestMetadataReferences(t *testing.T) {
	tests := []struct {
		name   string
		models []any
		is     error
		field  string
		msg    string
	}{
		{"fk to a missing table", []any{&refUser{}, &refMissingTable{}}, schema.ErrMissingRef, "OwnerID", `fk to table "owners", which is not registered`},
		{"fk to a missing column", []any{&refUser{}, &refMissingColumn{}}, schema.ErrMissingRef, "UserID", `has no column "uid" (it has id)`},
		{"fk of another type", []any{&refUser{}, &refWrongType{}}, schema.ErrBadValue, "UserID", "column user_id is text but references ref_users.id of type bigint"},
		{"two models, one table", []any{&refUser{}, &refTwin{}}, schema.ErrDuplicateTable, "", "ref_users is already the table of schema_test.refUser"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tables, enums, err := schema.NewMapper().MapAll(tc.models...)
			require.NoError(t, err, "each model is fine on its own")
			m, err := schema.NewMetadata(tables, enums)
			require.Nil(t, m)
			require.ErrorIs(t, err, tc.is)
			var me *schema.ModelError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

type moodA struct {
	ID   int64 `orm:"pk"`
	Mood Mood
}

type otherMood string

func (otherMood) EnumValues() []string { return []string{"x"} }

type moodB struct {
	ID   int64     `orm:"pk"`
	Mood otherMood `orm:"enum:mood"`
}

func TestEnumConflicts(t *testing.T) {
	_, _, err := schema.NewMapper().MapAll(&moodA{}, &moodB{})
	require.ErrorIs(t, err, schema.ErrBadValue)
	assert.Contains(t, err.Error(), "enum type mood is declared twice with different values")

	users := &schema.Table{Name: "t", Columns: []*schema.Column{{Name: "m", Type: schema.EnumRef{Name: "nope"}}}}
	_, err = schema.NewMetadata([]*schema.Table{users}, nil)
	require.ErrorIs(t, err, schema.ErrMissingRef)
	assert.Contains(t, err.Error(), "enum type nope, which is not declared")
	assert.False(t, errors.Is(err, schema.ErrDuplicateTable))
}
