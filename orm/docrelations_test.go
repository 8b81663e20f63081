package orm_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/crucible-orm/crucible/orm"
)

// The models of docs/relationships.md, as written there.

type DBase struct {
	ID        int64     `orm:"pk"`
	CreatedAt time.Time `orm:"server_default:now()"`
	UpdatedAt time.Time `orm:"server_default:now(),onupdate:now()"`
}

type DUser struct {
	DBase
	Username string    `orm:"unique"`
	Profile  *DProfile `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan,lazy:joined"`
	Posts    []*DPost  `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan"`
}

func (DUser) TableName() string { return "users" }

type DProfile struct {
	DBase
	UserID int64  `orm:"unique,fk:users.id,ondelete:cascade"`
	User   *DUser `rel:"many_to_one,back_populates:Profile"`
	Name   *string
}

func (DProfile) TableName() string { return "profiles" }

type DPost struct {
	DBase
	Title  string
	UserID int64  `orm:"fk:users.id"`
	User   *DUser `rel:"many_to_one,back_populates:Posts"`
}

func (DPost) TableName() string { return "posts" }

func TestDocsRelationshipsExamples(t *testing.T) {
	e := setup(t, orm.MustRegistry(&DUser{}, &DProfile{}, &DPost{}))
	seed := func(t *testing.T) (ua, ub *DUser) {
		t.Helper()
		e.exec(`TRUNCATE users, profiles, posts RESTART IDENTITY CASCADE`)
		s := e.db.Session()
		defer s.Close()
		ua = &DUser{Username: "ann", Posts: []*DPost{{Title: "a1"}, {Title: "a2"}}}
		ub = &DUser{Username: "bob", Posts: []*DPost{{Title: "b1"}}}
		s.Add(ua, ub)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		return ua, ub
	}
	load := func(t *testing.T, s *orm.Session) (ua, ub *DUser) {
		t.Helper()
		us, err := orm.Query[DUser](s).OrderBy("id").Load("Posts").All(e.ctx)
		if err != nil || len(us) != 2 {
			t.Fatalf("load: %v", err)
		}
		slices.SortFunc(us[0].Posts, func(a, b *DPost) int { return int(a.ID - b.ID) })
		e.cap.reset()
		return us[0], us[1]
	}

	t.Run("moving a post: removed from one, appended to the other", func(t *testing.T) {
		seed(t)
		s := e.db.Session()
		defer s.Close()
		ua, ub := load(t, s)
		p := ua.Posts[0]
		ua.Posts = ua.Posts[1:]
		ub.Posts = append(ub.Posts, p)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if ups := e.cap.sqls(); len(ups) != 1 || ups[0] != `UPDATE "posts" SET "updated_at" = now(), "user_id" = $1 WHERE "id" = $2 RETURNING "updated_at"` {
			t.Fatalf("updates %q", ups)
		}
		if p.User != ub || !slices.Contains(ub.Posts, p) || slices.Contains(ua.Posts, p) || postOwner(e, p.ID) != ub.ID {
			t.Fatal("not moved")
		}
	})
	t.Run("an orphan is deleted", func(t *testing.T) {
		seed(t)
		s := e.db.Session()
		defer s.Close()
		ua, _ := load(t, s)
		p := ua.Posts[0]
		ua.Posts = ua.Posts[1:]
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if dels := e.cap.sqls(); len(dels) != 1 || dels[0] != `DELETE FROM "posts" USING unnest($1::bigint[]) AS v(_1) WHERE "posts"."id" = v._1` || postOwner(e, p.ID) != 0 {
			t.Fatalf("deletes %q", dels)
		}
	})
	t.Run("a pending child taken out before the flush is never inserted", func(t *testing.T) {
		e.exec(`TRUNCATE users, profiles, posts RESTART IDENTITY CASCADE`)
		s := e.db.Session()
		defer s.Close()
		draft, final := &DPost{Title: "draft"}, &DPost{Title: "final"}
		u := &DUser{Username: "ann", Posts: []*DPost{draft, final}}
		s.Add(u)
		u.Posts = u.Posts[1:]
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if s.Status(draft) != orm.Transient || e.count("posts") != 1 {
			t.Fatalf("draft %v, posts %d", s.Status(draft), e.count("posts"))
		}
	})
	t.Run("a one-to-one replaced", func(t *testing.T) {
		e.exec(`TRUNCATE users, profiles, posts RESTART IDENTITY CASCADE`)
		s := e.db.Session()
		defer s.Close()
		old := "old"
		u := &DUser{Username: "ann", Profile: &DProfile{Name: &old}}
		s.Add(u)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		nw := "new"
		u.Profile = &DProfile{Name: &nw}
		e.cap.reset()
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		// The old profile's DELETE before the new one's INSERT (user_id is unique).
		if got := e.cap.sqls(); len(got) != 2 ||
			got[0] != `DELETE FROM "profiles" USING unnest($1::bigint[]) AS v(_1) WHERE "profiles"."id" = v._1` ||
			got[1] != `INSERT INTO "profiles" ("user_id", "name") VALUES ($1, $2) RETURNING "id", "created_at", "updated_at"` {
			t.Fatalf("statements %q", got)
		}
		if got := e.rows(`SELECT name FROM profiles`); len(got) != 1 || got[0][0] != "new" {
			t.Fatalf("profiles %v", got)
		}
	})
	t.Run("an object from a closed session is a DetachedError; Merge is the remedy", func(t *testing.T) {
		ua, _ := seed(t)
		s := e.db.Session()
		defer s.Close()
		post := &DPost{Title: "new", User: ua}
		s.Add(post)
		err := s.Commit(e.ctx)
		var de *orm.DetachedError
		if !errors.As(err, &de) || !errors.Is(err, orm.ErrDetached) {
			t.Fatalf("commit = %v, want a DetachedError", err)
		}
		post.User, err = orm.Merge(e.ctx, s, ua)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if postOwner(e, post.ID) != ua.ID || e.count("users") != 2 {
			t.Fatalf("post owner %d, users %d", postOwner(e, post.ID), e.count("users"))
		}
	})
	t.Run("a PATCH merged with MergeNonZero updates the title (and updated_at)", func(t *testing.T) {
		ua, _ := seed(t)
		s := e.db.Session()
		defer s.Close()
		id := ua.Posts[0].ID
		patch := &DPost{DBase: DBase{ID: id}, Title: "edited"}
		p, err := orm.Merge(e.ctx, s, patch, orm.MergeNonZero())
		if err != nil || p.Title != "edited" || p.UserID != ua.ID {
			t.Fatalf("merge: %+v, %v", p, err)
		}
		e.cap.reset()
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		ups := e.statements("UPDATE")
		// Base's updated_at is onupdate:now(): set by the UPDATE, read back.
		if len(ups) != 1 || ups[0] != `UPDATE "posts" SET "updated_at" = now(), "title" = $1 WHERE "id" = $2 RETURNING "updated_at"` {
			t.Fatalf("updates %q", ups)
		}
		if got := e.rows(`SELECT title, user_id FROM posts WHERE id = $1`, id)[0]; got[0] != "edited" || got[1] != ua.ID {
			t.Fatalf("row %v", got)
		}
	})
}
