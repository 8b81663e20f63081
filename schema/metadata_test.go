package schema_test

import (
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
