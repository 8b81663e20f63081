package orm_test

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// seedPaged stores 7 authors with repeated ranks and some NULL emails.
func seedPaged(t *testing.T, e *env) {
	t.Helper()
	s := e.db.Session()
	defer s.Close()
	for i := range 7 {
		a := &Author{Name: fmt.Sprintf("p%d", i), Rank: int64(i%3 + 1)}
		if i%2 == 0 {
			mail := fmt.Sprintf("m%d@x", (7-i)%4)
			a.Email = &mail
		}
		s.Add(a)
	}
	require.NoError(t, s.Commit(e.ctx))
	e.cap.reset()
}

func TestPageWalksBothWays(t *testing.T) {
	e := setup(t, registry())
	seedPaged(t, e)
	cases := []struct {
		name  string
		order []string
		tie   string // the primary key completes the order in the last key's direction
	}{
		{"primary key only", nil, "ID"},
		{"ascending with ties", []string{"Rank"}, "ID"},
		{"descending with ties", []string{"-Rank"}, "-ID"},
		{"mixed directions", []string{"Rank", "-Name"}, "-ID"},
		{"nullable key ascending", []string{"Email"}, "ID"},
		{"nullable key descending", []string{"-Email", "Rank"}, "ID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			everything, err := orm.Query[Author](s).OrderBy(append(tc.order, tc.tie)...).All(e.ctx)
			require.NoError(t, err)
			want := names(everything)

			var forward []string
			var pages []*orm.Page[Author]
			cursor := ""
			for range 10 {
				p, err := orm.Query[Author](s).OrderBy(tc.order...).Limit(3).Page(e.ctx, cursor)
				require.NoError(t, err)
				pages = append(pages, p)
				forward = append(forward, names(p.Items)...)
				if p.Next == "" {
					break
				}
				cursor = p.Next
			}
			require.Equal(t, want, forward)
			require.Len(t, pages, 3)
			require.Empty(t, pages[0].Prev, "the first page has no previous page")

			var backward []string
			cursor = pages[len(pages)-1].Prev
			for cursor != "" {
				p, err := orm.Query[Author](s).OrderBy(tc.order...).Limit(3).Page(e.ctx, cursor)
				require.NoError(t, err)
				require.NotEmpty(t, p.Next, "a page read backwards has a next page")
				backward = append(names(p.Items), backward...)
				cursor = p.Prev
			}
			require.Equal(t, want[:6], backward)
		})
	}
}

func TestPageSQLAndCursorChecks(t *testing.T) {
	e := setup(t, registry())
	seedPaged(t, e)
	s := e.db.Session()
	defer s.Close()
	first, err := orm.Query[Author](s).OrderBy("Rank").Limit(2).Page(e.ctx, "")
	require.NoError(t, err)
	e.cap.reset()
	_, err = orm.Query[Author](s).OrderBy("Rank").Limit(2).Page(e.ctx, first.Next)
	require.NoError(t, err)
	require.Len(t, e.cap.stmts, 1)
	require.Contains(t, e.cap.stmts[0].SQL, `WHERE (("authors"."rank", "authors"."id") > ($1, $2)) ORDER BY "authors"."rank", "authors"."id" LIMIT $3`)
	require.Equal(t, 3, e.cap.stmts[0].Args[2], "one row more than the page, to know whether another follows")

	forged := func(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }
	raw, _ := base64.RawURLEncoding.DecodeString(first.Next)
	cases := []struct {
		name   string
		q      *orm.SelectQuery[Author]
		cursor string
		err    error
	}{
		{"not base64", orm.Query[Author](s).OrderBy("Rank").Limit(2), "%%%", orm.ErrBadCursor},
		{"not json", orm.Query[Author](s).OrderBy("Rank").Limit(2), forged("{"), orm.ErrBadCursor},
		{"another order", orm.Query[Author](s).OrderBy("-Rank").Limit(2), first.Next, orm.ErrBadCursor},
		{"a string for an integer key", orm.Query[Author](s).OrderBy("Rank").Limit(2),
			forged(`{"o":"` + orderPrint(t, raw) + `","k":["1; DROP TABLE authors",1]}`), orm.ErrBadCursor},
		{"null for a NOT NULL key", orm.Query[Author](s).OrderBy("Rank").Limit(2),
			forged(`{"o":"` + orderPrint(t, raw) + `","k":[null,1]}`), orm.ErrBadCursor},
		{"too few values", orm.Query[Author](s).OrderBy("Rank").Limit(2),
			forged(`{"o":"` + orderPrint(t, raw) + `","k":[1]}`), orm.ErrBadCursor},
		{"unknown field", orm.Query[Author](s).OrderBy("Rank").Limit(2),
			forged(`{"o":"` + orderPrint(t, raw) + `","k":[1,1],"x":1}`), orm.ErrBadCursor},
		{"no limit", orm.Query[Author](s).OrderBy("Rank"), "", orm.ErrPagination},
		{"an offset", orm.Query[Author](s).Limit(2).Offset(2), "", orm.ErrPagination},
		{"unknown order key", orm.Query[Author](s).OrderBy("Nope").Limit(2), "", orm.ErrUnknownColumn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			_, err := tc.q.Page(e.ctx, tc.cursor)
			require.ErrorIs(t, err, tc.err)
			require.Empty(t, e.cap.sqls(), "nothing sent")
		})
	}
}

// orderPrint returns the order fingerprint of a cursor's JSON.
func orderPrint(t *testing.T, raw []byte) string {
	t.Helper()
	var c struct {
		O string `json:"o"`
	}
	require.NoError(t, jsonUnmarshal(raw, &c))
	return c.O
}

func TestPageOnJoinedOrderKey(t *testing.T) {
	e := setup(t, writerRegistry())
	s := e.db.Session()
	defer s.Close()
	_, err := orm.Query[Article](s).Join("Writer").OrderBy("Writer.Name").Limit(2).Page(e.ctx, "")
	require.ErrorIs(t, err, orm.ErrPagination)
	require.Empty(t, e.cap.sqls())
}
