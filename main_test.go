package crucible_test

import (
	"testing"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

// TestMain stops a throwaway PostgreSQL the examples may have started.
func TestMain(m *testing.M) { pgtest.Main(m) }
