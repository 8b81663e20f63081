package migrate

// CreateSchema creates a PostgreSQL schema. Autogenerate puts it before
// the first table or type the models declare in it. Its reverse is
// [DropSchema].
type CreateSchema struct {
	Name string // the schema's name
}

// DropSchema drops an empty PostgreSQL schema (without CASCADE: a schema
// that still holds anything makes it fail). Autogenerate drops only a
// schema that a revision created and that no model uses any more.
type DropSchema struct {
	Name string // the schema's name; it must be empty
}

// Reverse returns the [DropSchema].
func (o CreateSchema) Reverse() (Op, error) { return DropSchema(o), nil }

// String returns "create schema NAME".
func (o CreateSchema) String() string { return "create schema " + o.Name }

func (o CreateSchema) statements(d DDL) ([]string, error) { return one(d.CreateSchema(o.Name)) }

// Reverse returns the [CreateSchema].
func (o DropSchema) Reverse() (Op, error) { return CreateSchema(o), nil }

// String returns "drop schema NAME".
func (o DropSchema) String() string { return "drop schema " + o.Name }

func (o DropSchema) statements(d DDL) ([]string, error) { return one(d.DropSchema(o.Name)) }
