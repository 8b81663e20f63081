package orm_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// The models of the query tests: writers, their articles, and topics
// shared by articles.
type Writer struct {
	ID       int64  `orm:"pk"`
	Name     string `orm:"unique"`
	Country  string
	Articles []*Article `rel:"one_to_many,back_populates:Writer"`
}

type Article struct {
	ID       int64 `orm:"pk"`
	WriterID int64 `orm:"fk:writers.id"`
	Title    string
	Pages    int32
	Writer   *Writer  `rel:"many_to_one,back_populates:Articles"`
	Topics   []*Topic `rel:"many_to_many,secondary:article_topics,back_populates:Articles"`
}

type Topic struct {
	ID       int64      `orm:"pk"`
	Name     string     `orm:"unique"`
	Articles []*Article `rel:"many_to_many,secondary:article_topics,back_populates:Topics"`
}

func writerRegistry() *orm.Registry { return orm.MustRegistry(&Writer{}, &Article{}, &Topic{}) }

// seedWriters stores three writers: ann (two articles, on go and sql), bob
// (one article on go), cid (none).
func seedWriters(t *testing.T, e *env) {
	t.Helper()
	s := e.db.Session()
	defer s.Close()
	golang, sql := &Topic{Name: "go"}, &Topic{Name: "sql"}
	ann := &Writer{Name: "ann", Country: "fr", Articles: []*Article{
		{Title: "Generics", Pages: 10, Topics: []*Topic{golang}},
		{Title: "Indexes", Pages: 30, Topics: []*Topic{sql}},
	}}
	bob := &Writer{Name: "bob", Country: "fr", Articles: []*Article{{Title: "Channels", Pages: 5, Topics: []*Topic{golang}}}}
	s.Add(ann, bob, &Writer{Name: "cid", Country: "de"})
	require.NoError(t, s.Commit(e.ctx))
	e.cap.reset()
}
