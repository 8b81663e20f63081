package orm_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func ptr[T any](v T) *T { return &v }

func TestTypesRoundTrip(t *testing.T) {
	e := setup(t, wideRegistry())
	s := e.db.Session()
	defer s.Close()
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	w := &Wide{I32: 3, I: 4, F: 1.5, B: true, S: "s", T: at,
		PI: ptr[int64](5), PI32: ptr[int32](6), PF: ptr(2.5), PB: ptr(false), PS: ptr("p"), PT: ptr(at),
		Raw: []byte{1, 2}, Nums: []int64{7, 8}, Doc: map[string]any{"a": []any{"x"}},
		Txt: pgtype.Text{String: "t", Valid: true}, Dec: pgtype.Numeric{Int: big.NewInt(12345), Exp: -2, Valid: true},
		Any: map[string]any{"k": 1.0}}
	nulls := &Wide{S: "nulls", T: at}
	s.Add(w, nulls)
	require.NoError(t, s.Commit(e.ctx))

	s2 := e.db.Session()
	defer s2.Close()
	got, err := orm.Get[Wide](e.ctx, s2, w.ID)
	require.NoError(t, err)
	require.Equal(t, w.I32, got.I32)
	require.Equal(t, *w.PS, *got.PS)
	require.True(t, got.T.Equal(at) && got.PT.Equal(at))
	require.Equal(t, w.Nums, got.Nums)
	require.Equal(t, w.Doc, got.Doc)
	require.Equal(t, "t", got.Txt.String)
	require.Equal(t, "123.45", numeric(t, got.Dec))
	gotNulls, err := orm.Get[Wide](e.ctx, s2, nulls.ID)
	require.NoError(t, err)
	require.Nil(t, gotNulls.PI)
	require.Nil(t, gotNulls.PT)
	require.False(t, gotNulls.Txt.Valid)

	cases := []struct {
		name   string
		change func()
		col    string
	}{
		{"int32", func() { got.I32++ }, "i32"},
		{"int", func() { got.I++ }, "i"},
		{"float", func() { got.F = 2 }, "f"},
		{"bool", func() { got.B = false }, "b"},
		{"time", func() { got.T = got.T.Add(time.Hour) }, "t"},
		{"pointer to int in place", func() { *got.PI = 50 }, "pi"},
		{"pointer to int32 set to nil", func() { got.PI32 = nil }, "pi32"},
		{"pointer to float in place", func() { *got.PF = 3 }, "pf"},
		{"pointer to bool in place", func() { *got.PB = true }, "pb"},
		{"pointer to time in place", func() { *got.PT = got.PT.Add(time.Minute) }, "pt"},
		{"bytes in place", func() { got.Raw[0] = 9 }, "raw"},
		{"struct of immutables", func() { got.Txt.String = "u" }, "txt"},
		{"valuer changed inside", func() { got.Dec.Int.SetInt64(99) }, "dec"},
		{"interface holding a map", func() { got.Any.(map[string]any)["k"] = 2.0 }, "any"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			tc.change()
			require.NoError(t, s2.Commit(e.ctx))
			sqls := e.cap.sqls()
			require.Len(t, sqls, 1, sqls)
			require.Contains(t, sqls[0], `SET "`+tc.col+`" = $1 WHERE`)
			e.cap.reset()
			require.NoError(t, s2.Commit(e.ctx))
			require.Empty(t, e.cap.sqls(), "clean after the flush")
		})
	}
	s3 := e.db.Session()
	defer s3.Close()
	again, err := orm.Get[Wide](e.ctx, s3, w.ID)
	require.NoError(t, err)
	require.Equal(t, int64(50), *again.PI)
	require.Nil(t, again.PI32)
	require.Equal(t, byte(9), again.Raw[0])
	require.Equal(t, "0.99", numeric(t, again.Dec))
	require.Equal(t, map[string]any{"k": 2.0}, again.Any)
}

func numeric(t *testing.T, n pgtype.Numeric) string {
	t.Helper()
	v, err := n.Value()
	require.NoError(t, err)
	return v.(string)
}

func TestCompositeKey(t *testing.T) {
	e := setup(t, wideRegistry())
	s := e.db.Session()
	defer s.Close()
	p := &Pair{A: "a", B: 1, Note: "n"}
	q := &Pair{A: "a", B: 2, Note: "m"}
	s.Add(p, q)
	require.NoError(t, s.Commit(e.ctx))
	got, err := orm.Get[Pair](e.ctx, s, "a", int64(2))
	require.NoError(t, err)
	require.Same(t, q, got)
	_, err = orm.Get[Pair](e.ctx, s, "a")
	require.ErrorIs(t, err, orm.ErrBadKey)
	q.Note = "changed"
	s.Delete(p)
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{"a", int64(2), "changed"}}, e.rows(`SELECT a, b, note FROM pairs`))
	s2 := e.db.Session()
	defer s2.Close()
	got2, err := orm.Get[Pair](e.ctx, s2, "a", 2)
	require.NoError(t, err)
	require.Equal(t, "changed", got2.Note)
}
