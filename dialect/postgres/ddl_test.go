package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/schema"
)

// ddlStep renders statements with one DDL method, runs them, and checks
// the catalogs.
type ddlStep struct {
	name  string
	sql   func() ([]string, error)
	check func(t *testing.T, pool *pgxpool.Pool)
}

func one(s string, err error) func() ([]string, error) {
	return func() ([]string, error) { return []string{s}, err }
}

func many(s []string, err error) func() ([]string, error) {
	return func() ([]string, error) { return s, err }
}

// TestDDL runs every DDL method of the dialect, in a sequence where each
// step builds on the last, against a real database.
func TestDDL(t *testing.T) {
	pool := pgtest.NewPool(t)
	steps := append(append(enumSteps(), tableSteps()...), append(columnSteps(), constraintSteps()...)...)
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			execAll(t, pool, must[[]string](t)(s.sql())...)
			s.check(t, pool)
		})
		if !ok {
			t.FailNow() // later steps build on this one
		}
	}
}

func labels(t *testing.T, pool *pgxpool.Pool, enum string) []string {
	return strs(t, pool, `SELECT enumlabel::text FROM pg_enum WHERE enumtypid = $1::regtype ORDER BY enumsortorder`, quote(t, enum))
}

func enumSteps() []ddlStep {
	return []ddlStep{
		{"create enum", one(pg.CreateEnum(&schema.Enum{Name: "mood", Values: []string{"sad", "ok"}})),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, []string{"sad", "ok"}, labels(t, p, "mood")) }},
		{"add enum value before", one(pg.AddEnumValue("", "mood", "meh", "ok", "")),
			func(t *testing.T, p *pgxpool.Pool) {
				require.Equal(t, []string{"sad", "meh", "ok"}, labels(t, p, "mood"))
			}},
		{"add enum value after", one(pg.AddEnumValue("", "mood", "great", "", "sad")),
			func(t *testing.T, p *pgxpool.Pool) {
				require.Equal(t, []string{"sad", "great", "meh", "ok"}, labels(t, p, "mood"))
			}},
		{"add enum value at the end, quoted", one(pg.AddEnumValue("", "mood", `it's \ fine`, "", "")),
			func(t *testing.T, p *pgxpool.Pool) {
				require.Equal(t, []string{"sad", "great", "meh", "ok", `it's \ fine`}, labels(t, p, "mood"))
			}},
		{"rename enum value", one(pg.RenameEnumValue("", "mood", "great", "happy")),
			func(t *testing.T, p *pgxpool.Pool) {
				require.Equal(t, []string{"sad", "happy", "meh", "ok", `it's \ fine`}, labels(t, p, "mood"))
			}},
		{"rename enum", one(pg.RenameEnum("", "mood", "Feeling")),
			func(t *testing.T, p *pgxpool.Pool) {
				require.Equal(t, []string{"Feeling"}, strs(t, p, `SELECT typname::text FROM pg_type WHERE typtype = 'e'`))
			}},
	}
}

// accounts exercises everything CreateTable writes.
func accounts() *schema.Table {
	t := &schema.Table{
		Name: "accounts",
		Columns: []*schema.Column{
			{Name: "id", Type: schema.Scalar{Name: "bigint"}, Identity: schema.IdentityByDefault},
			{Name: "email", Type: schema.Scalar{Name: "character varying", Size: 200}, Comment: "login, o'course"},
			{Name: "balance", Type: schema.Scalar{Name: "numeric", Precision: 12, Scale: 2}, ServerDefault: "0"},
			{Name: "mood", Type: schema.EnumRef{Name: "Feeling"}, Nullable: true, ServerDefault: "'ok'"},
			{Name: "tags", Type: schema.Array{Elem: schema.Scalar{Name: "text"}}, ServerDefault: "'{}'"},
			{Name: "data", Type: schema.JSON{Binary: true}, Nullable: true},
		},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_accounts", Columns: []string{"id"}},
		Uniques:    []*schema.Unique{{Name: "uq_accounts_email", Columns: []string{"email"}}},
		Checks:     []*schema.Check{{Name: "ck_accounts_balance", Expr: "balance >= 0"}},
		Indexes: []*schema.Index{
			{Name: "ix_accounts_lower_email", Exprs: []string{"lower((email)::text)"}, Unique: true, Where: "data IS NOT NULL"},
			{Name: "ix_accounts_tags", Columns: []string{"tags"}, Method: "gin"},
		},
		Comment: "who pays",
	}
	return t
}

func tableSteps() []ddlStep {
	entries := &schema.Table{
		Name: "entries",
		Columns: []*schema.Column{
			{Name: "account_id", Type: schema.Scalar{Name: "bigint"}},
			{Name: "line", Type: schema.Scalar{Name: "integer"}},
			{Name: "parent_line", Type: schema.Scalar{Name: "integer"}, Nullable: true},
		},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_entries", Columns: []string{"account_id", "line"}},
		ForeignKeys: []*schema.ForeignKey{
			{Name: "fk_entries_account", Columns: []string{"account_id"}, RefTable: "accounts", RefColumns: []string{"id"}, OnDelete: schema.Cascade, OnUpdate: schema.Restrict},
			{Name: "fk_entries_parent", Columns: []string{"account_id", "parent_line"}, RefTable: "entries", RefColumns: []string{"account_id", "line"}, OnDelete: schema.SetNull},
		},
	}
	return []ddlStep{
		{"create table", many(pg.CreateTable(accounts())), checkAccounts},
		{"create table with foreign keys", many(pg.CreateTable(entries)), func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, []string{
				"fk_entries_account: FOREIGN KEY (account_id) REFERENCES accounts(id) ON UPDATE RESTRICT ON DELETE CASCADE",
				"fk_entries_parent: FOREIGN KEY (account_id, parent_line) REFERENCES entries(account_id, line) ON DELETE SET NULL",
				"pk_entries: PRIMARY KEY (account_id, line)",
			}, constraints(t, p, "entries"))
		}},
		{"rename table", one(pg.RenameTable("", "entries", "Lines")), func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, []string{"Lines", "accounts"}, strs(t, p, `SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`))
		}},
		{"comment on table", one(pg.CommentOnTable("", "Lines", `it's \n not a newline`)), func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, `it's \n not a newline`, str(t, p, `SELECT obj_description('"Lines"'::regclass, 'pg_class')`))
		}},
		{"comment on table removed", one(pg.CommentOnTable("", "Lines", "")), func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, "none", str(t, p, `SELECT coalesce(obj_description('"Lines"'::regclass, 'pg_class'), 'none')`))
		}},
	}
}

func checkAccounts(t *testing.T, p *pgxpool.Pool) {
	require.Equal(t, []column{
		{Name: "id", Type: "bigint", NotNull: true, Identity: "d"},
		{Name: "email", Type: "character varying(200)", NotNull: true},
		{Name: "balance", Type: "numeric(12,2)", Default: "0", NotNull: true},
		{Name: "mood", Type: `"Feeling"`, Default: `'ok'::"Feeling"`},
		{Name: "tags", Type: "text[]", Default: "'{}'::text[]", NotNull: true},
		{Name: "data", Type: "jsonb"},
	}, columns(t, p, "accounts"))
	require.Equal(t, []string{
		"ck_accounts_balance: CHECK ((balance >= (0)::numeric))",
		"pk_accounts: PRIMARY KEY (id)",
		"uq_accounts_email: UNIQUE (email)",
	}, constraints(t, p, "accounts"))
	require.Equal(t, []string{
		"CREATE UNIQUE INDEX ix_accounts_lower_email ON public.accounts USING btree (lower((email)::text)) WHERE (data IS NOT NULL)",
		"CREATE INDEX ix_accounts_tags ON public.accounts USING gin (tags)",
		"CREATE UNIQUE INDEX pk_accounts ON public.accounts USING btree (id)",
		"CREATE UNIQUE INDEX uq_accounts_email ON public.accounts USING btree (email)",
	}, indexDefs(t, p, "accounts"))
	require.Equal(t, "who pays", str(t, p, `SELECT obj_description('accounts'::regclass, 'pg_class')`))
	require.Equal(t, "login, o'course", str(t, p, `SELECT col_description('accounts'::regclass, 2)`))
}

func columnSteps() []ddlStep {
	lines := func(t *testing.T, p *pgxpool.Pool) []column { return columns(t, p, "Lines") }
	last := func(t *testing.T, p *pgxpool.Pool) column { c := lines(t, p); return c[len(c)-1] }
	note := &schema.Column{Name: "note", Type: schema.Scalar{Name: "text"}, Nullable: true, Comment: "free text"}
	return []ddlStep{
		{"add column", many(pg.AddColumn("", "Lines", note)), func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, column{Name: "note", Type: "text"}, last(t, p))
			require.Equal(t, "free text", str(t, p, `SELECT col_description('"Lines"'::regclass, 4)`))
		}},
		{"add column with identity", many(pg.AddColumn("", "Lines", &schema.Column{Name: "seq", Type: schema.Scalar{Name: "integer"}, Identity: schema.IdentityAlways})),
			func(t *testing.T, p *pgxpool.Pool) {
				require.Equal(t, column{Name: "seq", Type: "integer", NotNull: true, Identity: "a"}, last(t, p))
			}},
		{"identity always to by default", many(pg.AlterColumnIdentity("", "Lines", "seq", schema.IdentityAlways, schema.IdentityByDefault)),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "d", last(t, p).Identity) }},
		{"identity by default to always", many(pg.AlterColumnIdentity("", "Lines", "seq", schema.IdentityByDefault, schema.IdentityAlways)),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "a", last(t, p).Identity) }},
		{"identity dropped", many(pg.AlterColumnIdentity("", "Lines", "seq", schema.IdentityAlways, schema.IdentityNone)),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "", last(t, p).Identity) }},
		{"identity added", many(pg.AlterColumnIdentity("", "Lines", "seq", schema.IdentityNone, schema.IdentityByDefault)),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "d", last(t, p).Identity) }},
		{"drop column", one(pg.DropColumn("", "Lines", "seq")),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "note", last(t, p).Name) }},
		{"rename column", one(pg.RenameColumn("", "Lines", "note", "Memo")),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "Memo", last(t, p).Name) }},
		{"alter column type using", one(pg.AlterColumnType("", "Lines", "Memo", schema.Scalar{Name: "character varying", Size: 40}, `left("Memo", 40)`)),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "character varying(40)", last(t, p).Type) }},
		{"alter column type to enum array", one(pg.AlterColumnType("", "Lines", "Memo", schema.Array{Elem: schema.EnumRef{Name: "Feeling"}}, `ARRAY["Memo"]::text[]::"Feeling"[]`)),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, `"Feeling"[]`, last(t, p).Type) }},
		{"set not null", one(pg.AlterColumnNullable("", "Lines", "Memo", false)),
			func(t *testing.T, p *pgxpool.Pool) { require.True(t, last(t, p).NotNull) }},
		{"drop not null", one(pg.AlterColumnNullable("", "Lines", "Memo", true)),
			func(t *testing.T, p *pgxpool.Pool) { require.False(t, last(t, p).NotNull) }},
		{"set default", one(pg.AlterColumnDefault("", "Lines", "Memo", `'{sad}'`)),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, `'{sad}'::"Feeling"[]`, last(t, p).Default) }},
		{"drop default", one(pg.AlterColumnDefault("", "Lines", "Memo", "")),
			func(t *testing.T, p *pgxpool.Pool) { require.Equal(t, "", last(t, p).Default) }},
		{"comment on column", one(pg.CommentOnColumn("", "Lines", "Memo", "été")), func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, "été", str(t, p, `SELECT col_description('"Lines"'::regclass, 4)`))
		}},
		{"comment on column removed", one(pg.CommentOnColumn("", "Lines", "Memo", "")), func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, "none", str(t, p, `SELECT coalesce(col_description('"Lines"'::regclass, 4), 'none')`))
		}},
	}
}

func constraintSteps() []ddlStep {
	bare := &schema.Table{Name: "bare", Columns: []*schema.Column{
		{Name: "a", Type: schema.Scalar{Name: "bigint"}},
		{Name: "b", Type: schema.Scalar{Name: "text"}, Nullable: true},
	}}
	cons := func(want ...string) func(*testing.T, *pgxpool.Pool) {
		return func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, append([]string{}, want...), constraints(t, p, "bare"))
		}
	}
	idx := func(want ...string) func(*testing.T, *pgxpool.Pool) {
		return func(t *testing.T, p *pgxpool.Pool) {
			require.Equal(t, append([]string{}, want...), strs(t, p, `SELECT indexdef FROM pg_indexes WHERE tablename = 'bare' AND indexname LIKE 'ix%' ORDER BY 1`))
		}
	}
	pk := "pk_bare: PRIMARY KEY (a)"
	uq := "uq_bare_b: UNIQUE (b)"
	fk := "fk_bare_a: FOREIGN KEY (a) REFERENCES accounts(id) ON UPDATE CASCADE ON DELETE SET NULL"
	return []ddlStep{
		{"create bare table", many(pg.CreateTable(bare)), cons()},
		{"add primary key", one(pg.AddPrimaryKey("", "bare", &schema.PrimaryKey{Name: "pk_bare", Columns: []string{"a"}})), cons(pk)},
		{"add unique", one(pg.AddUnique("", "bare", &schema.Unique{Name: "uq_bare_b", Columns: []string{"b"}})), cons(pk, uq)},
		{"add foreign key", one(pg.AddForeignKey("", "bare", &schema.ForeignKey{Name: "fk_bare_a", Columns: []string{"a"}, RefTable: "accounts", RefColumns: []string{"id"}, OnDelete: schema.SetNull, OnUpdate: schema.Cascade})),
			cons(fk, pk, uq)},
		{"add check", one(pg.AddCheck("", "bare", &schema.Check{Name: "ck_bare_b", Expr: "b <> ''"})),
			cons("ck_bare_b: CHECK ((b <> ''::text))", fk, pk, uq)},
		{"rename constraint", one(pg.RenameConstraint("", "bare", "ck_bare_b", "Bare b")),
			cons(`Bare b: CHECK ((b <> ''::text))`, fk, pk, uq)},
		{"drop constraints", many(dropAll(func(table, name string) (string, error) { return pg.DropConstraint("", table, name) }, "bare", "Bare b", "fk_bare_a", "uq_bare_b")), cons(pk)},
		{"create index concurrently", one(pg.CreateIndex("", "bare", &schema.Index{Name: "ix_bare_b", Columns: []string{"b", "a"}}, true)),
			idx("CREATE INDEX ix_bare_b ON public.bare USING btree (b, a)")},
		{"create hash index", one(pg.CreateIndex("", "bare", &schema.Index{Name: "ix_bare_hash", Columns: []string{"b"}, Method: "hash"}, false)),
			idx("CREATE INDEX ix_bare_b ON public.bare USING btree (b, a)", "CREATE INDEX ix_bare_hash ON public.bare USING hash (b)")},
		{"rename index", one(pg.RenameIndex("", "ix_bare_b", "ix_bare_b_a")),
			idx("CREATE INDEX ix_bare_b_a ON public.bare USING btree (b, a)", "CREATE INDEX ix_bare_hash ON public.bare USING hash (b)")},
		{"drop index concurrently", one(pg.DropIndex("", "ix_bare_b_a", true)), idx("CREATE INDEX ix_bare_hash ON public.bare USING hash (b)")},
		{"drop index", one(pg.DropIndex("", "ix_bare_hash", false)), idx()},
		{"drop tables", many(dropAll(func(_, name string) (string, error) { return pg.DropTable("", name) }, "", "bare", "Lines", "accounts")),
			func(t *testing.T, p *pgxpool.Pool) {
				require.Empty(t, strs(t, p, `SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace`))
			}},
		{"drop enum", one(pg.DropEnum("", "Feeling")), func(t *testing.T, p *pgxpool.Pool) {
			require.Empty(t, strs(t, p, `SELECT typname::text FROM pg_type WHERE typnamespace = 'public'::regnamespace`))
		}},
	}
}

// dropAll renders drop(table, name) for each name.
func dropAll(drop func(table, name string) (string, error), table string, names ...string) ([]string, error) {
	var out []string
	for _, n := range names {
		s, err := drop(table, n)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
