package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/schema"
)

// Models of a schema written before identity columns: serial keys, and
// integer foreign keys of every width pointing at them.
type (
	serialParent struct {
		ID int32 `orm:"pk,type:serial"`
	}
	serialChild struct {
		ID       int64 `orm:"pk,type:bigserial"`
		ParentID int16 `orm:"fk:serial_parents.id"`
		SmallID  int32 `orm:"fk:serial_smalls.id"`
	}
	serialSmall struct {
		ID      int16 `orm:"pk,type:smallserial"`
		ChildID int64 `orm:"fk:serial_children.id"`
	}
)

func (serialChild) TableName() string { return "serial_children" }

func TestSerialKeysAreIntegers(t *testing.T) {
	tables, enums, err := schema.NewMapper().MapAll(&serialParent{}, &serialSmall{}, &serialChild{})
	require.NoError(t, err)
	m, err := schema.NewMetadata(tables, enums)
	require.NoError(t, err, "integer keys of any width reference serial keys of any width")
	id := m.Table("serial_parents").Column("id")
	assert.Equal(t, schema.IdentityNone, id.Identity, "a serial key is not also an identity")
	assert.True(t, id.ServerGenerated(), "the database fills a serial key")
	assert.False(t, m.Table("serial_children").Column("parent_id").ServerGenerated())
}

func TestTypeFamiliesOfForeignKeys(t *testing.T) {
	tests := []struct {
		name      string
		key, ref  string
		wantError bool
	}{
		{"integer to serial", "integer", "serial", false},
		{"smallint to serial4", "smallint", "serial4", false},
		{"bigint to smallserial", "bigint", "smallserial", false},
		{"serial8 to bigint", "serial8", "bigint", false},
		{"varchar to text", "varchar(10)", "text", false},
		{"text to serial", "text", "serial", true},
		{"uuid to bigserial", "uuid", "bigserial", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parse := func(s string) schema.Type {
				typ, err := schema.ParseType(s)
				require.NoError(t, err)
				return typ
			}
			parent := &schema.Table{Name: "p", Columns: []*schema.Column{{Name: "id", Type: parse(tc.ref)}},
				PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
			child := &schema.Table{Name: "c", Columns: []*schema.Column{{Name: "id", Type: parse("bigint")}, {Name: "p_id", Type: parse(tc.key)}},
				PrimaryKey:  &schema.PrimaryKey{Columns: []string{"id"}},
				ForeignKeys: []*schema.ForeignKey{{Columns: []string{"p_id"}, RefTable: "p", RefColumns: []string{"id"}}}}
			_, err := schema.NewMetadata([]*schema.Table{parent, child}, nil)
			if tc.wantError {
				require.ErrorIs(t, err, schema.ErrBadValue)
				return
			}
			require.NoError(t, err)
		})
	}
}
