package schema_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/schema"
)

// rental declares its indexes in every form the tag grammar has.
type rental struct {
	ID          int64    `orm:"pk"`
	RentalDate  int64    `orm:"unique_index:idx_unq_rental,position:1"`
	CustomerID  int64    `orm:"unique_index:idx_unq_rental,position:3,index:idx_fk_customer,using:hash"`
	InventoryID int64    `orm:"unique_index:idx_unq_rental,position:2"`
	LastName    string   `orm:"index:idx_last_name,opclass:Text_Pattern_Ops,where:active"`
	Active      bool     `orm:"index:idx_last_name"`
	Features    []string `orm:"index,using:GIN"`
	Fulltext    string   `orm:"type:tsvector,index:film_fulltext_idx,using:gist"`
	At          int64    `orm:"index:idx_at,using:btree"`
	Email       string   `orm:"unique_index:uq_live_email,where:deleted IS NULL"`
	Deleted     *int64
}

func TestMapIndexOptions(t *testing.T) {
	tb, _, err := schema.NewMapper().Map(&rental{})
	require.NoError(t, err)
	want := []*schema.Index{
		{Name: "idx_unq_rental", Columns: []string{"rental_date", "inventory_id", "customer_id"}, Unique: true},
		{Name: "idx_fk_customer", Columns: []string{"customer_id"}, Method: "hash"},
		{Name: "idx_last_name", Columns: []string{"last_name", "active"}, Where: "active", OpClasses: []string{"text_pattern_ops", ""}},
		{Name: "ix_rentals_features", Columns: []string{"features"}, Method: "gin"},
		{Name: "film_fulltext_idx", Columns: []string{"fulltext"}, Method: "gist"},
		{Name: "idx_at", Columns: []string{"at"}},
		{Name: "uq_live_email", Columns: []string{"email"}, Unique: true, Where: "deleted IS NULL"},
	}
	assert.Equal(t, want, tb.Indexes)
}

type (
	usingWithoutIndex struct {
		ID   int64  `orm:"pk"`
		Body string `orm:"using:gin"`
	}
	unknownMethod struct {
		ID   int64  `orm:"pk"`
		Body string `orm:"index,using:gni"`
	}
	methodsDisagree struct {
		ID int64  `orm:"pk"`
		A  string `orm:"index:ix_ab,using:gin"`
		B  string `orm:"index:ix_ab,using:gist"`
	}
	predicatesDisagree struct {
		ID int64  `orm:"pk"`
		A  string `orm:"index:ix_ab,where:a <> ''"`
		B  string `orm:"index:ix_ab,where:b <> ''"`
	}
	positionTwice struct {
		ID int64 `orm:"pk"`
		A  int   `orm:"index:ix_ab,position:1"`
		B  int   `orm:"index:ix_ab,position:1"`
	}
	positionPartly struct {
		ID int64 `orm:"pk"`
		A  int   `orm:"index:ix_ab,position:2"`
		B  int   `orm:"index:ix_ab"`
	}
	positionBeyond struct {
		ID int64 `orm:"pk"`
		A  int   `orm:"index:ix_ab,position:3"`
		B  int   `orm:"index:ix_ab,position:1"`
	}
	positionZero struct {
		ID int64 `orm:"pk"`
		A  int   `orm:"index:ix_a,position:0"`
	}
	modifierTwice struct {
		ID int64 `orm:"pk"`
		A  int   `orm:"index,using:hash,using:gin"`
	}
	badOpclass struct {
		ID int64  `orm:"pk"`
		A  string `orm:"index,opclass:text ops"`
	}
	uniqueGin struct {
		ID int64    `orm:"pk"`
		A  []string `orm:"unique_index:ux_a,using:gin"`
	}
	uniqueHash struct {
		ID int64  `orm:"pk"`
		A  string `orm:"unique_index:ux_ab"`
		B  string `orm:"unique_index:ux_ab,using:hash"`
	}
	hashTwoColumns struct {
		ID int64  `orm:"pk"`
		A  string `orm:"index:ix_ab,using:hash"`
		B  string `orm:"index:ix_ab"`
	}
	spgistTwoColumns struct {
		ID int64  `orm:"pk"`
		A  string `orm:"index:ix_ab"`
		B  string `orm:"index:ix_ab,using:spgist"`
	}
)

func TestBadIndexTags(t *testing.T) {
	tests := []struct {
		name  string
		model any
		field string
		msg   string
	}{
		{"using without an index", &usingWithoutIndex{}, "Body", "using:gin qualifies an index"},
		{"unknown method", &unknownMethod{}, "Body", "using:gni (want one of btree, hash, gist, spgist, gin, brin)"},
		{"methods disagree", &methodsDisagree{}, "B", "index ix_ab is using:gin on column a but using:gist here"},
		{"predicates disagree", &predicatesDisagree{}, "B", "index ix_ab has where:a <> '' on column a"},
		{"one position twice", &positionTwice{}, "B", "index ix_ab has column a at position:1 already"},
		{"positions for some columns", &positionPartly{}, "A", "gives position: for 1 of its 2 columns"},
		{"position beyond the columns", &positionBeyond{}, "A", "column a cannot be at position:3"},
		{"position zero", &positionZero{}, "A", "position:0 is not a positive number"},
		{"modifier twice", &modifierTwice{}, "A", "using given twice for one index"},
		{"operator class with a space", &badOpclass{}, "A", "opclass:text ops is not an operator class name"},
		{"unique gin index", &uniqueGin{}, "A", "index ux_a is unique, which only btree indexes can be, not using:gin"},
		{"unique hash index", &uniqueHash{}, "B", "index ux_ab is unique, which only btree indexes can be, not using:hash"},
		{"hash index of two columns", &hashTwoColumns{}, "A", "index ix_ab has 2 columns; a using:hash index takes one"},
		{"spgist index of two columns", &spgistTwoColumns{}, "B", "index ix_ab has 2 columns; a using:spgist index takes one"},
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
