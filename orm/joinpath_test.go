package orm_test

import (
	"errors"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// A relationship path joined twice (Join and LeftJoin of it, two Joins,
// or a step joined by a longer path first) is a mistake the query reports
// before sending anything, instead of quietly keeping the first join's
// kind or conditions.
func TestJoinPathTwice(t *testing.T) {
	e := setup(t, writerRegistry())
	seedWriters(t, e)
	s := e.db.Session()
	defer s.Close()
	for _, tc := range []struct {
		name string
		q    *orm.SelectQuery[Writer]
	}{
		{"join then left join", orm.Query[Writer](s).Join("Articles").LeftJoin("Articles")},
		{"left join then join", orm.Query[Writer](s).LeftJoin("Articles").Join("Articles")},
		{"two joins", orm.Query[Writer](s).Join("Articles").Join("Articles")},
		{"two joins, the second filtered", orm.Query[Writer](s).Join("Articles").Join("Articles", orm.Where("pages > ?", 1))},
		{"a step of a longer path joined again", orm.Query[Writer](s).LeftJoin("Articles.Topics").Join("Articles")},
		{"a longer path joined twice", orm.Query[Writer](s).Join("Articles.Topics").LeftJoin("Articles.Topics")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.cap.reset()
			_, err := tc.q.All(e.ctx)
			if !errors.Is(err, orm.ErrLoadArg) {
				t.Fatalf("err = %v, want ErrLoadArg", err)
			}
			if sent := e.cap.sqls(); len(sent) != 0 {
				t.Fatalf("sent %q", sent)
			}
		})
	}
	t.Run("a path through a joined step", func(t *testing.T) {
		got, err := orm.Query[Writer](s).LeftJoin("Articles").LeftJoin("Articles.Topics").Where("? IS NULL", orm.Col("Articles.Topics.Name")).All(e.ctx)
		if err != nil || len(got) != 1 || got[0].Name != "cid" {
			t.Fatalf("writers with no topic: %v, %v", got, err)
		}
	})
}
