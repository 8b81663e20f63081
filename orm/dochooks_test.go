package orm_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/crucible-orm/crucible/orm"
)

// HBoard holds pins; a pin's hooks fail when told to.
type HBoard struct {
	ID   int64   `orm:"pk"`
	Name string  `orm:"unique"`
	Pins []*HPin `rel:"one_to_many,back_populates:Board,cascade:all|delete-orphan,order_by:id"`
}

type HPin struct {
	ID      int64 `orm:"pk"`
	BoardID int64 `orm:"fk:h_boards.id"`
	Note    string
	Board   *HBoard `rel:"many_to_one,back_populates:Pins"`
	fail    string  // the hook that fails: "before", "panic", "after"
}

func (p *HPin) BeforeUpdate(context.Context) error {
	switch p.fail {
	case "before":
		return errors.New("refused")
	case "panic":
		panic("boom")
	}
	return nil
}

func (p *HPin) AfterUpdate(context.Context) error {
	if p.fail == "after" {
		return errors.New("refused after")
	}
	return nil
}

// docs/session.md, Lifecycle hooks: "A hook that returns an error or
// panics fails the flush: nothing is committed, and the session is
// restored as for any failed flush" — with a pin moved to another board in
// the same flush: the retry writes the move and the note.
func TestFailingHookKeepsAMoveForTheRetry(t *testing.T) {
	e := setup(t, orm.MustRegistry(&HBoard{}, &HPin{}))
	for _, hook := range []string{"before", "panic", "after"} {
		t.Run(hook, func(t *testing.T) {
			e.exec(`TRUNCATE h_boards, h_pins RESTART IDENTITY CASCADE`)
			s := e.db.Session()
			defer s.Close()
			b1 := &HBoard{Name: "one", Pins: []*HPin{{Note: "a"}, {Note: "b"}}}
			b2 := &HBoard{Name: "two"}
			s.Add(b1, b2)
			if err := s.Commit(e.ctx); err != nil {
				t.Fatal(err)
			}
			pin := b1.Pins[0]
			pin.Note = "moved"
			pin.Board = b2
			pin.fail = hook
			err := s.Commit(e.ctx)
			var he *orm.HookError
			if !errors.As(err, &he) {
				t.Fatalf("commit: %v, want a *orm.HookError", err)
			}
			if got := e.rows(`SELECT board_id, note FROM h_pins WHERE id = $1`, pin.ID); got[0][0] != b1.ID || got[0][1] != "a" {
				t.Fatalf("after the failed hook: %v", got)
			}
			pin.fail = ""
			if err := s.Commit(e.ctx); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got := e.rows(`SELECT board_id, note FROM h_pins WHERE id = $1`, pin.ID); got[0][0] != b2.ID || got[0][1] != "moved" {
				t.Fatalf("after the retry: %v", got)
			}
			if !slices.Contains(b2.Pins, pin) || slices.Contains(b1.Pins, pin) || e.count("h_pins") != 2 {
				t.Fatalf("in memory: in two %v, in one %v; %d pins", slices.Contains(b2.Pins, pin), slices.Contains(b1.Pins, pin), e.count("h_pins"))
			}
		})
	}
}
