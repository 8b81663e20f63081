package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crucible-orm/crucible/schema"
)

func TestConstraintColumns(t *testing.T) {
	tb := &schema.Table{
		Name:        "seats",
		PrimaryKey:  &schema.PrimaryKey{Name: "pk_seats", Columns: []string{"hall", "number"}},
		Uniques:     []*schema.Unique{{Name: "uq_seats_label", Columns: []string{"label"}}},
		ForeignKeys: []*schema.ForeignKey{{Name: "fk_seats_hall_id_halls", Columns: []string{"hall_id"}, RefTable: "halls", RefColumns: []string{"id"}}},
		Indexes: []*schema.Index{
			{Name: "ux_seats_place", Columns: []string{"row", "place"}, Unique: true},
			{Name: "ix_seats_row", Columns: []string{"row"}},
			{Name: "ux_seats_lower_label", Exprs: []string{"lower(label)"}, Unique: true},
		},
		Checks: []*schema.Check{{Name: "ck_seats_number", Expr: "number > 0"}},
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"pk_seats", []string{"hall", "number"}},
		{"uq_seats_label", []string{"label"}},
		{"ux_seats_place", []string{"row", "place"}},
		{"fk_seats_hall_id_halls", []string{"hall_id"}},
		{"ix_seats_row", nil},         // not unique: never violated
		{"ux_seats_lower_label", nil}, // an expression, not columns
		{"ck_seats_number", nil},      // a check has no key
		{"nope", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tb.ConstraintColumns(tc.name)
			assert.Equal(t, tc.want, got)
			if len(got) > 0 {
				got[0] = "changed"
				assert.Equal(t, tc.want, tb.ConstraintColumns(tc.name), "a copy")
			}
		})
	}
}
