package postgres

import "github.com/crucible-orm/crucible/dialect"

// Dialect is the PostgreSQL dialect. The zero value is ready to use; it
// holds no state and is safe for concurrent use.
type Dialect struct{}

var (
	_ dialect.Dialect   = Dialect{}
	_ dialect.TypeNamer = Dialect{}
)

// New returns the PostgreSQL dialect.
func New() *Dialect { return &Dialect{} }

// Name returns "postgres".
func (Dialect) Name() string { return "postgres" }
