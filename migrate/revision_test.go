package migrate_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/migrate"
)

func rev(id, down string, merges ...string) migrate.Revision {
	return migrate.Revision{ID: id, Down: down, Merges: merges, Message: "rev " + id}
}

func TestSetGraphErrors(t *testing.T) {
	var dup *migrate.DuplicateError
	var broken *migrate.BrokenChainError
	var cycle *migrate.CycleError
	tests := []struct {
		name  string
		revs  []migrate.Revision
		check func(error) bool
		text  string
	}{
		{"duplicate id", []migrate.Revision{rev("a", ""), rev("a", "")},
			func(err error) bool { return errors.As(err, &dup) && dup.Revision == "a" }, "revision a is defined twice"},
		{"empty id", []migrate.Revision{rev("", "")},
			func(err error) bool { return errors.As(err, &dup) }, "reserved or empty id"},
		{"broken chain", []migrate.Revision{rev("a", ""), rev("b", "x")},
			func(err error) bool {
				return errors.As(err, &broken) && broken.Revision == "b" && broken.Missing == "x"
			},
			"revision b: down revision x is not in the set"},
		{"broken merge", []migrate.Revision{rev("a", ""), rev("m", "a", "y")},
			func(err error) bool { return errors.As(err, &broken) && broken.Missing == "y" }, "down revision y"},
		{"cycle", []migrate.Revision{rev("a", ""), rev("b", "c"), rev("c", "b")},
			func(err error) bool { return errors.As(err, &cycle) && len(cycle.Revisions) == 3 }, "revision cycle: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := migrate.NewSet(tc.revs...).Err()
			if !tc.check(err) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestSetHeadsAndOrder(t *testing.T) {
	// Declared out of order: the set orders parents first.
	s := migrate.NewSet(rev("c", "b"), rev("a", ""), rev("b", "a"), rev("d", "b"))
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if got := ids(s.Revisions()); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("order %v", got)
	}
	if got := s.Heads(); !slices.Equal(got, []string{"c", "d"}) {
		t.Errorf("heads %v", got)
	}
	_, err := s.Head()
	var mh *migrate.MultipleHeadsError
	if !errors.As(err, &mh) || !slices.Equal(mh.Heads, []string{"c", "d"}) || !strings.Contains(err.Error(), "c, d") {
		t.Errorf("Head: %v", err)
	}
	if _, err := migrate.Draft(s, "more", nil); !errors.As(err, &mh) {
		t.Errorf("Draft on two heads: %v", err)
	}
	m, err := migrate.Merge(s, "join")
	if err != nil {
		t.Fatal(err)
	}
	if m.Down != "c" || !slices.Equal(m.Merges, []string{"d"}) {
		t.Errorf("merge parents %q %v", m.Down, m.Merges)
	}
	if _, err := migrate.Merge(migrate.NewSet(rev("a", "")), "nothing"); err == nil {
		t.Error("merge of one head succeeded")
	}
}

// TestBranchesAndMerge upgrades one branch, refuses "head" while two heads
// exist, then merges and upgrades through the merge.
func TestBranchesAndMerge(t *testing.T) {
	pool := pgtest.NewPool(t)
	ctx := context.Background()
	table := func(id string) migrate.Revision {
		r := rev(id, "a")
		r.Upgrade = []migrate.Op{migrate.Execute{SQL: "CREATE TABLE " + id + " (id int)"}}
		r.Downgrade = []migrate.Op{migrate.Execute{SQL: "DROP TABLE " + id}}
		return r
	}
	revs := []migrate.Revision{rev("a", ""), table("b"), table("c")}
	branched := migrate.NewSet(revs...)
	r := migrate.NewRunner(pool, branched)
	if _, err := r.Upgrade(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	var mh *migrate.MultipleHeadsError
	if _, err := r.Upgrade(ctx, migrate.Head); !errors.As(err, &mh) {
		t.Fatalf("upgrade head with two heads: %v", err)
	}
	if done, err := r.Upgrade(ctx, migrate.Heads); err != nil || !slices.Equal(ids(done), []string{"c"}) {
		t.Fatalf("upgrade heads: %v %v", ids(done), err)
	}
	if cur, _ := r.Current(ctx); !slices.Equal(cur, []string{"b", "c"}) {
		t.Errorf("current with both branches %v", cur)
	}
	if _, err := r.Downgrade(ctx, "-1"); err != nil {
		t.Fatal(err)
	}
	m, err := migrate.Merge(branched, "merge b and c")
	if err != nil {
		t.Fatal(err)
	}
	merged := migrate.NewSet(append(revs, *m)...)
	r = migrate.NewRunner(pool, merged)
	done, err := r.Upgrade(ctx, migrate.Head)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(done); !slices.Equal(got, []string{"c", m.ID}) {
		t.Errorf("applied %v", got)
	}
	if cur, _ := r.Current(ctx); !slices.Equal(cur, []string{m.ID}) {
		t.Errorf("current %v", cur)
	}
	if _, err = r.Downgrade(ctx, "-1"); err != nil {
		t.Fatal(err)
	}
	cur, _ := r.Current(ctx)
	if !slices.Equal(cur, []string{"b", "c"}) {
		t.Errorf("after undoing the merge: current %v, want both branch heads", cur)
	}
	if _, err := r.Downgrade(ctx, migrate.Base); err != nil {
		t.Fatal(err)
	}
}
