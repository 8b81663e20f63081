package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/schema"
)

type PaymentStatus string

func (PaymentStatus) EnumValues() []string { return []string{"open", "paid"} }

// Models in a PostgreSQL schema of their own: by TableName, by a blank
// field's tag, with an enum type in that schema and foreign keys across
// schemas.
type (
	salesCustomer struct {
		ID int64
	}
	salesOrder struct {
		ID         int64
		CustomerID int64         `orm:"fk:sales.customers.id,index"`
		Status     PaymentStatus `orm:"enum:sales.payment_status"`
		AccountID  *int64        `orm:"fk:accounts.id"`
	}
	salesOrderLine struct {
		_       struct{} `orm:"schema:sales,table:order_lines,comment:'one line, one product'"`
		ID      int64
		OrderID int64 `orm:"fk:sales.orders.id,unique"`
	}
	account struct {
		ID int64
	}
	publicOrder struct {
		ID int64
	}
)

func (salesCustomer) TableName() string { return "sales.customers" }
func (salesOrder) TableName() string    { return "sales.orders" }
func (publicOrder) TableName() string   { return "orders" }

func TestModelsInSchemas(t *testing.T) {
	tables, enums, err := schema.NewMapper().MapAll(&salesOrderLine{}, &salesOrder{}, &publicOrder{}, &salesCustomer{}, &account{})
	require.NoError(t, err)
	m, err := schema.NewMetadata(tables, enums)
	require.NoError(t, err)

	assert.Equal(t, []string{"sales"}, m.Schemas())
	lines := m.TableIn("sales", "order_lines")
	require.NotNil(t, lines)
	assert.Equal(t, "one line, one product", lines.Comment)
	assert.Equal(t, "sales.order_lines", lines.QualifiedName())
	assert.Equal(t, "uq_order_lines_order_id", lines.Uniques[0].Name, "constraint names use the table name set by the blank field")

	assert.Same(t, m.TableIn("", "orders"), m.Table("orders"), "an unqualified name is the search path's table")
	assert.Same(t, m.TableIn("sales", "orders"), m.Table("sales.orders"))
	assert.NotSame(t, m.Table("orders"), m.Table("sales.orders"))

	orders := m.Table("sales.orders")
	assert.Same(t, m.Table("sales.customers"), m.Referenced(orders.ForeignKeys[0]))
	assert.Same(t, m.Table("accounts"), m.Referenced(orders.ForeignKeys[1]), "fk:accounts.id is the search path's accounts")
	assert.Equal(t, schema.EnumRef{Schema: "sales", Name: "payment_status"}, orders.Column("status").Type)
	assert.Equal(t, "sales.payment_status", orders.Column("status").Type.String())
	require.NotNil(t, m.EnumIn("sales", "payment_status"))
	assert.Nil(t, m.Enum("payment_status"), "the enum is not in the search path's schema")

	var order []string
	for _, tb := range m.Tables() {
		order = append(order, tb.QualifiedName())
	}
	assert.Less(t, indexOf(order, "sales.customers"), indexOf(order, "sales.orders"))
	assert.Less(t, indexOf(order, "accounts"), indexOf(order, "sales.orders"))
	assert.Less(t, indexOf(order, "sales.orders"), indexOf(order, "sales.order_lines"))
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

type (
	schemaTwice struct {
		_  struct{} `orm:"schema:a,schema:b"`
		ID int64
	}
	schemaAndMethod struct {
		_  struct{} `orm:"schema:a"`
		ID int64
	}
	unknownTableOption struct {
		_  struct{} `orm:"shema:a"`
		ID int64
	}
	missingCrossSchemaRef struct {
		ID      int64
		OtherID int64 `orm:"fk:sales.nothing.id"`
	}
)

func (schemaAndMethod) TableName() string { return "x.y" }

// Names a model gives with a dot too many or an empty part.
type (
	dottedSchema struct {
		_  struct{} `orm:"schema:a.b"`
		ID int64
	}
	dottedTableOption struct {
		_  struct{} `orm:"table:sales.orders"`
		ID int64
	}
	threePartTableName struct{ ID int64 }
	emptySchemaName    struct{ ID int64 }
	emptyTableName     struct{ ID int64 }
	dottedEnumName     struct {
		ID     int64
		Status PaymentStatus `orm:"enum:a.b.c"`
	}
	emptyEnumSchema struct {
		ID     int64
		Status PaymentStatus `orm:"enum:.status"`
	}
)

func (threePartTableName) TableName() string { return "a.b.c" }
func (emptySchemaName) TableName() string    { return ".orders" }
func (emptyTableName) TableName() string     { return "sales." }

func TestBadQualifiedNames(t *testing.T) {
	tests := []struct {
		name  string
		model any
		field string
		msg   string
	}{
		{"schema option with a dot", &dottedSchema{}, "_", `schema name "a.b" must be 1 to 63 bytes without a dot or NUL`},
		{"table option with a dot", &dottedTableOption{}, "_", `table name "sales.orders" must be 1 to 63 bytes without a dot or NUL`},
		{"TableName with two dots", &threePartTableName{}, "", `table name "a.b.c": want NAME or SCHEMA.NAME`},
		{"TableName with an empty schema", &emptySchemaName{}, "", `table name ".orders": want NAME or SCHEMA.NAME`},
		{"TableName with an empty name", &emptyTableName{}, "", `table name "sales.": want NAME or SCHEMA.NAME`},
		{"enum name with two dots", &dottedEnumName{}, "Status", `enum type name "a.b.c": want NAME or SCHEMA.NAME`},
		{"enum name with an empty schema", &emptyEnumSchema{}, "Status", `enum type name ".status": want NAME or SCHEMA.NAME`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, _, err := schema.NewMapper().Map(tc.model)
			require.ErrorIs(t, err, schema.ErrBadValue)
			assert.Nil(t, tb)
			var me *schema.ModelError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestBadTableOptions(t *testing.T) {
	tests := []struct {
		name  string
		model any
		is    error
		msg   string
	}{
		{"schema twice", &schemaTwice{}, schema.ErrBadValue, "schema given twice"},
		{"schema and TableName", &schemaAndMethod{}, schema.ErrBadValue, "TableName() already names its table (x.y)"},
		{"unknown option", &unknownTableOption{}, schema.ErrUnknownOption, `"shema" (a blank field takes schema:, table: and comment:)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := schema.NewMapper().Map(tc.model)
			require.ErrorIs(t, err, tc.is)
			var me *schema.ModelError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, "_", me.Field)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	t.Run("fk to a missing table of a described schema", func(t *testing.T) {
		tables, enums, err := schema.NewMapper().MapAll(&salesCustomer{}, &missingCrossSchemaRef{})
		require.NoError(t, err)
		_, err = schema.NewMetadata(tables, enums)
		require.ErrorIs(t, err, schema.ErrMissingRef)
		assert.Contains(t, err.Error(), `fk to table "sales.nothing"`)
	})
	t.Run("fk into a schema the metadata does not describe", func(t *testing.T) {
		tables, enums, err := schema.NewMapper().MapAll(&missingCrossSchemaRef{})
		require.NoError(t, err)
		_, err = schema.NewMetadata(tables, enums)
		require.NoError(t, err, "another schema's tables are not the metadata's to check")
	})
}
