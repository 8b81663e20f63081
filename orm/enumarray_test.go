package orm_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// TestEnumArrayScan: an enum array column (XOwner.Moods, x_mood[]) reads
// into a slice of the enum type in each exec mode, through every path
// that scans a result pgx has no codec for: Raw with SELECT * into the
// model, Raw into another struct and into a slice, Raw's Iter, a Select
// projection, and a bulk Update's RETURNING. The enum type is created
// after the pool was opened, and created again with a new OID (and a new
// label) while the pool is open.
func TestEnumArrayScan(t *testing.T) {
	eachExecMode(t, func(ctx context.Context, t *testing.T, base string, m execMode) {
		db, err := orm.Open(ctx, withURLParam(t, base, "default_query_exec_mode", m.name), execModeRegistry())
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.CreateAll(ctx))
		s := db.Session()
		defer s.Close()
		s.Add(&XOwner{Name: "ann", Mood: "busy", Moods: []XMood{"calm", "busy"}}, &XOwner{Name: "bob", Mood: "calm"})
		require.NoError(t, s.Commit(ctx))
		readAll(ctx, t, db)

		if m.mode != pgx.QueryExecModeCacheStatement && m.mode != pgx.QueryExecModeCacheDescribe {
			// A type dropped and created again gets a new OID; the modes
			// that cache descriptions keep the old one (pgx's caveat).
			_, err := db.Pool().Exec(ctx, `ALTER TABLE x_owners ALTER moods TYPE text[], ALTER mood TYPE text;
				ALTER TABLE x_items ALTER mood TYPE text;
				DROP TYPE x_mood; CREATE TYPE x_mood AS ENUM ('calm', 'busy', 'idle');
				ALTER TABLE x_owners ALTER moods TYPE x_mood[] USING moods::x_mood[], ALTER mood TYPE x_mood USING mood::x_mood;
				ALTER TABLE x_items ALTER mood TYPE x_mood USING mood::x_mood`, pgx.QueryExecModeSimpleProtocol)
			require.NoError(t, err)
			readAll(ctx, t, db)
		}
	})
}

func readAll(ctx context.Context, t *testing.T, db *orm.DB) {
	t.Helper()
	want := []XMood{"calm", "busy"}
	s := db.Session()
	defer s.Close()
	owners, err := orm.Raw[XOwner](s, "SELECT * FROM x_owners WHERE name = ?", "ann").All(ctx)
	require.NoError(t, err)
	require.Len(t, owners, 1)
	require.Equal(t, want, owners[0].Moods)

	type moods struct {
		Name  string
		Moods []XMood
	}
	rows, err := orm.Raw[moods](s, "SELECT name, moods FROM x_owners ORDER BY name").All(ctx)
	require.NoError(t, err)
	require.Equal(t, []*moods{{"ann", want}, {"bob", []XMood{}}}, rows)
	one, err := orm.Raw[[]XMood](s, "SELECT moods FROM x_owners WHERE name = 'ann'").One(ctx)
	require.NoError(t, err)
	require.Equal(t, want, *one)

	fresh := db.Session()
	defer fresh.Close()
	seen := map[string][]XMood{}
	for o, err := range orm.Raw[XOwner](fresh, "SELECT * FROM x_owners ORDER BY name").Iter(ctx) {
		require.NoError(t, err)
		seen[o.Name] = o.Moods
	}
	require.Equal(t, map[string][]XMood{"ann": want, "bob": {}}, seen)

	proj, err := orm.Select[moods](orm.Query[XOwner](s).OrderBy("Name"), "Name", "Moods").All(ctx)
	require.NoError(t, err)
	require.Equal(t, []*moods{{"ann", want}, {"bob", []XMood{}}}, proj)

	n, err := orm.Update[XOwner](s).Set("Moods", orm.SQL("ARRAY['busy']::x_mood[]")).Where("name = 'ann'").Exec(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.Equal(t, []XMood{"busy"}, owners[0].Moods, "the held object takes the returned value")
	require.NoError(t, s.Rollback(ctx))
}
