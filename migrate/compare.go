package migrate

import (
	"github.com/crucible-orm/crucible/schema"
)

// Diff is what [Compare] found: the ops that turn the live schema into the
// wanted one, in an order that respects dependencies, and hints for the
// author of the revision.
type Diff struct {
	Ops   []Op   // the upgrade, in dependency order: enums before tables, parents before children
	Hints []Hint // advice for the revision's author, printed with the revision
}

// Hint is advice autogenerate cannot act on by itself, such as a dropped
// and an added column that may be a rename. Code is the Go line to use
// instead, "" when there is none.
type Hint struct {
	Text string // the advice, one sentence
	Code string // a Go expression to paste into the revision, such as a RenameColumn op
}

// Empty reports whether the diff has no ops.
func (d *Diff) Empty() bool { return len(d.Ops) == 0 }

// Reverse returns the ops that undo d.Ops: each op's reverse, in reverse
// order. It fails with the first *IrreversibleError.
func (d *Diff) Reverse() ([]Op, error) { return reverseOps(d.Ops) }

func reverseOps(ops []Op) ([]Op, error) {
	out := make([]Op, 0, len(ops))
	for i := len(ops) - 1; i >= 0; i-- {
		r, err := ops[i].Reverse()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// phase orders the ops of a diff: each kind of change runs where what it
// needs exists and what it removes is no longer needed.
type phase int

const (
	phaseCreateEnum     phase = iota // types before the tables and columns using them
	phaseAddEnumValue                //
	phaseDropFK                      // foreign keys before the tables and keys they use
	phaseDropConstraint              // checks, uniques, primary keys
	phaseDropIndex                   //
	phaseDropTable                   // referencing tables first
	phaseDropColumn                  //
	phaseRecreateEnum                // after drops: fewer columns to convert
	phaseCreateTable                 // referenced tables first
	phaseAddColumn                   //
	phaseAlterColumn                 //
	phaseAddConstraint               //
	phaseCreateIndex                 //
	phaseAddFK                       // once every referenced table and key exists
	phaseAlterTable                  // comments
	phaseDropEnum                    // once nothing uses the type
	phaseCount
)

// comparer collects the ops of one Compare call by phase.
type comparer struct {
	live, want *schema.Metadata
	phases     [phaseCount][]Op
	hints      []Hint
	// foldedDefaults holds the TABLE.COLUMN whose default change a
	// RecreateEnum makes, so that no AlterColumn makes it again.
	foldedDefaults map[string]bool
}

// Compare returns the ops that turn live (usually read from the database)
// into want (usually the models' metadata). Tables, columns, constraints
// and indexes are matched by name (tables, columns) or by definition
// (keys, constraints, indexes), so differences in constraint names alone
// are no change. Types compare in canonical form and server defaults
// through [postgres.NormalizeDefault]; for an exact comparison of
// expressions push want through the database first, as
// [Runner.Autogenerate] does. Compare reads its arguments only.
func Compare(live, want *schema.Metadata) *Diff {
	c := &comparer{live: live, want: want, foldedDefaults: map[string]bool{}}
	c.enums()
	c.tables()
	c.keyDependents()
	c.dropUnusedEnums()
	c.newValueHints()
	d := &Diff{Hints: c.hints}
	for _, ops := range c.phases {
		d.Ops = append(d.Ops, ops...)
	}
	return d
}

func (c *comparer) add(p phase, op Op) { c.phases[p] = append(c.phases[p], op) }

func (c *comparer) hint(text, code string) {
	c.hints = append(c.hints, Hint{Text: text, Code: code})
}
