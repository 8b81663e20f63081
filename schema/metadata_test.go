package schema_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/schema"
)

func table(name string, refs ...string) *schema.Table {
	t := &schema.Table{Name: name, Columns: []*schema.Column{{Name: "id", Type: schema.Scalar{Name: "bigint"}}},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	for _, r := range refs {
		t.Columns = append(t.Columns, &schema.Column{Name: r + "_id", Type: schema.Scalar{Name: "int8"}, Nullable: true})
		t.ForeignKeys = append(t.ForeignKeys, &schema.ForeignKey{Columns: []string{r + "_id"}, RefTable: r, RefColumns: []string{"id"}})
	}
	return t
}

func TestMetadataOrder(t *testing.T) {
	tests := []struct {
		name   string
		tables []*schema.Table
		order  []string
		cyclic []string
	}{
		{"given order kept when free", []*schema.Table{table("b"), table("a")}, []string{"b", "a"}, nil},
		{"referenced first", []*schema.Table{table("comments", "posts"), table("posts", "users"), table("users")},
			[]string{"users", "posts", "comments"}, nil},
		{"self reference ignored", []*schema.Table{table("nodes", "nodes")}, []string{"nodes"}, nil},
		{"cycle closed by the first table's key", []*schema.Table{table("a", "b"), table("b", "a"), table("c", "a")},
			[]string{"a", "b", "c"}, []string{"fk_a_b_id_b"}},
		{"three-table cycle", []*schema.Table{table("x", "z"), table("y", "x"), table("z", "y")},
			[]string{"x", "y", "z"}, []string{"fk_x_z_id_z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := schema.NewMetadata(tc.tables, nil)
			require.NoError(t, err)
			var order, cyclic []string
			for _, tb := range m.Tables() {
				order = append(order, tb.Name)
				assert.Equal(t, "pk_"+tb.Name, tb.PrimaryKey.Name, "unnamed constraints get the convention's name")
			}
			for _, fk := range m.CyclicForeignKeys() {
				cyclic = append(cyclic, fk.Name)
			}
			assert.Equal(t, tc.order, order)
			assert.Equal(t, tc.cyclic, cyclic)
			assert.Same(t, tc.tables[0], m.Table(tc.tables[0].Name))
		})
	}
}

type (
	publicUser struct {
		ID int64
	}
	plainUser struct {
		ID int64
	}
	authUser struct {
		ID int64
	}
	order struct {
		ID     int64
		UserID int64 `orm:"fk:users.id"`
	}
	publicSchemaOrder struct {
		ID     int64
		UserID int64 `orm:"fk:public.users.id"`
	}
)

func (publicUser) TableName() string        { return "public.users" }
func (plainUser) TableName() string         { return "users" }
func (authUser) TableName() string          { return "auth.users" }
func (order) TableName() string             { return "orders" }
func (publicSchemaOrder) TableName() string { return "orders" }

// A foreign key that names no schema finds a table of the search path's
// schema, else one of public, and the other way round; the key is pointed
// at the schema of the table it found.
func TestForeignKeySearchPath(t *testing.T) {
	tests := []struct {
		name      string
		models    []any
		refSchema string // the key's RefSchema once resolved
		msg       string // the error, when the key finds no table
	}{
		{"unqualified key to a public table", []any{&publicUser{}, &order{}}, "public", ""},
		{"public key to an unqualified table", []any{&plainUser{}, &publicSchemaOrder{}}, "", ""},
		{"unqualified key, both tables: the search path's", []any{&plainUser{}, &publicUser{}, &order{}}, "", ""},
		{"public key, both tables: public's", []any{&plainUser{}, &publicUser{}, &publicSchemaOrder{}}, "public", ""},
		{"unqualified key to another schema's table", []any{&authUser{}, &order{}}, "",
			`fk to table "users", which is not registered (did you mean fk:auth.users.id?)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tables, enums, err := schema.NewMapper().MapAll(tc.models...)
			require.NoError(t, err)
			m, err := schema.NewMetadata(tables, enums)
			if tc.msg != "" {
				require.ErrorIs(t, err, schema.ErrMissingRef)
				assert.Contains(t, err.Error(), tc.msg)
				return
			}
			require.NoError(t, err)
			fk := m.Table("orders").ForeignKeys[0]
			assert.Equal(t, tc.refSchema, fk.RefSchema)
			ref := m.Referenced(fk)
			require.NotNil(t, ref)
			assert.Equal(t, tc.refSchema, ref.Schema)
			assert.Equal(t, "users", ref.Name)
			assert.Less(t, slices.Index(m.Tables(), ref), slices.Index(m.Tables(), m.Table("orders")), "the referenced table comes first")
		})
	}
}
