package orm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// docs/session.md, as a new user would run its examples against the
// Account model.
func TestDocsSessionExamples(t *testing.T) {
	e := setup(t, orm.MustRegistry(&Account{}))

	t.Run("the first example: Get answers from the identity map; an UPDATE bumps the version", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		ann := &Account{Email: "ann@example.com", Name: "Ann"}
		s.Add(ann)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if ann.ID == 0 || ann.Nickname == nil || *ann.Nickname != "anonymous" || ann.CreatedAt.IsZero() {
			t.Fatalf("not read back: %+v", ann)
		}
		e.cap.reset()
		same, err := orm.Get[Account](e.ctx, s, ann.ID)
		if err != nil || same != ann || len(e.cap.sqls()) != 0 {
			t.Fatalf("Get: same %v, %v, sent %q", same == ann, err, e.cap.sqls())
		}
		ann.Balance += 5
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		ups := e.statements("UPDATE")
		if len(ups) != 1 || !strings.Contains(ups[0], `"balance" = $1`) || !strings.Contains(ups[0], `"version" = $2`) ||
			!strings.Contains(ups[0], `"id" = $3`) || !strings.Contains(ups[0], `"version" = $4`) {
			t.Fatalf("update: %q", ups)
		}
	})

	t.Run("Explicit writes NULL instead of the server default", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		a := &Account{Email: "x@example.com"}
		s.Add(a)
		s.Explicit(a, "Nickname")
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT nickname FROM accounts WHERE id = $1`, a.ID)[0][0]; got != nil || a.Nickname != nil {
			t.Fatalf("nickname %v (held %v)", got, a.Nickname)
		}
	})

	t.Run("a unique violation names the constraint; the object stays pending", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		s.Add(&Account{Email: "taken@example.com", Name: "First"})
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		dup := &Account{Email: "taken@example.com", Name: "Second"}
		s.Add(dup)
		err := s.Commit(e.ctx)
		var ce *orm.ConstraintError
		if !errors.As(err, &ce) || !errors.Is(err, orm.ErrUniqueViolation) || ce.Constraint != "uq_accounts_email" ||
			ce.Table != "accounts" || len(ce.Columns) != 1 || ce.Columns[0] != "email" {
			t.Fatalf("commit = %v (%+v)", err, ce)
		}
		if s.Status(dup) != orm.Pending || dup.ID != 0 || s.Status(dup).String() != "pending" {
			t.Fatalf("after the failure: %v %d", s.Status(dup), dup.ID)
		}
		dup.Email = "second@example.com"
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Nested inside Transaction: the dropped account leaves, the kept one was flushed before the savepoint", func(t *testing.T) {
		kept, dropped := &Account{Email: "kept@example.com"}, &Account{Email: "dropped@example.com"}
		var nestedErr error
		var keptStatus, droppedStatus orm.Status
		err := e.db.Transaction(e.ctx, func(s *orm.Session) error {
			s.Add(kept)
			nestedErr = s.Nested(e.ctx, func(s *orm.Session) error {
				s.Add(dropped)
				return errors.New("changed my mind")
			})
			keptStatus, droppedStatus = s.Status(kept), s.Status(dropped)
			return nil
		})
		if err != nil || nestedErr == nil || nestedErr.Error() != "changed my mind" {
			t.Fatalf("transaction %v, nested %v", err, nestedErr)
		}
		if keptStatus != orm.Persistent || droppedStatus != orm.Transient {
			t.Fatalf("inside: kept %v, dropped %v", keptStatus, droppedStatus)
		}
		if got := e.rows(`SELECT email FROM accounts WHERE email IN ('kept@example.com', 'dropped@example.com')`); len(got) != 1 || got[0][0] != "kept@example.com" {
			t.Fatalf("rows %v", got)
		}
	})

	t.Run("a stale version fails the commit, writes nothing; Refresh and retry", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		a := &Account{Email: "stale@example.com", Name: "S", Balance: 3}
		other := &Account{Email: "other@example.com", Name: "O"}
		s.Add(a, other)
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.exec(`UPDATE accounts SET balance = 7, version = version + 1 WHERE id = $1`, a.ID)
		a.Balance = 1
		other.Name = "O2"
		err := s.Commit(e.ctx)
		if !errors.Is(err, orm.ErrStaleData) {
			t.Fatalf("commit = %v, want ErrStaleData", err)
		}
		if got := e.rows(`SELECT name FROM accounts WHERE id = $1`, other.ID)[0][0]; got != "O" {
			t.Fatalf("the failed flush wrote the other account: %v", got)
		}
		if err := s.Refresh(e.ctx, a); err != nil || a.Balance != 7 {
			t.Fatalf("refresh: balance %d, %v", a.Balance, err)
		}
		a.Balance = 1
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.rows(`SELECT balance, name FROM accounts WHERE id = ANY($1) ORDER BY id`, []int64{a.ID, other.ID}); got[0][0] != int64(1) || got[1][1] != "O2" {
			t.Fatalf("rows %v", got)
		}
	})

	t.Run("Merge: whole, non-zero, named fields, stale", func(t *testing.T) {
		s0 := e.db.Session()
		acc := &Account{Email: "merge@example.com", Name: "M", Balance: 4}
		s0.Add(acc)
		if err := s0.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		s0.Close()
		s := e.db.Session()
		defer s.Close()
		patch := &Account{ID: acc.ID, Name: "M2"}
		got, err := orm.Merge(e.ctx, s, patch, orm.MergeNonZero())
		if err != nil || got == patch || got.Email != "merge@example.com" || got.Name != "M2" || got.Balance != 4 {
			t.Fatalf("non-zero: %+v, %v", got, err)
		}
		got, err = orm.Merge(e.ctx, s, &Account{ID: acc.ID, Name: "M3", Email: "ignored"}, orm.MergeFields("Name"))
		if err != nil || got.Email != "merge@example.com" || got.Name != "M3" {
			t.Fatalf("fields: %+v, %v", got, err)
		}
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
		old := *acc // version 1; the row is at 2 now
		old.Name = "stale"
		if _, err := orm.Merge(e.ctx, s, &old); !errors.Is(err, orm.ErrStaleData) {
			t.Fatalf("stale merge = %v", err)
		}
		if r := e.rows(`SELECT name, email, balance FROM accounts WHERE id = $1`, acc.ID)[0]; r[0] != "M3" || r[1] != "merge@example.com" || r[2] != int64(4) {
			t.Fatalf("row %v", r)
		}
	})

	t.Run("a Repository queues in the session", func(t *testing.T) {
		s := e.db.Session()
		defer s.Close()
		accounts := orm.NewRepository[Account](s)
		accounts.Add(&Account{Email: "r@example.com", Name: "R"})
		found, err := accounts.Find(e.ctx, "name = ?", "R")
		if err != nil || len(found) != 1 {
			t.Fatalf("find: %v, %v", found, err)
		}
		if err := s.Commit(e.ctx); err != nil {
			t.Fatal(err)
		}
	})
}
