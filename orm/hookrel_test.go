package orm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// Before hooks that change relationships: the change is written by the
// same flush, as a field a hook sets is.

type HAuthor struct {
	ID    int64    `orm:"pk"`
	Name  string   `orm:"unique"`
	Posts []*HPost `rel:"one_to_many,back_populates:Author,cascade:all|delete-orphan"`
}

type HPost struct {
	ID       int64 `orm:"pk"`
	Title    string
	AuthorID int64    `orm:"fk:h_authors.id"`
	Author   *HAuthor `rel:"many_to_one,back_populates:Posts"`
}

// editorKey carries the author a hook assigns.
type editorKey struct{}

// BeforeInsert gives a new author a welcome post.
func (a *HAuthor) BeforeInsert(context.Context) error {
	a.Posts = append(a.Posts, &HPost{Title: "welcome " + a.Name})
	return nil
}

// BeforeInsert gives a post titled "unsigned…" the author in the
// context, or a new anonymous one.
func (p *HPost) BeforeInsert(ctx context.Context) error {
	if !strings.HasPrefix(p.Title, "unsigned") {
		return nil
	}
	if ed, ok := ctx.Value(editorKey{}).(*HAuthor); ok {
		p.Author = ed
		return nil
	}
	p.Author = &HAuthor{Name: "anon"}
	return nil
}

// BeforeUpdate hands a post retitled "handover" to the editor.
func (p *HPost) BeforeUpdate(ctx context.Context) error {
	if ed, ok := ctx.Value(editorKey{}).(*HAuthor); ok && p.Title == "handover" {
		p.Author = ed
	}
	return nil
}

func TestBeforeHookRelationships(t *testing.T) {
	e := setup(t, orm.MustRegistry(&HAuthor{}, &HPost{}))
	postsOf := func(name string) []any {
		var out []any
		for _, r := range e.rows(`SELECT p.title FROM h_posts p JOIN h_authors a ON a.id = p.author_id WHERE a.name = $1 ORDER BY p.title`, name) {
			out = append(out, r[0])
		}
		return out
	}
	s := e.db.Session()
	defer s.Close()

	t.Run("a new author's hook appends a child", func(t *testing.T) {
		ann := &HAuthor{Name: "ann", Posts: []*HPost{{Title: "first"}}}
		s.Add(ann)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := postsOf("ann"); len(got) != 2 || got[0] != "first" || got[1] != "welcome ann" {
			t.Fatalf("ann's posts: %v", got)
		}
		if len(ann.Posts) != 2 || ann.Posts[1].Author != ann || ann.Posts[1].ID == 0 {
			t.Fatalf("the welcome post is not flushed: %+v", ann.Posts)
		}
	})
	t.Run("a new post's hook sets a new parent", func(t *testing.T) {
		p := &HPost{Title: "unsigned 1"}
		s.Add(p)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := postsOf("anon"); len(got) != 2 || got[0] != "unsigned 1" || got[1] != "welcome anon" {
			t.Fatalf("anon's posts: %v", got)
		}
		if p.Author == nil || p.AuthorID != p.Author.ID || len(p.Author.Posts) != 2 {
			t.Fatalf("post and its new author disagree: %+v", p)
		}
	})
	ann, err := orm.Query[HAuthor](s).Where("name = ?", "ann").One(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(e.ctx, editorKey{}, ann)
	t.Run("a new post's hook sets a held parent", func(t *testing.T) {
		p := &HPost{Title: "unsigned 2"}
		s.Add(p)
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := postsOf("ann"); len(got) != 3 || got[1] != "unsigned 2" {
			t.Fatalf("ann's posts: %v", got)
		}
	})
	t.Run("an update's hook moves the child", func(t *testing.T) {
		anon, err := orm.Query[HAuthor](s).Where("name = ?", "anon").Load("Posts").One(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		p := anon.Posts[0]
		p.Title = "handover"
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got := postsOf("ann"); len(got) != 4 || got[1] != "handover" {
			t.Fatalf("ann's posts: %v", got)
		}
		if got := postsOf("anon"); len(got) != 1 {
			t.Fatalf("anon's posts: %v", got)
		}
		if p.Author != ann || len(anon.Posts) != 1 {
			t.Fatalf("the moved post: author %v, anon holds %d", p.Author.Name, len(anon.Posts))
		}
	})
	e.cap.reset()
	if err := s.Commit(ctx); err != nil || len(e.cap.sqls()) != 0 {
		t.Fatalf("an unchanged commit sent %q (%v)", e.cap.sqls(), err)
	}
}

// A flush that fails after Before hooks changed relationships puts the
// relationship fields back as the program left them, as it does the
// columns the hooks set: the retry runs the hooks on the same objects
// again and writes one welcome post, not two.
func TestBeforeHookRelationshipsRestored(t *testing.T) {
	e := setup(t, orm.MustRegistry(&HAuthor{}, &HPost{}))
	e.exec(`INSERT INTO h_authors (name) VALUES ('taken')`)
	s := e.db.Session()
	defer s.Close()
	a := &HAuthor{Name: "taken"}
	s.Add(a)
	if err := s.Commit(e.ctx); err == nil {
		t.Fatal("a duplicate name was committed")
	}
	if len(a.Posts) != 0 {
		t.Fatalf("the failed flush left %d posts the hook appended", len(a.Posts))
	}
	a.Name = "free"
	if err := s.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(`SELECT p.title FROM h_posts p JOIN h_authors a ON a.id = p.author_id WHERE a.name = 'free'`); len(got) != 1 || len(a.Posts) != 1 {
		t.Fatalf("posts after the retry: %v, held %d", got, len(a.Posts))
	}
}
