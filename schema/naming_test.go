package schema_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/schema"
)

func TestNamingPresets(t *testing.T) {
	long := strings.Repeat("a", 60)
	tests := []struct {
		name            string
		parts           schema.NameParts
		crucible, posix string
	}{
		{"primary key", schema.NameParts{Kind: schema.PrimaryKeyKind, Table: "actor", Columns: []string{"actor_id"}}, "pk_actor", "actor_pkey"},
		{"unique", schema.NameParts{Kind: schema.UniqueKind, Table: "users", Columns: []string{"org_id", "email"}}, "uq_users_org_id_email", "users_org_id_email_key"},
		{"index", schema.NameParts{Kind: schema.IndexKind, Table: "film", Columns: []string{"title"}}, "ix_film_title", "film_title_idx"},
		{"unique index", schema.NameParts{Kind: schema.IndexKind, Table: "film", Columns: []string{"title"}, Unique: true}, "ix_film_title", "film_title_idx"},
		{"foreign key", schema.NameParts{Kind: schema.ForeignKeyKind, Table: "film", Columns: []string{"language_id"}, RefTable: "language"},
			"fk_film_language_id_language", "film_language_id_fkey"},
		{"check of a column", schema.NameParts{Kind: schema.CheckKind, Table: "payment", Columns: []string{"amount"}, Label: "amount"},
			"ck_payment_amount", "payment_amount_check"},
		{"check of two columns", schema.NameParts{Kind: schema.CheckKind, Table: "t", Columns: []string{"a", "b"}, Label: "1"}, "ck_t_1", "t_check"},
		{"long names shortened", schema.NameParts{Kind: schema.UniqueKind, Table: long, Columns: []string{long}},
			schema.ConstraintName("uq", long, long), strings.Repeat("a", 29) + "_" + strings.Repeat("a", 29) + "_key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.crucible, schema.DefaultNaming{}.Name(tc.parts))
			got := schema.PostgresNaming{}.Name(tc.parts)
			assert.Equal(t, tc.posix, got)
			assert.LessOrEqual(t, len(got), schema.MaxIdentLen)
		})
	}
}

// film is a model whose constraints are left to the convention, but for
// the names its tags give.
type film struct {
	_          struct{} `orm:"table:film"`
	FilmID     int64    `orm:"pk"`
	Title      string   `orm:"index"`
	Code       string   `orm:"unique"`
	Store      int64    `orm:"unique:film_store_code_key,position:2"`
	Shelf      int64    `orm:"unique:film_store_code_key,position:1"`
	LanguageID int64    `orm:"fk:language.language_id"`
	Rating     string   `orm:"check:rating <> ''"`
	Length     int64    `orm:"check:length > 0,check_name:film_length_positive"`
	OrigLangID *int64   `orm:"fk:language.language_id,fk_name:film_original_language_fkey"`
}

type language struct {
	_          struct{} `orm:"table:language"`
	LanguageID int64    `orm:"pk:language_pk"`
}

// names lists a table's constraint and index names, by kind.
func names(tb *schema.Table) []string {
	out := []string{"pk " + tb.PrimaryKey.Name}
	for _, u := range tb.Uniques {
		out = append(out, "uq "+u.Name+" "+strings.Join(u.Columns, ","))
	}
	for _, ix := range tb.Indexes {
		out = append(out, "ix "+ix.Name)
	}
	for _, fk := range tb.ForeignKeys {
		out = append(out, "fk "+fk.Name)
	}
	for _, ck := range tb.Checks {
		out = append(out, "ck "+ck.Name)
	}
	return out
}

func TestNamingConvention(t *testing.T) {
	tests := []struct {
		name   string
		opts   []schema.MetadataOption
		film   []string
		langPK string
	}{
		{"default", nil, []string{"pk pk_film", "uq uq_film_code code", "uq film_store_code_key shelf,store", "ix ix_film_title",
			"fk fk_film_language_id_language", "fk film_original_language_fkey", "ck ck_film_rating", "ck film_length_positive"}, "language_pk"},
		{"postgres", []schema.MetadataOption{schema.WithNaming(schema.PostgresNaming{})}, []string{"pk film_pkey", "uq film_code_key code",
			"uq film_store_code_key shelf,store", "ix film_title_idx", "fk film_language_id_fkey", "fk film_original_language_fkey",
			"ck film_rating_check", "ck film_length_positive"}, "language_pk"},
		{"a function", []schema.MetadataOption{schema.WithNaming(schema.NamingFunc(func(p schema.NameParts) string {
			return strings.ReplaceAll(p.Kind.String(), " ", "") + "_" + p.Table + "_" + strings.Join(p.Columns, "_")
		}))}, []string{"pk primarykey_film_film_id", "uq unique_film_code code", "uq film_store_code_key shelf,store", "ix index_film_title",
			"fk foreignkey_film_language_id", "fk film_original_language_fkey", "ck check_film_rating", "ck film_length_positive"}, "language_pk"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tables, _, err := schema.NewMapper().MapAll(&film{}, &language{})
			require.NoError(t, err)
			m, err := schema.NewMetadata(tables, nil, tc.opts...)
			require.NoError(t, err)
			assert.Equal(t, tc.film, names(m.Table("film")))
			assert.Equal(t, tc.langPK, m.Table("language").PrimaryKey.Name)
			assert.Equal(t, []string{"shelf", "store"}, m.Table("film").ConstraintColumns("film_store_code_key"))
		})
	}
}

// A table built by hand with its names left empty gets them from the
// metadata's convention; NameConstraints names it beforehand, and the
// metadata names it again by its own.
func TestNamingHandBuiltTable(t *testing.T) {
	build := func() *schema.Table {
		return &schema.Table{Name: "tags", Columns: []*schema.Column{{Name: "id", Type: schema.Scalar{Name: "bigint"}}, {Name: "label", Type: schema.Scalar{Name: "text"}}},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}, Indexes: []*schema.Index{{Columns: []string{"label"}}},
			Checks: []*schema.Check{{Expr: "label <> ''"}, {Name: "tags_label_short", Expr: "length(label) < 100"}}}
	}
	tb := build()
	tb.NameConstraints(nil)
	assert.Equal(t, []string{"pk pk_tags", "ix ix_tags_label", "ck ck_tags_1", "ck tags_label_short"}, names(tb))
	m, err := schema.NewMetadata([]*schema.Table{tb}, nil, schema.WithNaming(schema.PostgresNaming{}))
	require.NoError(t, err)
	assert.Equal(t, schema.Naming(schema.PostgresNaming{}), m.Naming())
	assert.Equal(t, []string{"pk tags_pkey", "ix tags_label_idx", "ck tags_label_check", "ck tags_label_short"}, names(tb))

	_, err = schema.NewMetadata([]*schema.Table{tb}, nil)
	require.ErrorIs(t, err, schema.ErrBadName, "a table of one Metadata is not renamed by another")
	assert.Contains(t, err.Error(), "already part of a Metadata that named its primary key tags_pkey, not pk_tags")
	_, err = schema.NewMetadata([]*schema.Table{tb}, nil, schema.WithNaming(schema.PostgresNaming{}))
	require.NoError(t, err, "the same convention again")
}

type (
	fkNameWithoutFK struct {
		ID int64
		A  int64 `orm:"fk_name:x_fkey"`
	}
	checkNameWithoutCheck struct {
		ID int64
		A  int64 `orm:"check_name:x_check"`
	}
	longPKName struct {
		ID int64 `orm:"pk:a123456789a123456789a123456789a123456789a123456789a123456789abcd"`
	}
	usingOnUniqueConstraint struct {
		ID int64
		A  string `orm:"unique:uq_a,using:hash"`
	}
	uniqueAndIndexOneName struct {
		ID int64
		A  string `orm:"unique:ab"`
		B  string `orm:"index:ab"`
	}
	twoPKNames struct {
		A int64 `orm:"pk:one"`
		B int64 `orm:"pk:two"`
	}
)

func TestBadNameTags(t *testing.T) {
	tests := []struct {
		name  string
		model any
		is    error
		field string
		msg   string
	}{
		{"fk_name without fk", &fkNameWithoutFK{}, schema.ErrBadValue, "A", "fk_name:x_fkey without fk"},
		{"check_name without check", &checkNameWithoutCheck{}, schema.ErrBadValue, "A", "check_name:x_check without check"},
		{"name too long", &longPKName{}, schema.ErrBadName, "ID", "must be 1 to 63 bytes"},
		{"using on a unique constraint", &usingOnUniqueConstraint{}, schema.ErrBadValue, "A", "unique:uq_a is a UNIQUE constraint, which takes position: only"},
		{"one name for a constraint and an index", &uniqueAndIndexOneName{}, schema.ErrDuplicateName, "B", "ab is declared both as a UNIQUE constraint (unique:ab) and as an index"},
		{"primary key named twice", &twoPKNames{}, schema.ErrBadValue, "B", "the primary key is named both one and two"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, _, err := schema.NewMapper().Map(tc.model)
			require.ErrorIs(t, err, tc.is)
			assert.Nil(t, tb)
			var me *schema.ModelError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

type (
	// Under PostgresNaming, `unique` on Code is named codes_code_key,
	// which index:codes_code_key also takes.
	clashingNames struct {
		ID   int64
		Code string `orm:"unique"`
		Alt  string `orm:"index:codes_code_key"`
	}
	// An index named like a table of the schema.
	indexNamedLikeTable struct {
		ID   int64
		Code string `orm:"index:codes"`
	}
	// Two checks given one name.
	checksOneName struct {
		ID int64
		A  int64 `orm:"check:a > 0,check_name:positive"`
		B  int64 `orm:"check:b > 0,check_name:positive"`
	}
)

func (clashingNames) TableName() string       { return "codes" }
func (indexNamedLikeTable) TableName() string { return "codes" }

func TestDuplicateNames(t *testing.T) {
	long := schema.NamingFunc(func(p schema.NameParts) string { return strings.Repeat("x", 64) })
	empty := schema.NamingFunc(func(schema.NameParts) string { return "" })
	tests := []struct {
		name   string
		models []any
		naming schema.Naming
		is     error
		field  string
		msg    string
	}{
		{"unique and index", []any{&clashingNames{}}, schema.PostgresNaming{}, schema.ErrDuplicateName, "Alt",
			"index codes_code_key of table codes has the name of unique codes_code_key of table codes"},
		{"index and table", []any{&indexNamedLikeTable{}}, nil, schema.ErrDuplicateName, "Code", "index codes of table codes has the name of table codes"},
		{"two checks", []any{&checksOneName{}}, nil, schema.ErrDuplicateName, "B", "check positive of table checks_one_names has the name of its check positive"},
		{"a convention's name too long", []any{&film{}, &language{}}, long, schema.ErrBadName, "FilmID", "must be 1 to 63 bytes"},
		{"a convention's empty name", []any{&film{}, &language{}}, empty, schema.ErrBadName, "FilmID", `name "" must be`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tables, enums, err := schema.NewMapper().MapAll(tc.models...)
			require.NoError(t, err)
			_, err = schema.NewMetadata(tables, enums, schema.WithNaming(tc.naming))
			require.ErrorIs(t, err, tc.is)
			var me *schema.ModelError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tc.field, me.Field)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// FuzzCheckNaming names a check of any expression by PostgresNaming: the
// scan of the expression for columns never fails, and the name is the
// table's, then at most one column, then "check".
func FuzzCheckNaming(f *testing.F) {
	for _, s := range []string{"amount >= 0", `"Amount" > 0 AND "a""b" <> ''`, "length(title) > 0", "title::text <> E'it''s'",
		"t.amount > 0", `"unterminated`, "'unterminated", "1e5 < amount", "é > 0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		tb := &schema.Table{Name: "payment", Columns: []*schema.Column{{Name: "amount", Type: schema.Scalar{Name: "integer"}},
			{Name: "Amount", Type: schema.Scalar{Name: "integer"}}, {Name: `a"b`, Type: schema.Scalar{Name: "integer"}}},
			Checks: []*schema.Check{{Expr: expr}}}
		if _, err := schema.NewMetadata([]*schema.Table{tb}, nil, schema.WithNaming(schema.PostgresNaming{})); err != nil {
			t.Fatalf("NewMetadata with check %q: %v", expr, err)
		}
		switch name := tb.Checks[0].Name; name {
		case "payment_check", "payment_amount_check", "payment_Amount_check", `payment_a"b_check`:
		default:
			t.Fatalf("check %q named %q", expr, name)
		}
	})
}
