package schema_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/schema"
)

type softDeleted struct {
	ID        int64      `orm:"pk"`
	DeletedAt *time.Time `orm:"soft_delete,index"`
}

type softDeleteNotNull struct {
	ID        int64     `orm:"pk"`
	DeletedAt time.Time `orm:"soft_delete"`
}

type softDeleteBool struct {
	ID      int64 `orm:"pk"`
	Deleted *bool `orm:"soft_delete"`
}

func TestSoftDeleteTag(t *testing.T) {
	tbl, _, err := schema.NewMapper().Map(&softDeleted{})
	require.NoError(t, err)
	c := tbl.Column("deleted_at")
	require.True(t, c.SoftDelete)
	require.True(t, c.Nullable)
	require.Len(t, tbl.Indexes, 1, "an ordinary column otherwise")

	cases := []struct {
		name  string
		model any
	}{
		{"not nullable", &softDeleteNotNull{}},
		{"not a timestamp", &softDeleteBool{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := schema.NewMapper().Map(tc.model)
			require.ErrorIs(t, err, schema.ErrBadValue)
			require.ErrorContains(t, err, "soft_delete needs a nullable timestamp")
		})
	}
}
