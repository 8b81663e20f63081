package orm_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// XName and XCount are named types of basic kinds without methods.
type (
	XName  string
	XCount int64
)

// TestCallerArgsEachMode: every value a model field can hold works as a
// caller's query argument in each exec mode (Where, Having, Expr, Raw,
// Exec, bulk Update and DO UPDATE Set values, keyset cursors): a bare
// [16]byte uuid and a slice of them, enums and slices of enums, named
// string and integer types, a map and a struct for jsonb.
func TestCallerArgsEachMode(t *testing.T) {
	eachExecMode(t, func(ctx context.Context, t *testing.T, base string, m execMode) {
		db, err := orm.Open(ctx, withURLParam(t, base, "default_query_exec_mode", m.name), execModeRegistry())
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.CreateAll(ctx))
		check, err := pgx.Connect(ctx, withURLParam(t, base, "default_query_exec_mode", "exec"))
		require.NoError(t, err)
		defer check.Close(context.Background())

		token := [16]byte{0xa0, 0xee, 15: 0x11}
		score := int64(7)
		s := db.Session()
		defer s.Close()
		ann := &XOwner{Name: "ann", Score: &score, Mood: "busy", Moods: []XMood{"calm", "busy"}, Token: token,
			Meta: map[string]any{"k": "v"}, Items: []*XItem{{Label: "i1", Doc: &XDoc{Kind: "x", N: 1}}, {Label: "i2"}}}
		bob := &XOwner{Name: "bob", Mood: "calm", Moods: []XMood{"calm"}}
		s.Add(ann, bob)
		require.NoError(t, s.Commit(ctx))
		ids := [][16]byte{ann.Items[0].ID, ann.Items[1].ID}

		where := []struct {
			name string
			cond orm.SQL
			arg  any
		}{
			{"uuid", "token = ?", token},
			{"uuid pointer", "token = ?", &token},
			{"enum", "mood = ?", XMood("busy")},
			{"enum array", "moods = ?", []XMood{"calm", "busy"}},
			{"enum array any", "? = ANY(moods)", XMood("busy")},
			{"enums any", "mood = ANY(?)", []XMood{"busy"}},
			{"named string", "name = ?", XName("ann")},
			{"named int", "score = ?", XCount(7)},
			{"named int pointer", "score = ?", ptr(XCount(7))},
			{"named ints", "score = ANY(?)", []XCount{7, 8}},
			{"map for jsonb", "meta = ?", map[string]any{"k": "v"}},
			{"string map for jsonb", "meta @> ?", map[string]string{"k": "v"}},
			{"expr", "name = ?", orm.Expr("?::text", XName("ann"))},
		}
		for _, tc := range where {
			t.Run(tc.name, func(t *testing.T) {
				got, err := orm.Query[XOwner](s).Where(tc.cond, tc.arg).All(ctx)
				require.NoError(t, err)
				require.Len(t, got, 1)
				require.Same(t, ann, got[0])
			})
		}

		items, err := orm.Query[XItem](s).Where("id = ANY(?)", ids).OrderBy("Label").All(ctx)
		require.NoError(t, err)
		require.Len(t, items, 2)
		items, err = orm.Query[XItem](s).Where("doc = ?", XDoc{Kind: "x", N: 1}).All(ctx)
		require.NoError(t, err)
		require.Len(t, items, 1)

		// Having, in a projection.
		type moodCount struct {
			Mood XMood
			N    int64
		}
		counts, err := orm.Select[moodCount](orm.Query[XOwner](s).Where("moods <> ?", []XMood{}).GroupBy("Mood").
			Having("count(*) >= ? AND min(name) = ?", XCount(1), XName("ann")), "Mood", orm.CountAll().As("n")).All(ctx)
		require.NoError(t, err)
		require.Equal(t, []*moodCount{{Mood: "busy", N: 1}}, counts)

		// Raw and Exec.
		raw, err := orm.Raw[XOwner](s, "SELECT id, name FROM x_owners WHERE token = ? AND moods = ? AND name = ?",
			token, []XMood{"calm", "busy"}, XName("ann")).All(ctx)
		require.NoError(t, err)
		require.Len(t, raw, 1)
		n, err := s.Exec(ctx, "UPDATE x_owners SET moods = ?, meta = ? WHERE token = ?", []XMood{"busy"}, map[string]int{"n": 2}, token)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		require.NoError(t, s.Commit(ctx))
		require.Equal(t, []any{"{busy}", "2"}, sqlRow(ctx, t, check, "SELECT moods::text, meta->>'n' FROM x_owners WHERE name = 'ann'"))

		// Bulk update and DO UPDATE Set values.
		n, err = orm.Update[XOwner](s).Set("Moods", []XMood{"calm"}).Set("Token", token).Set("Score", XCount(9)).
			Where("name = ?", XName("bob")).Exec(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		_, err = orm.Insert(s, &XOwner{Name: "bob", Mood: "calm"}).OnConflict("Name").
			Set("Moods", []XMood{"busy", "calm"}).Set("Meta", map[string]string{"u": "1"}).
			Where("x_owners.token = ?", token).Exec(ctx)
		require.NoError(t, err)
		require.NoError(t, s.Commit(ctx))
		require.Equal(t, []any{"{busy,calm}", "a0ee0000-0000-0000-0000-000000000011", int64(9), "1"},
			sqlRow(ctx, t, check, "SELECT moods::text, token::text, score, meta->>'u' FROM x_owners WHERE name = 'bob'"))

		// Keyset pages over a uuid key.
		page, err := orm.Query[XItem](s).OrderBy("ID").Limit(1).Page(ctx, "")
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		first := page.Items[0].ID
		page, err = orm.Query[XItem](s).OrderBy("ID").Limit(1).Page(ctx, page.Next)
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		require.NotEqual(t, first, page.Items[0].ID)
	})
}
