package orm_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// Counter is upserted by default: adding a key that exists adds its hits.
type Counter struct {
	ID   int64  `orm:"pk"`
	Key  string `orm:"unique"`
	Hits int64
}

func (Counter) OnConflict() *orm.Conflict {
	return orm.OnConflict("Key").Set("Hits", orm.SQL("counters.hits + EXCLUDED.hits"))
}

func upsertRegistry() *orm.Registry {
	return orm.MustRegistry(&Author{}, &Book{}, &Node{}, &Label{}, &Counter{})
}

// seedNamed stores authors with the given names (rank 1) and returns them
// by name.
func seedNamed(t *testing.T, e *env, names ...string) map[string]int64 {
	t.Helper()
	s := e.db.Session()
	defer s.Close()
	var as []*Author
	for _, n := range names {
		a := &Author{Name: n, Rank: 1}
		as = append(as, a)
		s.Add(a)
	}
	require.NoError(t, s.Commit(e.ctx))
	ids := map[string]int64{}
	for _, a := range as {
		ids[a.Name] = a.ID
	}
	e.cap.reset()
	return ids
}

func TestInsertOnConflict(t *testing.T) {
	e := setup(t, upsertRegistry())
	cases := []struct {
		name    string
		q       func(s *orm.Session, objs ...*Author) *orm.InsertQuery[Author]
		objs    []*Author
		written []string // names of Rows, in order
		skipped []string
		ranks   [][]any // name, rank of every row afterwards
		sql     string
		stmts   int
	}{
		{"do nothing", func(s *orm.Session, objs ...*Author) *orm.InsertQuery[Author] {
			return orm.Insert(s, objs...).OnConflict("Name").DoNothing()
		}, []*Author{{Name: "new1", Rank: 4}, {Name: "ann", Rank: 5}, {Name: "new2", Rank: 6}},
			[]string{"new1", "new2"}, []string{"ann"},
			[][]any{{"ann", int64(1)}, {"bob", int64(1)}, {"new1", int64(4)}, {"new2", int64(6)}}, `ON CONFLICT ("name") DO NOTHING RETURNING`, 1},
		{"do update of chosen fields", func(s *orm.Session, objs ...*Author) *orm.InsertQuery[Author] {
			return orm.Insert(s, objs...).OnConflict("Name").DoUpdate("Rank")
		}, []*Author{{Name: "ann", Rank: 5, Bio: ptr("kept?")}, {Name: "cid", Rank: 2}},
			[]string{"ann", "cid"}, nil,
			[][]any{{"ann", int64(5)}, {"bob", int64(1)}, {"cid", int64(2)}}, `DO UPDATE SET "rank" = EXCLUDED."rank" RETURNING`, 2},
		{"do update of every column sent", func(s *orm.Session, objs ...*Author) *orm.InsertQuery[Author] {
			return orm.Insert(s, objs...).OnConstraint("uq_authors_name").DoUpdate()
		}, []*Author{{Name: "bob", Rank: 3}},
			[]string{"bob"}, nil,
			[][]any{{"ann", int64(1)}, {"bob", int64(3)}}, `ON CONFLICT ("name") DO UPDATE SET "email" = EXCLUDED."email", "rank" = EXCLUDED."rank"`, 1},
		{"set with an expression and a condition", func(s *orm.Session, objs ...*Author) *orm.InsertQuery[Author] {
			return orm.Insert(s, objs...).OnConflict("Name").Set("Rank", orm.SQL("authors.rank + EXCLUDED.rank")).Where("authors.name <> ?", "bob")
		}, []*Author{{Name: "ann", Rank: 10}, {Name: "bob", Rank: 10}},
			[]string{"ann"}, []string{"bob"},
			[][]any{{"ann", int64(11)}, {"bob", int64(1)}}, `SET "rank" = authors.rank + EXCLUDED.rank WHERE (authors.name <> $`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.exec("TRUNCATE authors CASCADE")
			ids := seedNamed(t, e, "ann", "bob")
			s := e.db.Session()
			defer s.Close()
			res, err := tc.q(s, tc.objs...).Exec(e.ctx)
			require.NoError(t, err)
			inserts := 0
			for _, q := range e.cap.sqls() {
				if strings.HasPrefix(q, "INSERT") {
					inserts++
					require.Contains(t, q, tc.sql)
				}
			}
			require.Equal(t, tc.stmts, inserts, "one statement per column set")
			require.NoError(t, s.Commit(e.ctx))
			var written, skipped []string
			for _, a := range res.Rows {
				written = append(written, a.Name)
				require.Equal(t, orm.Persistent, s.Status(a))
				want, existed := ids[a.Name]
				if existed {
					require.Equal(t, want, a.ID, "the existing row's key")
				}
				got := e.rows("SELECT rank, bio FROM authors WHERE id = $1", a.ID)
				require.Equal(t, a.Rank, got[0][0], "the object stands for its row")
				require.Equal(t, *a.Bio, got[0][1], "columns the upsert kept are read back")
			}
			for _, a := range res.Skipped {
				skipped = append(skipped, a.Name)
				require.Zero(t, a.ID)
				require.Equal(t, orm.Transient, s.Status(a))
			}
			require.Equal(t, tc.written, written)
			require.Equal(t, tc.skipped, skipped)
			require.Equal(t, tc.ranks, e.rows("SELECT name, rank FROM authors ORDER BY name"))
		})
	}
}

func TestInsertOnConflictUpdatesHeldObject(t *testing.T) {
	e := setup(t, upsertRegistry())
	ids := seedNamed(t, e, "ann")
	s := e.db.Session()
	defer s.Close()
	held := mustGet[Author](t, e, s, ids["ann"])
	given := &Author{Name: "ann", Rank: 9}
	res, err := orm.Insert(s, given).OnConflict("Name").DoUpdate("Rank").Exec(e.ctx)
	require.NoError(t, err)
	require.Same(t, held, res.Rows[0], "one object per row: the held one")
	require.Equal(t, int64(9), held.Rank)
	require.Equal(t, orm.Transient, s.Status(given))
	e.cap.reset()
	require.NoError(t, s.Commit(e.ctx))
	for _, q := range e.cap.sqls() {
		require.NotContains(t, q, "UPDATE", "the held object is clean")
	}
	require.Equal(t, [][]any{{int64(9)}}, e.rows("SELECT rank FROM authors"))
}

func TestInsertOnConflictMistakes(t *testing.T) {
	e := setup(t, upsertRegistry())
	ids := seedNamed(t, e, "ann")
	s := e.db.Session()
	defer s.Close()
	held := mustGet[Author](t, e, s, ids["ann"])
	cases := []struct {
		name string
		q    *orm.InsertQuery[Author]
		err  error
	}{
		{"target without a unique constraint", orm.Insert(s, &Author{Name: "x"}).OnConflict("Rank").DoNothing(), orm.ErrConflictTarget},
		{"target with a column too many", orm.Insert(s, &Author{Name: "x"}).OnConflict("Name", "Rank").DoNothing(), orm.ErrConflictTarget},
		{"unknown constraint", orm.Insert(s, &Author{Name: "x"}).OnConstraint("uq_nope").DoNothing(), orm.ErrConflictTarget},
		{"unknown field", orm.Insert(s, &Author{Name: "x"}).OnConflict("Nope").DoNothing(), orm.ErrUnknownColumn},
		{"unknown field to update", orm.Insert(s, &Author{Name: "x"}).OnConflict("Name").DoUpdate("Nope"), orm.ErrUnknownColumn},
		{"no action", orm.Insert(s, &Author{Name: "x"}).OnConflict("Name"), orm.ErrConflictTarget},
		{"primary key updated", orm.Insert(s, &Author{Name: "x"}).OnConflict("Name").DoUpdate("ID"), orm.ErrConflictTarget},
		{"action without a target", orm.Insert(s, &Author{Name: "x"}).DoNothing(), orm.ErrConflictTarget},
		{"two objects with one key", orm.Insert(s, &Author{Name: "x"}, &Author{Name: "x"}).OnConflict("Name").DoNothing(), orm.ErrDuplicateObject},
		{"an object the session holds", orm.Insert(s, held).OnConflict("Name").DoNothing(), orm.ErrDuplicateObject},
		{"conflict key not set", orm.Insert(s, &Author{Name: "x"}).OnConflict("ID").DoNothing(), orm.ErrConflictTarget},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			_, err := tc.q.Exec(e.ctx)
			require.ErrorIs(t, err, tc.err)
			require.Empty(t, e.cap.sqls(), "nothing sent")
			require.Equal(t, int64(1), e.count("authors"))
		})
	}
}

func TestAddOnConflict(t *testing.T) {
	e := setup(t, upsertRegistry())
	ids := seedNamed(t, e, "ann", "bob")
	s := e.db.Session()
	defer s.Close()
	x, dupAnn, y := &Author{Name: "x", Rank: 2}, &Author{Name: "ann", Rank: 5}, &Author{Name: "y", Rank: 3}
	dupBob := &Author{Name: "bob", Rank: 8}
	s.Add(x, dupAnn, y, orm.OnConflict("Name").DoNothing())
	s.Add(dupBob, orm.OnConflict("Name").DoUpdate("Rank"))
	require.NoError(t, s.Commit(e.ctx))

	require.Equal(t, orm.Transient, s.Status(dupAnn), "skipped by DO NOTHING")
	require.Zero(t, dupAnn.ID)
	require.Equal(t, ids["bob"], dupBob.ID, "DO UPDATE: the object stands for the existing row")
	require.Equal(t, orm.Persistent, s.Status(dupBob))
	for _, a := range []*Author{x, y, dupBob} {
		require.Equal(t, [][]any{{a.Name, a.Rank}}, e.rows("SELECT name, rank FROM authors WHERE id = $1", a.ID), "keys never shift to a neighbour")
	}
	same, err := orm.Get[Author](e.ctx, s, ids["bob"])
	require.NoError(t, err)
	require.Same(t, dupBob, same, "in the identity map")
}

func TestAddOnConflictMistakes(t *testing.T) {
	e := setup(t, upsertRegistry())
	ids := seedNamed(t, e, "ann")
	cases := []struct {
		name string
		add  func(s *orm.Session)
		err  error
	}{
		{"target without a unique constraint", func(s *orm.Session) {
			s.Add(&Author{Name: "x"}, orm.OnConflict("Rank").DoNothing())
		}, orm.ErrConflictTarget},
		{"two clauses", func(s *orm.Session) {
			s.Add(&Author{Name: "x"}, orm.OnConflict("Name").DoNothing(), orm.OnConflict("Name").DoNothing())
		}, orm.ErrConflictTarget},
		{"the row of a held object", func(s *orm.Session) {
			_, err := orm.Get[Author](e.ctx, s, ids["ann"])
			require.NoError(t, err)
			s.Add(&Author{Name: "ann"}, orm.OnConflict("Name").DoUpdate("Rank"))
		}, orm.ErrDuplicateObject},
		{"two objects with one key", func(s *orm.Session) {
			s.Add(&Author{Name: "z"}, &Author{Name: "z"}, orm.OnConflict("Name").DoNothing())
		}, orm.ErrDuplicateObject},
		{"the key of a new object inserted plainly", func(s *orm.Session) {
			s.Add(&Author{Name: "z", Rank: 1})
			s.Add(&Author{Name: "z", Rank: 2}, orm.OnConflict("Name").DoUpdate("Rank"))
		}, orm.ErrDuplicateObject},
		{"the key of a new object upserted with another clause", func(s *orm.Session) {
			s.Add(&Author{Name: "z", Rank: 1}, orm.OnConflict("Name").DoUpdate("Rank"))
			s.Add(&Author{Name: "z", Rank: 2}, orm.OnConflict("Name").Set("Rank", orm.SQL("authors.rank + EXCLUDED.rank")))
		}, orm.ErrDuplicateObject},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			s.Add(&Author{Name: "plain"})
			tc.add(s)
			e.cap.reset()
			require.ErrorIs(t, s.Commit(e.ctx), tc.err)
			require.Equal(t, [][]any{{"ann"}}, e.rows("SELECT name FROM authors"), "nothing written")
		})
	}
}

func TestAddOnConflictRestoredByFailedFlush(t *testing.T) {
	e := setup(t, upsertRegistry())
	ids := seedNamed(t, e, "ann")
	s := e.db.Session()
	defer s.Close()
	up := &Author{Name: "ann", Rank: 4}
	s.Add(up, orm.OnConflict("Name").DoUpdate("Rank"))
	bad := &Book{AuthorID: ids["ann"], Title: ""} // check violation, after the upsert
	s.Add(bad)
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrCheckViolation)
	require.Equal(t, orm.Pending, s.Status(up))
	require.Zero(t, up.ID, "the key the failed flush read back is cleared")
	require.Equal(t, [][]any{{int64(1)}}, e.rows("SELECT rank FROM authors"))
	bad.Title = "fixed"
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, ids["ann"], up.ID)
	require.Equal(t, [][]any{{int64(4)}}, e.rows("SELECT rank FROM authors"))
}

func TestUpserterModel(t *testing.T) {
	e := setup(t, upsertRegistry())
	for _, hits := range []int64{3, 4} {
		s := e.db.Session()
		c := &Counter{Key: "home", Hits: hits}
		s.Add(c)
		require.NoError(t, s.Commit(e.ctx))
		require.Equal(t, orm.Persistent, s.Status(c))
		require.NoError(t, s.Close())
	}
	require.Equal(t, [][]any{{"home", int64(7)}}, e.rows("SELECT key, hits FROM counters"))

	s := e.db.Session()
	defer s.Close()
	res, err := orm.Insert(s, &Counter{Key: "home", Hits: 1}, &Counter{Key: "away", Hits: 1}).Exec(e.ctx)
	require.NoError(t, err)
	require.Len(t, res.Rows, 2)
	require.Equal(t, int64(8), res.Rows[0].Hits, "the expression's result is read back")
}

type badUpserter struct {
	ID   int64 `orm:"pk"`
	Name string
}

func (badUpserter) OnConflict() *orm.Conflict { return orm.OnConflict("Name").DoNothing() }

func TestUpserterCheckedAtRegistration(t *testing.T) {
	_, err := orm.NewRegistry(&badUpserter{})
	require.ErrorIs(t, err, orm.ErrConflictTarget)
	require.ErrorContains(t, err, "badUpserter")
}

func TestInsertOnConflictUnnest(t *testing.T) {
	e := setup(t, upsertRegistry())
	s := e.db.Session()
	defer s.Close()
	_, err := orm.Insert(s, &Label{Code: "a", Title: "A"}, &Label{Code: "b", Title: "B"}).Exec(e.ctx)
	require.NoError(t, err)
	require.NoError(t, s.Commit(e.ctx))
	e.cap.reset()

	s2 := e.db.Session()
	defer s2.Close()
	b, c, a := &Label{Code: "b", Title: "B2"}, &Label{Code: "c", Title: "C"}, &Label{Code: "a", Title: "A2"}
	res, err := orm.Insert(s2, b, c, a).OnConflict("Code").DoUpdate("Title").Where("labels.code <> ?", "a").Exec(e.ctx)
	require.NoError(t, err)
	require.Equal(t, []*Label{b, c}, res.Rows)
	require.Equal(t, []*Label{a}, res.Skipped)
	require.False(t, b.CreatedAt.IsZero(), "the kept server default is read back")
	require.Contains(t, e.cap.sqls()[1], `FROM unnest($1::text[], $2::text[]) AS u(_1, _2) ON CONFLICT ("code") DO UPDATE SET "title" = EXCLUDED."title" WHERE (labels.code <> $3) RETURNING "code", "created_at"`)
	require.NoError(t, s2.Commit(e.ctx))
	require.Equal(t, [][]any{{"a", "A"}, {"b", "B2"}, {"c", "C"}}, e.rows("SELECT code, title FROM labels ORDER BY code"))
}

// A crew's mates may have no crew (a nullable key); a sticker names its
// label by the label's own key.
type Crew struct {
	ID    int64   `orm:"pk"`
	Name  string  `orm:"unique"`
	Mates []*Mate `rel:"one_to_many,back_populates:Crew"`
}

type Mate struct {
	ID     int64 `orm:"pk"`
	Name   string
	CrewID *int64 `orm:"fk:crews.id"`
	Crew   *Crew  `rel:"many_to_one,back_populates:Mates"`
}

type Sticker struct {
	ID        int64  `orm:"pk"`
	LabelCode string `orm:"fk:labels.code"`
	Label     *Label `rel:"many_to_one"`
}

// An object DO NOTHING skipped gets no key: objects that would copy its
// key (a child's foreign key, an association row) fail the flush with
// ErrConflictTarget and nothing written, instead of being written with no
// parent (a NULL key) or failing on the foreign key.
func TestAddOnConflictSkippedParent(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Writer{}, &Article{}, &Topic{}, &Crew{}, &Mate{}, &Label{}, &Sticker{}))
	seedWriters(t, e)
	e.exec("INSERT INTO crews (name) VALUES ('red')")
	e.exec("INSERT INTO labels (code, title) VALUES ('x', 'X')")
	counts := func() [][]any {
		return e.rows("SELECT (SELECT count(*) FROM writers), (SELECT count(*) FROM articles), (SELECT count(*) FROM article_topics), (SELECT count(*) FROM topics), (SELECT count(*) FROM mates), (SELECT count(*) FROM stickers)")
	}
	before := counts()
	cases := []struct {
		name string
		add  func(s *orm.Session)
		err  error
	}{
		{"child of a skipped parent, NOT NULL key", func(s *orm.Session) {
			s.Add(&Writer{Name: "ann", Articles: []*Article{{Title: "New"}}}, orm.OnConflict("Name").DoNothing())
		}, orm.ErrConflictTarget},
		{"child of a skipped parent, nullable key", func(s *orm.Session) {
			s.Add(&Crew{Name: "red", Mates: []*Mate{{Name: "m"}}}, orm.OnConflict("Name").DoNothing())
		}, orm.ErrConflictTarget},
		{"child added first, reference to a skipped parent", func(s *orm.Session) {
			m := &Mate{Name: "m", Crew: &Crew{Name: "red"}}
			s.Add(m.Crew, orm.OnConflict("Name").DoNothing())
			s.Add(m)
		}, orm.ErrConflictTarget},
		{"association row of a skipped target", func(s *orm.Session) {
			s.Add(&Topic{Name: "go", Articles: []*Article{{Title: "New", Writer: &Writer{Name: "dan"}}}}, orm.OnConflict("Name").DoNothing())
		}, orm.ErrConflictTarget},
		{"a skipped parent whose key is known is referenced", func(s *orm.Session) {
			l := &Label{Code: "x", Title: "other"}
			s.Add(l, orm.OnConflict("Code").DoNothing())
			s.Add(&Sticker{Label: l})
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			tc.add(s)
			err := s.Commit(e.ctx)
			if tc.err == nil {
				require.NoError(t, err)
				require.Equal(t, [][]any{{"x"}}, e.rows("SELECT label_code FROM stickers"))
				return
			}
			require.ErrorIs(t, err, tc.err)
			require.ErrorContains(t, err, "DO NOTHING")
			require.Equal(t, before, counts(), "nothing written")
		})
	}
}

// Readings are unique per sensor and instant: a conflict key with a
// timestamp, which PostgreSQL stores to the microsecond (and in UTC).
type Reading struct {
	ID       int64     `orm:"pk"`
	SensorID int64     `orm:"unique_index:uq_readings_sensor_at"`
	At       time.Time `orm:"unique_index:uq_readings_sensor_at"`
	Local    time.Time `orm:"type:timestamp,unique_index:uq_readings_local"`
	Day      time.Time `orm:"type:date,unique_index:uq_readings_day"`
	Second   time.Time `orm:"type:timestamptz(0),unique_index:uq_readings_second"`
	Value    float64
}

// The rows an upsert returns are matched to the objects by the conflict
// key as PostgreSQL stores it: a time with nanoseconds, a zone and a
// monotonic clock reading still finds its object.
func TestUpsertTimeConflictKey(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Reading{}))
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	now := time.Now().In(zone) // nanoseconds, a zone, a monotonic reading
	// 100ns into its microsecond, so that now and now+1ns are one stored
	// value whatever the clock says (PostgreSQL rounds to the microsecond).
	now = now.Add(time.Duration(100 - now.Nanosecond()%1000))
	day := time.Date(2024, 3, 9, 23, 30, 0, 0, zone)
	mk := func(sensor int64, d time.Duration, v float64) *Reading {
		at := now.Add(d)
		return &Reading{SensorID: sensor, At: at, Local: at.Add(time.Duration(sensor) * time.Minute),
			Day: day.Add(time.Duration(sensor) * 24 * time.Hour), Second: at.Add(time.Duration(sensor)*time.Minute + 700*time.Millisecond), Value: v}
	}
	s := e.db.Session()
	defer s.Close()
	first := []*Reading{mk(1, 0, 1), mk(2, 0, 2)}
	_, err := orm.Insert(s, first...).OnConflict("SensorID", "At").DoNothing().Exec(e.ctx)
	require.NoError(t, err)
	require.NoError(t, s.Commit(e.ctx))

	cases := []struct {
		name   string
		target []string
	}{
		{"timestamptz", []string{"SensorID", "At"}},
		{"timestamp", []string{"Local"}},
		{"date", []string{"Day"}},
		{"timestamptz(0), rounded", []string{"Second"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := e.db.Session()
			defer s.Close()
			again, fresh := mk(1, 0, float64(10+i)), mk(3+int64(i), time.Hour*time.Duration(i+1), 3)
			res, err := orm.Insert(s, fresh, again).OnConflict(tc.target...).DoUpdate("Value").Exec(e.ctx)
			require.NoError(t, err)
			require.Equal(t, []*Reading{fresh, again}, res.Rows)
			require.Equal(t, first[0].ID, again.ID, "the existing row's key")
			require.NoError(t, s.Commit(e.ctx))
			require.Equal(t, [][]any{{float64(10 + i)}}, e.rows("SELECT value FROM readings WHERE id = $1", first[0].ID))

			s2 := e.db.Session()
			defer s2.Close()
			skip := mk(1, 0, 99)
			s2.Add(skip, orm.OnConflict(tc.target...).DoNothing())
			require.NoError(t, s2.Commit(e.ctx))
			require.Equal(t, orm.Transient, s2.Status(skip))
			require.Zero(t, skip.ID)
		})
	}
	_, err = orm.Insert(s, mk(7, 0, 1), mk(7, time.Nanosecond, 2)).OnConflict("SensorID", "At").DoNothing().Exec(e.ctx)
	require.ErrorIs(t, err, orm.ErrDuplicateObject, "one microsecond: one row")
}
