package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/dialect/postgres"
	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/schema"
)

func scalar(name string) schema.Type { return schema.Scalar{Name: name} }

func id() *schema.Column {
	return &schema.Column{Name: "id", Type: scalar("bigint"), Identity: schema.IdentityByDefault}
}

// richMetadata has an enum, arrays, jsonb, a composite unique, a partial
// and an expression index, a self-referential foreign key, a cycle
// between two tables (in either order) and a table in another schema.
func richMetadata(t *testing.T) *schema.Metadata {
	people := &schema.Table{Name: "people", Comment: "everyone", Columns: []*schema.Column{
		id(),
		{Name: "name", Type: schema.Scalar{Name: "character varying", Size: 80}, Comment: "full name"},
		{Name: "mood", Type: schema.EnumRef{Name: "mood"}, ServerDefault: "'ok'"},
		{Name: "moods", Type: schema.Array{Elem: schema.EnumRef{Name: "mood"}}, Nullable: true},
		{Name: "tags", Type: schema.Array{Elem: scalar("text")}, ServerDefault: "'{}'"},
		{Name: "contacts", Type: schema.JSON{Binary: true}, Nullable: true},
		{Name: "boss_id", Type: scalar("bigint"), Nullable: true},
		{Name: "team_id", Type: scalar("bigint"), Nullable: true},
		{Name: "created_at", Type: scalar("timestamp with time zone"), ServerDefault: "now()"},
	},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_people", Columns: []string{"id"}},
		Uniques:    []*schema.Unique{{Name: "uq_people_name_team_id", Columns: []string{"name", "team_id"}}},
		Checks:     []*schema.Check{{Name: "ck_people_name", Expr: "name <> ''"}},
		ForeignKeys: []*schema.ForeignKey{
			{Name: "fk_people_boss_id_people", Columns: []string{"boss_id"}, RefTable: "people", RefColumns: []string{"id"}, OnDelete: schema.SetNull},
			{Name: "fk_people_team_id_teams", Columns: []string{"team_id"}, RefTable: "teams", RefColumns: []string{"id"}},
		},
		Indexes: []*schema.Index{
			{Name: "ix_people_contacts", Columns: []string{"contacts"}, Method: "gin"},
			{Name: "ix_people_lower_name", Exprs: []string{"lower((name)::text)"}, Unique: true, Where: "boss_id IS NULL"},
		},
	}
	teams := &schema.Table{Name: "teams", Columns: []*schema.Column{
		id(),
		{Name: "lead_id", Type: scalar("bigint"), Nullable: true},
		{Name: "last_audit", Type: scalar("integer"), Nullable: true},
	},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_teams", Columns: []string{"id"}},
		ForeignKeys: []*schema.ForeignKey{
			{Name: "fk_teams_lead_id_people", Columns: []string{"lead_id"}, RefTable: "people", RefColumns: []string{"id"}, OnDelete: schema.SetNull},
			{Name: "fk_teams_last_audit_audit", Columns: []string{"last_audit"}, RefSchema: "app", RefTable: "audit", RefColumns: []string{"seq"}},
		},
	}
	audit := &schema.Table{Schema: "app", Name: "audit", Columns: []*schema.Column{
		{Name: "seq", Type: scalar("integer"), Identity: schema.IdentityAlways},
		{Name: "person_id", Type: scalar("bigint")},
		{Name: "at", Type: schema.Scalar{Name: "numeric", Precision: 10, Scale: 3}, Comment: "when"},
		{Name: "kind", Type: schema.EnumRef{Schema: "app", Name: "audit_kind"}, ServerDefault: "'insert'"},
	},
		PrimaryKey:  &schema.PrimaryKey{Name: "pk_audit", Columns: []string{"seq"}},
		ForeignKeys: []*schema.ForeignKey{{Name: "fk_audit_person_id_people", Columns: []string{"person_id"}, RefTable: "people", RefColumns: []string{"id"}, OnDelete: schema.Cascade}},
		Indexes:     []*schema.Index{{Name: "ix_audit_person_id", Columns: []string{"person_id"}}},
		Comment:     "in app",
	}
	m, err := schema.NewMetadata([]*schema.Table{people, teams, audit},
		[]*schema.Enum{{Name: "mood", Values: []string{"sad", "ok", "it's"}}, {Name: "unused", Values: nil},
			{Schema: "app", Name: "audit_kind", Values: []string{"insert", "delete"}}})
	require.NoError(t, err)
	return m
}

func TestCreateAllDropAll(t *testing.T) {
	pool := pgtest.NewPool(t)
	m := richMetadata(t)
	before := ourObjects(t, pool, "app")
	create := must[[]string](t)(pg.CreateAll(m))
	inTx(t, pool, create)
	require.Empty(t, before)
	require.Equal(t, []string{
		"class S app.audit_seq_seq", "class S people_id_seq", "class S teams_id_seq",
		"class i app.ix_audit_person_id", "class i app.pk_audit", "class i ix_people_contacts", "class i ix_people_lower_name",
		"class i pk_people", "class i pk_teams", "class i uq_people_name_team_id",
		"class r app.audit", "class r people", "class r teams",
		"type app.audit", "type app.audit[]", "type app.audit_kind", "type app.audit_kind[]", "type mood", "type mood[]", "type people", "type people[]",
		"type teams", "type teams[]", "type unused", "type unused[]",
	}, ourObjects(t, pool, "app"))

	require.Equal(t, []string{"audit_kind", "mood", "unused"}, strs(t, pool, `SELECT typname::text FROM pg_type WHERE typtype = 'e' ORDER BY 1`))
	require.Equal(t, []string{"sad", "ok", "it's"}, labels(t, pool, "mood"))
	require.Equal(t, []column{
		{Name: "id", Type: "bigint", NotNull: true, Identity: "d"},
		{Name: "name", Type: "character varying(80)", NotNull: true},
		{Name: "mood", Type: "mood", Default: "'ok'::mood", NotNull: true},
		{Name: "moods", Type: "mood[]"},
		{Name: "tags", Type: "text[]", Default: "'{}'::text[]", NotNull: true},
		{Name: "contacts", Type: "jsonb"},
		{Name: "boss_id", Type: "bigint"},
		{Name: "team_id", Type: "bigint"},
		{Name: "created_at", Type: "timestamp with time zone", Default: "now()", NotNull: true},
	}, columns(t, pool, "people"))
	require.Equal(t, []string{
		"ck_people_name: CHECK (((name)::text <> ''::text))",
		"fk_people_boss_id_people: FOREIGN KEY (boss_id) REFERENCES people(id) ON DELETE SET NULL",
		"fk_people_team_id_teams: FOREIGN KEY (team_id) REFERENCES teams(id)",
		"pk_people: PRIMARY KEY (id)",
		"uq_people_name_team_id: UNIQUE (name, team_id)",
	}, constraints(t, pool, "people"))
	require.Equal(t, []string{
		"fk_teams_last_audit_audit: FOREIGN KEY (last_audit) REFERENCES app.audit(seq)",
		"fk_teams_lead_id_people: FOREIGN KEY (lead_id) REFERENCES people(id) ON DELETE SET NULL",
		"pk_teams: PRIMARY KEY (id)",
	}, constraints(t, pool, "teams"))
	require.Contains(t, indexDefs(t, pool, "people"),
		"CREATE UNIQUE INDEX ix_people_lower_name ON public.people USING btree (lower((name)::text)) WHERE (boss_id IS NULL)")
	require.Contains(t, indexDefs(t, pool, "people"), "CREATE INDEX ix_people_contacts ON public.people USING gin (contacts)")
	require.Equal(t, []column{
		{Name: "seq", Type: "integer", NotNull: true, Identity: "a"},
		{Name: "person_id", Type: "bigint", NotNull: true},
		{Name: "at", Type: "numeric(10,3)", NotNull: true},
		{Name: "kind", Type: "app.audit_kind", Default: "'insert'::app.audit_kind", NotNull: true},
	}, columns(t, pool, "app.audit"))
	require.Equal(t, []string{"ix_audit_person_id", "pk_audit"}, strs(t, pool, `SELECT indexname::text FROM pg_indexes WHERE schemaname = 'app' ORDER BY 1`))
	require.Equal(t, []string{"everyone", "full name", "in app", "when"},
		strs(t, pool, `SELECT description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid ORDER BY 1`))
	checkInspect(t, pool, m)

	// the cycle's foreign keys hold both ways
	_, err := pool.Exec(context.Background(), `INSERT INTO teams (lead_id) VALUES (42)`)
	require.ErrorIs(t, pg.Classify(err), dialect.ErrForeignKeyViolation)

	drop := must[[]string](t)(pg.DropAll(m))
	inTx(t, pool, drop)
	require.Equal(t, before, ourObjects(t, pool, "app"), "DropAll leaves no type, table, sequence or index")
	inTx(t, pool, drop) // IF EXISTS: safe on an empty schema
	inTx(t, pool, create)
	inTx(t, pool, drop)
	require.Equal(t, before, ourObjects(t, pool, "app"))
}

// TestDropAllPartial drops a schema CreateAll only half made.
func TestDropAllPartial(t *testing.T) {
	pool := pgtest.NewPool(t)
	execAll(t, pool, "CREATE SCHEMA app")
	m := richMetadata(t)
	before := ourObjects(t, pool, "app")
	create := must[[]string](t)(pg.CreateAll(m))
	for n := range create {
		t.Run(create[n][:20], func(t *testing.T) {
			inTx(t, pool, create[:n])
			inTx(t, pool, must[[]string](t)(pg.DropAll(m)))
			require.Equal(t, before, ourObjects(t, pool, "app"), "after the first %d statements", n)
		})
	}
}

// TestCreateAllOrder puts the cycle's tables in the other order and a
// referencing table before the table it references: CreateAll still runs.
func TestCreateAllOrder(t *testing.T) {
	pool := pgtest.NewPool(t)
	execAll(t, pool, "CREATE SCHEMA app")
	rich := richMetadata(t)
	ts := rich.Tables()
	m, err := schema.NewMetadata([]*schema.Table{ts[2], ts[1], ts[0]}, rich.Enums())
	require.NoError(t, err)
	inTx(t, pool, must[[]string](t)(pg.CreateAll(m)))
	checkInspect(t, pool, rich)
	inTx(t, pool, must[[]string](t)(pg.DropAll(m)))
}

func TestCreateAllErrors(t *testing.T) {
	badIndex := &schema.Table{Name: "c", Indexes: []*schema.Index{{Name: "ix"}}}
	badEnum := &schema.Enum{Name: "e", Values: []string{"\x00"}}
	tests := []struct {
		name   string
		tables []*schema.Table
		enums  []*schema.Enum
	}{
		{"index without columns", []*schema.Table{badIndex}, nil},
		{"bad enum label", nil, []*schema.Enum{badEnum}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := schema.NewMetadata(tc.tables, tc.enums)
			require.NoError(t, err)
			s, err := pg.CreateAll(m)
			require.ErrorIs(t, err, dialect.ErrInvalidDefinition)
			require.Nil(t, s)
		})
	}
}

// checkInspect reads the database back and compares what CreateAll wrote.
func checkInspect(t *testing.T, pool *pgxpool.Pool, want *schema.Metadata) {
	t.Helper()
	ctx := context.Background()
	got, err := postgres.Inspect(ctx, pool, postgres.InspectOptions{Schemas: want.Schemas()})
	require.NoError(t, err)
	for _, we := range want.Enums() {
		ge := got.EnumIn(we.Schema, we.Name)
		require.NotNil(t, ge, we.QualifiedName())
		require.Equal(t, len(we.Values), len(ge.Values), we.QualifiedName())
		for i := range we.Values {
			require.Equal(t, we.Values[i], ge.Values[i])
		}
	}
	for _, wt := range want.Tables() {
		gt := got.TableIn(wt.Schema, wt.Name)
		require.NotNil(t, gt, wt.QualifiedName())
		require.Len(t, gt.Columns, len(wt.Columns))
		for i, wc := range wt.Columns {
			gc := gt.Columns[i]
			require.Equal(t, wc.Name, gc.Name)
			require.True(t, schema.Equal(wc.Type, gc.Type), "%s.%s: %v, want %v", wt.Name, wc.Name, gc.Type, wc.Type)
			require.Equal(t, wc.Nullable, gc.Nullable, wc.Name)
			require.Equal(t, wc.Identity, gc.Identity, wc.Name)
			require.Equal(t, postgres.NormalizeDefault(wc.ServerDefault), postgres.NormalizeDefault(gc.ServerDefault), wc.Name)
			require.Equal(t, wc.Comment, gc.Comment, wc.Name)
		}
		require.Equal(t, wt.PrimaryKey, gt.PrimaryKey)
		require.ElementsMatch(t, wt.Uniques, gt.Uniques)
		require.ElementsMatch(t, wt.ForeignKeys, gt.ForeignKeys)
		require.Len(t, gt.Indexes, len(wt.Indexes))
		require.Equal(t, wt.Comment, gt.Comment)
	}
}

// ourObjects lists every table, sequence, index, view and type in the
// public schema and the given others (the tables' row types and the enums'
// array types included).
func ourObjects(t *testing.T, pool *pgxpool.Pool, schemas ...string) []string {
	t.Helper()
	return strs(t, pool, `
		SELECT 'class ' || relkind::text || ' ' || oid::regclass::text FROM pg_class
		WHERE relnamespace::regnamespace::text = ANY ($1)
		UNION ALL
		SELECT 'type ' || oid::regtype::text FROM pg_type
		WHERE typnamespace::regnamespace::text = ANY ($1)
		ORDER BY 1`, append(schemas, "public"))
}

// inTx runs the statements in one transaction, as orm's CreateAll does.
func inTx(t *testing.T, pool *pgxpool.Pool, stmts []string) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(context.Background(), s); err != nil {
				t.Logf("%s", s)
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
}
