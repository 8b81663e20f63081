package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

type writerStats struct {
	Name     string
	Articles int64
	Pages    *int64
}

func TestSelect(t *testing.T) {
	e := setup(t, writerRegistry())
	seedWriters(t, e)
	s := e.db.Session()
	defer s.Close()
	pages := func(n int64) *int64 { return &n }
	cases := []struct {
		name string
		run  func() ([]writerStats, error)
		want []writerStats
		sql  string // a part of the statement sent
	}{
		{"left join, group by and aggregates", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](
				orm.Query[Writer](s).LeftJoin("Articles").GroupBy("ID").OrderBy("-articles", "Name"),
				"Name", orm.Count("Articles.ID").As("articles"), orm.Sum("Articles.Pages").As("pages")))
		}, []writerStats{{"ann", 2, pages(40)}, {"bob", 1, pages(5)}, {"cid", 0, nil}},
			`LEFT JOIN "articles" AS "articles" ON "articles"."writer_id" = "writers"."id"`},
		{"inner join drops writers without articles", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](orm.Query[Writer](s).Join("Articles").GroupBy("Name").OrderBy("Name"),
				"Name", orm.CountAll().As("articles")))
		}, []writerStats{{"ann", 2, nil}, {"bob", 1, nil}}, `JOIN "articles" AS "articles"`},
		{"having with a bound value", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](orm.Query[Writer](s).Join("Articles").GroupBy("Name").Having("? > ?", orm.CountAll(), 1),
				"Name", orm.CountAll().As("articles")))
		}, []writerStats{{"ann", 2, nil}}, `HAVING (count(*) > $1)`},
		{"join option filters the joined rows", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](
				orm.Query[Writer](s).LeftJoin("Articles", orm.Where("pages > ?", 8)).GroupBy("Name").OrderBy("Name"),
				"Name", orm.Count("Articles.ID").As("articles")))
		}, []writerStats{{"ann", 2, nil}, {"bob", 0, nil}, {"cid", 0, nil}},
			`LEFT JOIN (SELECT * FROM "articles" WHERE (pages > $1)) AS "articles"`},
		{"many to many join", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](
				orm.Query[Writer](s).Join("Articles.Topics").Where("? = ?", orm.Col("Articles.Topics.Name"), "go").
					GroupBy("Name").OrderBy("Name"),
				"Name", orm.CountDistinct("Articles.ID").As("articles")))
		}, []writerStats{{"ann", 1, nil}, {"bob", 1, nil}}, `JOIN ("article_topics" AS "articles__topics__link" JOIN "topics" AS "articles__topics"`},
		{"has: writers with an article on sql", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](orm.Query[Writer](s).Has("Articles.Topics", orm.Where("name = ?", "sql")), "Name"))
		}, []writerStats{{Name: "ann"}}, `EXISTS (SELECT 1 FROM "articles" AS "has1_1" WHERE "has1_1"."writer_id" = "writers"."id" AND EXISTS`},
		{"has no articles", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](orm.Query[Writer](s).HasNo("Articles"), "Name"))
		}, []writerStats{{Name: "cid"}}, `NOT EXISTS`},
		{"expression with a checked column", func() ([]writerStats, error) {
			return all(orm.Select[writerStats](orm.Query[Writer](s).Where("country = ?", "de"),
				orm.Expr("upper(?)", orm.Col("Name")).As("name")))
		}, []writerStats{{Name: "CID"}}, `upper("writers"."name") AS "name"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			got, err := tc.run()
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			sqls := e.cap.sqls()
			require.Len(t, sqls, 1)
			require.Contains(t, sqls[0], tc.sql)
		})
	}
}

func all[R any](p *orm.Projection[R]) ([]R, error) {
	rows, err := p.All(context.Background())
	out := make([]R, len(rows))
	for i, r := range rows {
		out[i] = *r
	}
	return out, err
}

func TestSelectMistakes(t *testing.T) {
	e := setup(t, writerRegistry())
	s := e.db.Session()
	defer s.Close()
	type nameOnly struct{ Name string }
	type stray struct{ Nickname string }
	cases := []struct {
		name string
		run  func() error
		err  error
		msg  string
	}{
		{"unknown relationship in a join", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s).Join("Books"), "Name").All(e.ctx)
			return err
		}, orm.ErrNoRelation, `no relationship "Books"`},
		{"unknown field of a joined model", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s).Join("Articles"), orm.Max("Articles.Nope").As("name")).All(e.ctx)
			return err
		}, orm.ErrUnknownColumn, `has no field "Nope"`},
		{"field of a relationship not joined", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s), "Articles.Title").All(e.ctx)
			return err
		}, orm.ErrUnknownColumn, `not joined`},
		{"unknown group by field", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s).GroupBy("Nope"), "Name").All(e.ctx)
			return err
		}, orm.ErrUnknownColumn, `"Nope"`},
		{"group by item of another type", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s).GroupBy(3), "Name").All(e.ctx)
			return err
		}, orm.ErrSelectItem, "int"},
		{"select item of another type", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s), 3).All(e.ctx)
			return err
		}, orm.ErrSelectItem, "int"},
		{"expression without a name", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s), orm.Expr("1")).All(e.ctx)
			return err
		}, orm.ErrSelectItem, "needs a name"},
		{"selected column no field receives", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s), "Country").All(e.ctx)
			return err
		}, orm.ErrUnknownColumn, `"country"`},
		{"result field the model lacks", func() error {
			_, err := orm.Select[stray](orm.Query[Writer](s)).All(e.ctx)
			return err
		}, orm.ErrUnknownColumn, "Nickname"},
		{"order by in a join option", func() error {
			_, err := orm.Select[nameOnly](orm.Query[Writer](s).Join("Articles", orm.OrderBy("Title")), "Name").All(e.ctx)
			return err
		}, orm.ErrLoadArg, "OrderBy"},
		{"unknown field in a has option's column", func() error {
			_, err := orm.Query[Writer](s).Has("Articles", orm.Where("? > 1", orm.Col("Nope"))).All(e.ctx)
			return err
		}, orm.ErrUnknownColumn, `"Nope"`},
		{"sql in a column path", func() error {
			_, err := orm.Query[Writer](s).Join("Articles").OrderBy("Articles.title; DROP TABLE writers").All(e.ctx)
			return err
		}, orm.ErrUnknownColumn, "DROP"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			err := tc.run()
			require.ErrorIs(t, err, tc.err)
			require.ErrorContains(t, err, tc.msg)
			require.Empty(t, e.cap.sqls(), "nothing sent")
		})
	}
}

func TestSelectRowsStayOutOfTheSession(t *testing.T) {
	e := setup(t, writerRegistry())
	seedWriters(t, e)
	s := e.db.Session()
	defer s.Close()

	partial, err := orm.Select[Writer](orm.Query[Writer](s).Where("name = ?", "ann"), "ID", "Name").One(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "ann", partial.Name)
	require.Empty(t, partial.Country, "only the selected columns")
	require.Equal(t, orm.Transient, s.Status(partial))

	full, err := orm.Get[Writer](e.ctx, s, partial.ID)
	require.NoError(t, err)
	require.NotSame(t, partial, full)
	require.Equal(t, "fr", full.Country)

	// The default select list: the columns R's fields name.
	type idName struct {
		WriterID int64 `db:"id"`
		Name     string
	}
	e.cap.reset()
	rows, err := orm.Select[idName](orm.Query[Writer](s).OrderBy("Name")).All(e.ctx)
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, idName{full.ID, "ann"}, *rows[0])
	require.Equal(t, []string{`SELECT "writers"."id" AS "id", "writers"."name" AS "name" FROM "writers" ORDER BY "writers"."name"`}, e.cap.sqls())
}

func TestSelectIterAndFirst(t *testing.T) {
	e := setup(t, writerRegistry())
	seedWriters(t, e)
	s := e.db.Session()
	defer s.Close()
	type title struct{ Title string }
	var got []string
	for r, err := range orm.Select[title](orm.Query[Article](s).OrderBy("Title"), "Title").Iter(e.ctx) {
		require.NoError(t, err)
		got = append(got, r.Title)
		if len(got) == 2 {
			break
		}
	}
	require.Equal(t, []string{"Channels", "Generics"}, got)

	first, err := orm.Select[title](orm.Query[Article](s).OrderBy("-Pages"), "Title").First(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "Indexes", first.Title)
	_, err = orm.Select[title](orm.Query[Article](s).Where("pages > ?", 100), "Title").One(e.ctx)
	require.ErrorIs(t, err, orm.ErrNotFound)

	n, err := orm.Select[int64](orm.Query[Article](s), orm.Sum("Pages")).One(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(45), *n)

	groups, err := orm.Query[Article](s).GroupBy("WriterID").Count(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), groups, "count of groups")
	withGo, err := orm.Query[Writer](s).Has("Articles.Topics", orm.Where("name = ?", "go")).Count(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), withGo)
}

func TestRawIntoAnyType(t *testing.T) {
	e := setup(t, writerRegistry())
	seedWriters(t, e)
	s := e.db.Session()
	defer s.Close()

	type base struct {
		ID int64
	}
	type row struct {
		base
		WriterName string `db:"writer"`
		PageCount  int32
		Unset      string
	}
	rows, err := orm.Raw[row](s, `SELECT a.id, w.name AS writer, a.pages AS page_count
		FROM articles a JOIN writers w ON w.id = a.writer_id WHERE a.pages > ? ORDER BY a.pages`, 6).All(e.ctx)
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, "ann", rows[0].WriterName)
	require.Equal(t, int32(10), rows[0].PageCount)
	require.NotZero(t, rows[0].ID)

	n, err := orm.Raw[int64](s, "SELECT count(*) FROM writers WHERE country = ?", "fr").One(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(2), *n)

	var titles []string
	for r, err := range orm.Raw[struct{ Title string }](s, "SELECT title FROM articles ORDER BY title").Iter(e.ctx) {
		require.NoError(t, err)
		titles = append(titles, r.Title)
	}
	require.Equal(t, []string{"Channels", "Generics", "Indexes"}, titles)

	_, err = orm.Raw[row](s, "SELECT 1 AS nope").All(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownColumn)
	require.ErrorContains(t, err, `"nope"`)
	for _, err := range orm.Raw[row](s, "SELECT 1 AS nope").Iter(e.ctx) {
		require.ErrorIs(t, err, orm.ErrUnknownColumn)
	}
}

func TestColumnArgumentsInBulkStatements(t *testing.T) {
	e := setup(t, writerRegistry())
	seedWriters(t, e)
	s := e.db.Session()
	defer s.Close()
	n, err := orm.Update[Article](s).Where("? < ?", orm.Col("Pages"), 8).Set("Pages", orm.SQL("pages * 2")).Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	_, err = orm.Delete[Article](s).Where("? = ?", orm.Col("Writer.Name"), "ann").Exec(e.ctx)
	require.ErrorIs(t, err, orm.ErrUnknownColumn, "no joins in a bulk statement")
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{int32(10)}}, e.rows("SELECT pages FROM articles WHERE title = 'Channels'"))
}
