package schema

// EnumValuer is implemented by a named string type that maps to a native
// PostgreSQL enum. The order of the returned values is the order of the
// enum's labels in the database.
type EnumValuer interface {
	// EnumValues returns the labels in order; it is called on the zero
	// value, once, when the model is mapped.
	EnumValues() []string
}

// Enum is a PostgreSQL enum type: CREATE TYPE Name AS ENUM (Values...).
type Enum struct {
	Schema string   // "" means the search path's first schema
	Name   string   // type name, snake_case of the Go type unless `enum:NAME`
	Values []string // labels in database order
}
