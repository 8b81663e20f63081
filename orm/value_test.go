package orm_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func TestEmbeddedPointerAndJSONStruct(t *testing.T) {
	e := setup(t, profileRegistry())
	s := e.db.Session()
	defer s.Close()
	p := &Profile{Handle: "h", Prefs: Prefs{Theme: "dark", Langs: []string{"go"}}, Scores: []int64{1, 2}}
	s.Add(p)
	require.NoError(t, s.Commit(e.ctx))
	require.NotNil(t, p.Stamp, "the embedded pointer is allocated to receive the key")
	require.NotZero(t, p.ID)
	require.False(t, p.CreatedAt.IsZero())

	s2 := e.db.Session()
	defer s2.Close()
	got, err := orm.Get[Profile](e.ctx, s2, p.ID)
	require.NoError(t, err)
	require.Equal(t, p.Prefs, got.Prefs)
	require.Equal(t, []int64{1, 2}, got.Scores)

	cases := []struct {
		name   string
		change func()
		set    string
	}{
		{"nothing", func() {}, ""},
		{"slice inside a JSON struct, in place", func() { got.Prefs.Langs[0] = "rust" }, `SET "prefs" = $1`},
		{"integer array in place", func() { got.Scores[1] = 3 }, `SET "scores" = $1`},
		{"field of the embedded pointer", func() { got.Handle = "h2" }, `SET "handle" = $1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			tc.change()
			require.NoError(t, s2.Commit(e.ctx))
			if tc.set == "" {
				require.Empty(t, e.cap.sqls())
				return
			}
			require.Len(t, e.cap.sqls(), 1)
			require.Contains(t, e.cap.sqls()[0], tc.set)
		})
	}
	require.Equal(t, [][]any{{"h2", "rust", []any{int64(1), int64(3)}}},
		e.rows(`SELECT handle, prefs->'langs'->>0, scores FROM profiles`))

	require.NoError(t, s2.Rollback(e.ctx))
	got.Prefs.Langs[0] = "zig"
	require.NoError(t, s2.Rollback(e.ctx))
	require.Equal(t, "rust", got.Prefs.Langs[0], "Rollback puts the stored JSON value back")
}
