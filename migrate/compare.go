package migrate

import (
	"cmp"
	"slices"

	"github.com/crucible-orm/crucible/schema"
)

// Diff is what [Compare] found: the ops that turn the live schema into the
// wanted one, in an order that respects dependencies, hints for the
// author of the revision, and the objects left alone because no model
// describes them and nothing allowed dropping them (tables first, then
// types, each by schema and name).
type Diff struct {
	Ops       []Op     // the upgrade, in dependency order: schemas and enums before tables, parents before children
	Hints     []Hint   // advice for the revision's author, printed with the revision
	Unmanaged []Object // what no model describes and nothing allowed dropping: reported, left alone
}

// Hint is advice autogenerate cannot act on by itself, such as a dropped
// and an added column that may be a rename. Code is the Go line to use
// instead, "" when there is none.
type Hint struct {
	Text string // the advice, one sentence
	Code string // a Go expression to paste into the revision, such as a RenameColumn op
}

// Empty reports whether the diff has no ops. Unmanaged objects do not
// count: they are outside what the models manage.
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
	phaseCreateSchema   phase = iota // schemas before what goes in them
	phaseCreateEnum                  // types before the tables and columns using them
	phaseAddEnumValue                //
	phaseDropFK                      // foreign keys before the tables and keys they use
	phaseDropConstraint              // checks, uniques, primary keys
	phaseDropIndex                   //
	phaseDropTable                   // referencing tables first
	phaseDropColumn                  //
	phaseRename                      // constraints and indexes, once the dropped ones free their names
	phaseRecreateEnum                // after drops: fewer columns to convert
	phaseCreateTable                 // referenced tables first
	phaseAddColumn                   //
	phaseAlterColumn                 //
	phaseAddConstraint               //
	phaseCreateIndex                 //
	phaseAddFK                       // once every referenced table and key exists
	phaseAlterTable                  // comments
	phaseDropEnum                    // once nothing uses the type
	phaseDropSchema                  // once it is empty
	phaseCount
)

// comparer collects the ops of one Compare call by phase.
type comparer struct {
	live, want *schema.Metadata
	filter     filter
	owned      owned
	// schemas are the schemas the database has; nil means those live
	// holds objects in.
	schemas   map[string]bool
	phases    [phaseCount][]Op
	hints     []Hint
	unmanaged []Object
	// foldedDefaults holds the columns whose default change a
	// RecreateEnum makes, so that no AlterColumn makes it again.
	foldedDefaults map[columnName]bool
}

// columnName is a column of a table, schema-qualified.
type columnName struct {
	table  objectName
	column string
}

// Compare returns the ops that turn live (usually read from the database)
// into want (usually the models' metadata), within scope. Tables and
// columns are matched by name, in their schema; keys, constraints and
// indexes by definition, so differences in constraint names alone are no
// change (unless scope.RenameConstraints, which renames them). Types compare in canonical form and server defaults through
// [postgres.NormalizeDefault]; for an exact comparison of expressions
// push want through the database first, as [Runner.Autogenerate] does.
//
// Compare knows no revisions, so a table or enum type of live that want
// lacks is dropped only with scope.DropUnmanaged; otherwise it is listed
// in [Diff.Unmanaged]. ([Runner.Autogenerate] also drops what its
// revisions created.) Qualified patterns call the unnamed schema "public".
// Compare reads its arguments only; it fails only on a malformed scope.
func Compare(live, want *schema.Metadata, scope Scope) (*Diff, error) {
	if err := scope.Err(); err != nil {
		return nil, err
	}
	return compare(live, want, filter{Scope: scope, current: "public"}, owned{}, nil), nil
}

// compare runs the comparison; schemas lists the database's schemas (nil
// to infer them from live).
func compare(live, want *schema.Metadata, f filter, o owned, schemas map[string]bool) *Diff {
	c := &comparer{live: live, want: want, filter: f, owned: o, schemas: schemas,
		foldedDefaults: map[columnName]bool{}}
	c.enums()
	c.tables()
	c.createSchemas()
	c.keyDependents()
	c.dropUnusedEnums()
	c.dropSchemas()
	c.newValueHints()
	slices.SortFunc(c.unmanaged, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
	d := &Diff{Hints: c.hints, Unmanaged: c.unmanaged}
	for _, ops := range c.phases {
		d.Ops = append(d.Ops, ops...)
	}
	return d
}

func (c *comparer) add(p phase, op Op) { c.phases[p] = append(c.phases[p], op) }

func (c *comparer) hint(text, code string) {
	c.hints = append(c.hints, Hint{Text: text, Code: code})
}

// presence says on which side of a comparison an object is, for the
// scope's Object.
type presence uint8

const (
	inModelsOnly   presence = iota // to create
	inDatabaseOnly                 // to drop, or unmanaged
	inBoth                         // to compare
)

func (p presence) inModels() bool   { return p != inDatabaseOnly }
func (p presence) inDatabase() bool { return p != inModelsOnly }

// gone decides about a table or type of the database that no model
// describes: true when it is to be dropped (a revision created it, or the
// scope allows dropping what no model describes); otherwise it is
// reported as unmanaged.
func (c *comparer) gone(o Object, created bool) bool {
	if created || c.filter.DropUnmanaged {
		return true
	}
	c.unmanaged = append(c.unmanaged, o)
	return false
}
