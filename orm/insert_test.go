package orm_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

func TestInsertForms(t *testing.T) {
	e := setup(t, batchRegistry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "a"}
	s.Add(a)
	require.NoError(t, s.Commit(e.ctx))

	cases := []struct {
		name  string
		objs  func(i int) any
		check func(t *testing.T, objs []any)
		want  []string // expected statement prefixes, in order
	}{
		{"identity keys: one unnest statement, keys matched in insert order",
			func(i int) any { return &Book{AuthorID: a.ID, Title: fmt.Sprint("b", i), Pages: int32(i)} },
			func(t *testing.T, objs []any) {
				for _, o := range objs {
					b := o.(*Book)
					require.Equal(t, [][]any{{b.Title, b.Pages, int64(1)}}, e.rows(`SELECT title, pages, version FROM books WHERE id = $1`, b.ID))
					require.False(t, b.UpdatedAt.IsZero())
				}
			},
			[]string{`INSERT INTO "books" ("author_id", "title", "pages", "version") SELECT u._1, u._2, u._3, u._4 FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[]) WITH ORDINALITY AS u(_1, _2, _3, _4, _o) ORDER BY u._o RETURNING "id", "updated_at"`}},
		{"known keys: matched by key",
			func(i int) any { return &Label{Code: fmt.Sprint("L", 9-i), Title: fmt.Sprint("t", i)} },
			func(t *testing.T, objs []any) {
				for _, o := range objs {
					l := o.(*Label)
					require.False(t, l.CreatedAt.IsZero())
					require.Equal(t, [][]any{{l.Title}}, e.rows(`SELECT title FROM labels WHERE code = $1`, l.Code))
				}
			},
			[]string{`INSERT INTO "labels" ("code", "title") SELECT u._1, u._2 FROM unnest($1::text[], $2::text[])`}},
		{"array column: multi-row VALUES",
			func(i int) any { return &Author{Name: fmt.Sprint("v", i), Tags: []string{fmt.Sprint(i)}} },
			func(t *testing.T, objs []any) {
				for _, o := range objs {
					a := o.(*Author)
					require.Equal(t, [][]any{{a.Name, []any{a.Tags[0]}}}, e.rows(`SELECT name, tags FROM authors WHERE id = $1`, a.ID))
				}
			},
			[]string{`INSERT INTO "authors" ("name", "email", "rank", "tags", "meta") SELECT v._1, v._2, v._3, v._4, v._5 FROM (VALUES ($1::text, $2::text, $3::bigint, $4::text[], $5::jsonb, 1), ($6, $7, $8, $9, $10, 2)`}},
		{"keys from a server default: drawn in one statement, matched by ordinal",
			func(i int) any { return &Event{Name: fmt.Sprint("e", i)} },
			func(t *testing.T, objs []any) {
				for _, o := range objs {
					ev := o.(*Event)
					require.Len(t, ev.ID, 36)
					require.Equal(t, [][]any{{ev.Name}}, e.rows(`SELECT name FROM events WHERE id = $1::uuid`, ev.ID))
				}
			},
			// its own implicit transaction: no BEGIN, no COMMIT
			[]string{`WITH k AS MATERIALIZED (SELECT (gen_random_uuid())::uuid AS _k, u.* FROM unnest($1::text[]) WITH ORDINALITY AS u(_1, _o)), ` +
				`i AS (INSERT INTO "events" ("id", "name") SELECT k._k, k._1 FROM k ORDER BY k._o RETURNING "id"), ` +
				`r AS (SELECT k._o, i."id" FROM i JOIN k ON i."id" = k._k), c AS (SELECT count(*) AS n FROM r) SELECT r.* FROM c LEFT JOIN r ON true WHERE CASE c.n`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs := make([]any, 5)
			for i := range objs {
				objs[i] = tc.objs(i)
			}
			if strings.Contains(tc.name, "array") {
				objs = objs[:2]
			}
			s.Add(objs...)
			e.cap.reset()
			require.NoError(t, s.Commit(e.ctx))
			got := e.cap.sqls()
			require.Len(t, got, len(tc.want), got)
			for i, w := range tc.want {
				require.True(t, strings.HasPrefix(got[i], w), "statement %d:\n got %s\nwant %s", i, got[i], w)
			}
			tc.check(t, objs)
		})
	}
}

func TestSelfReferentialOrder(t *testing.T) {
	e := setup(t, batchRegistry())
	s := e.db.Session()
	defer s.Close()
	p1, p2 := int64(1), int64(2)
	grandchild := &Node{ID: 3, ParentID: &p2, Name: "grandchild"}
	child := &Node{ID: 2, ParentID: &p1, Name: "child"}
	root := &Node{ID: 1, Name: "root"}
	s.Add(grandchild, child, root) // children first: the flush reorders rows
	require.NoError(t, s.Commit(e.ctx))
	sqls := e.cap.sqls()
	require.Len(t, sqls, 3, "one statement per level, in one pipeline")
	for i, id := range []int64{1, 2, 3} {
		require.Contains(t, sqls[i], `INSERT INTO "nodes"`)
		require.Equal(t, id, reflect.ValueOf(e.cap.stmts[i].Args[0]).Elem().Int(), "level %d", i)
	}
	require.Equal(t, int64(3), e.count("nodes"))

	s.Delete(root)
	s.Delete(grandchild)
	s.Delete(child)
	require.NoError(t, s.Commit(e.ctx), "children deleted before their parents")
	require.Equal(t, int64(0), e.count("nodes"))

	t.Run("a true cycle is an error naming the rows", func(t *testing.T) {
		a, b := int64(10), int64(11)
		n1 := &Node{ID: 10, ParentID: &b, Name: "n1"}
		n2 := &Node{ID: 11, ParentID: &a, Name: "n2"}
		s.Add(n1, n2)
		e.cap.reset()
		err := s.Commit(e.ctx)
		var cycle *orm.CycleError
		require.ErrorAs(t, err, &cycle)
		require.Contains(t, err.Error(), "nodes(new #")
		require.Empty(t, e.cap.sqls(), "nothing sent")
		require.Equal(t, orm.Pending, s.Status(n1))
	})
}

func TestExplicitNullAndDefaults(t *testing.T) {
	e := setup(t, registry())
	s := e.db.Session()
	defer s.Close()
	def := &Author{Name: "defaults"}
	exp := &Author{Name: "explicit"}
	s.Add(def, exp)
	s.Explicit(exp, "Bio", "rank")
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, [][]any{{"defaults", "none", int64(7)}, {"explicit", nil, int64(0)}},
		e.rows(`SELECT name, bio, rank FROM authors ORDER BY name`))
	require.Nil(t, exp.Bio)
	require.Equal(t, "none", *def.Bio)

	s.Add(&Author{Name: "x"})
	s.Explicit(&Author{}, "Bio")
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrNotPersistent)
	s.Explicit(def, "Nope")
	require.Error(t, s.Commit(e.ctx))
}

func TestStatementLog(t *testing.T) {
	for _, hide := range []bool{false, true} {
		t.Run(fmt.Sprint("hidden args ", hide), func(t *testing.T) {
			var buf bytes.Buffer
			opts := []orm.Option{orm.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))}
			if hide {
				opts = append(opts, orm.WithHiddenArgs())
			}
			e := setup(t, registry(), opts...)
			s := e.db.Session()
			defer s.Close()
			s.Add(&Author{Name: "secret-name"})
			require.NoError(t, s.Commit(e.ctx))
			_, err := orm.Query[Author](s).Where("name = ?", "zz").All(e.ctx)
			require.NoError(t, err)
			out := buf.String()
			require.Contains(t, out, `sql="INSERT INTO \"authors\"`)
			require.Contains(t, out, "duration=")
			require.Contains(t, out, `WHERE (name = $1)`)
			require.Equal(t, !hide, strings.Contains(out, "secret-name"), out)
			if hide {
				require.Contains(t, out, "args=5")
			}
		})
	}
}

// TestFailedStatementLogged: a statement that fails is logged at Error
// level with the error.
func TestFailedStatementLogged(t *testing.T) {
	var buf bytes.Buffer
	e := setup(t, registry(), orm.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	s := e.db.Session()
	defer s.Close()
	s.Add(&Author{Name: "same"}, &Author{Name: "same"})
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrUniqueViolation)
	require.Contains(t, buf.String(), "level=ERROR")
	require.Contains(t, buf.String(), "23505")
}

func TestBatchedUpdatesAndDeletes(t *testing.T) {
	e := setup(t, batchRegistry())
	s := e.db.Session()
	defer s.Close()
	a := &Author{Name: "a"}
	s.Add(a)
	require.NoError(t, s.Flush(e.ctx))
	books := make([]*Book, 4)
	for i := range books {
		books[i] = &Book{AuthorID: a.ID, Title: fmt.Sprint("b", i), Pages: 1}
		s.Add(books[i])
	}
	require.NoError(t, s.Commit(e.ctx))
	before := books[0].UpdatedAt

	for _, b := range books[:3] {
		b.Pages = 2
	}
	books[3].Title = "other columns, other statement"
	e.cap.reset()
	require.NoError(t, s.Commit(e.ctx))
	sqls := e.cap.sqls()
	require.Len(t, sqls, 2, sqls)
	require.True(t, strings.HasPrefix(sqls[0], `WITH w AS (UPDATE "books" SET "pages" = v._1, "version" = v._2, "updated_at" = now() FROM unnest(`), sqls[0])
	for _, b := range books {
		require.Equal(t, int64(2), b.Version)
		require.True(t, b.UpdatedAt.After(before) || b.UpdatedAt.Equal(before))
	}
	require.Equal(t, [][]any{{int32(2), int64(3)}, {int32(1), int64(1)}},
		e.rows(`SELECT pages, count(*) FROM books WHERE version = 2 GROUP BY pages ORDER BY pages DESC`))

	for _, b := range books {
		s.Delete(b)
	}
	e.cap.reset()
	require.NoError(t, s.Commit(e.ctx))
	require.Len(t, e.cap.sqls(), 1, "one DELETE for the four rows")
	require.Contains(t, e.cap.sqls()[0], `DELETE FROM "books" USING unnest(`)
	require.Equal(t, int64(0), e.count("books"))
}

func TestValuesFormSplitsAtTheParameterLimit(t *testing.T) {
	e := setup(t, batchRegistry())
	s := e.db.Session()
	defer s.Close()
	const n = 14000 // 5 columns each: 70,000 parameters
	for i := range n {
		s.Add(&Author{Name: fmt.Sprint("a", i), Tags: []string{"t"}})
	}
	require.NoError(t, s.Commit(e.ctx))
	sqls := e.cap.sqls()
	require.Len(t, sqls, 2, "two statements under 65,535 parameters each")
	require.Equal(t, int64(n), e.count("authors"))
	require.Equal(t, [][]any{{int64(n)}}, e.rows(`SELECT count(DISTINCT id) FROM authors`))
}
