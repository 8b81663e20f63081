package relation

import (
	"reflect"

	"github.com/crucible-orm/crucible/schema"
)

// Side says which table holds the foreign key that carries a relationship.
type Side uint8

// The three places a relationship's foreign key can live.
const (
	// FKOnTarget: the target's foreign key references the owner. The owner
	// is the parent: one_to_many, and the parent side of one_to_one.
	FKOnTarget Side = iota + 1
	// FKOnOwner: the owner's foreign key references the target. The target
	// is the parent: many_to_one, and the child side of one_to_one.
	FKOnOwner
	// FKOnSecondary: the association table holds two foreign keys, one to
	// each side: many_to_many.
	FKOnSecondary
)

// String returns "target", "owner" or "secondary".
func (s Side) String() string {
	switch s {
	case FKOnTarget:
		return "target"
	case FKOnOwner:
		return "owner"
	case FKOnSecondary:
		return "secondary"
	}
	return ""
}

// Pair links a referenced column (Parent, usually a primary key column) to
// the foreign key column that copies its value (Child). Syncing a pair
// means child.Child = parent.Parent before the child row is written.
type Pair struct {
	Parent *schema.Column // the referenced column, read from the parent row
	Child  *schema.Column // the foreign key column, written into the child row
}

// Order is one key of a collection's `order_by:`.
type Order struct {
	Column    *schema.Column // the column sorted by
	Desc      bool           // descending (a leading "-" in the tag)
	Secondary bool           // Column belongs to the secondary table, not the target
}

// Relation is one resolved relationship, owned by the model that declares
// the field. Everything the ORM needs at flush and load time is computed
// here once, at registration; a Relation is immutable afterwards and safe
// for concurrent use.
//
// The join condition is always described the same way, with no SQL:
// for FKOnOwner and FKOnTarget, owner.LocalColumns[i] = target.RemoteColumns[i];
// for FKOnSecondary, owner.LocalColumns[i] = secondary.SecondaryLocal[i] and
// secondary.SecondaryRemote[j] = target.RemoteColumns[j]. Loading the
// targets of a set of owners is therefore always "collect the owners'
// LocalColumns values, select targets (through Secondary when set) whose
// matching columns are among them".
type Relation struct {
	Name   string                // the Go field name ("Posts")
	Kind   Kind                  // as declared
	Table  *schema.Table         // the owner: the model declaring the field
	Target *schema.Table         // the related model
	Field  *schema.RelationField // the tagged field
	Tag    string                // the raw `rel` tag, for error messages

	// Uselist is true for collections (one_to_many, many_to_many), whose
	// field is a []*T; false for to-one kinds, whose field is a *T.
	Uselist bool

	// Side says which table holds the foreign key; see [Side].
	Side Side

	// ForeignKey is the constraint carrying the relationship: on Table for
	// FKOnOwner, on Target for FKOnTarget, on Secondary (the one
	// referencing Table) for FKOnSecondary.
	ForeignKey *schema.ForeignKey

	// LocalColumns are the owner's columns of the join and RemoteColumns
	// the target's, pairwise in foreign key column order. For FKOnOwner the
	// local columns are the foreign key and the remote ones what it
	// references; for FKOnTarget the reverse; for FKOnSecondary both are
	// the referenced keys (usually the primary keys) of each side.
	LocalColumns  []*schema.Column
	RemoteColumns []*schema.Column // the target's columns, matching LocalColumns

	// Sync lists the primary-key-to-foreign-key copies the flush must do:
	// Parent columns belong to the parent row (Target for FKOnOwner, Table
	// otherwise) and Child columns to the child row (Table for FKOnOwner,
	// Target for FKOnTarget, Secondary for FKOnSecondary).
	Sync []Pair

	// Secondary is the association table of a many_to_many, nil otherwise.
	// SecondaryLocal are its columns referencing the owner (matched with
	// LocalColumns), SecondaryRemote those referencing the target (matched
	// with RemoteColumns); SecondaryForeignKey is the constraint of
	// SecondaryRemote, and SecondarySync its copies from the target's key.
	// SecondaryMapped is true when the association table is a mapped model
	// (the association-object pattern) rather than one Resolve built.
	Secondary           *schema.Table
	SecondaryLocal      []*schema.Column   // the secondary's columns referencing the owner
	SecondaryRemote     []*schema.Column   // the secondary's columns referencing the target
	SecondaryForeignKey *schema.ForeignKey // the secondary's foreign key to the target
	SecondarySync       []Pair             // target key → SecondaryRemote copies for association rows
	SecondaryMapped     bool               // the secondary is a mapped model, not a table Resolve built

	// BackPopulates is the tag's back_populates field name and Back the
	// relationship it names, which names this one back; nil when none.
	BackPopulates string
	Back          *Relation // the relationship BackPopulates names, nil when none

	// Lazy is what happens to the relationship when its owner is queried
	// without asking for it: the `lazy:` option, Select when not given.
	// Joined and SelectIn load it with every query of the owner.
	Lazy Strategy

	// EagerStrategy is how a Load path (or an eager Lazy) loads the
	// relationship when the query does not name a strategy: Lazy when it
	// is Joined or SelectIn, else SelectIn for collections and Joined for
	// to-one relationships.
	EagerStrategy Strategy

	Cascade Cascade // the cascade rules, DefaultCascade when not given
	OrderBy []Order // order of a collection's targets, nil when none

	// PassiveDeletes is true when the database removes or detaches the
	// rows depending on a deleted owner by itself: the foreign key held by
	// the target (or the secondary's key to the owner) has ON DELETE
	// CASCADE or SET NULL. The session then does not load those rows just
	// to delete or update them.
	PassiveDeletes bool

	// Nullable is true when every foreign key column is nullable, so the
	// child row can exist without a parent (the session may set the key to
	// NULL instead of deleting the child). Always false for FKOnSecondary.
	Nullable bool

	// UniqueForeignKey is true when the foreign key columns are covered by
	// the holder's primary key, a unique constraint or a plain unique index
	// (always for one_to_one). Replacing the child of such a key must
	// delete the old row before inserting the new one.
	UniqueForeignKey bool

	// SelfReferential is true when Table and Target are the same table;
	// the flush then orders rows, not tables.
	SelfReferential bool

	// OwnerKey and TargetKey are the primary key columns of Table and
	// Target, in key order.
	OwnerKey  []*schema.Column
	TargetKey []*schema.Column // the target's primary key columns, in key order
}

// Parent returns the table whose row must exist before the other's is
// inserted: Target for FKOnOwner, Table otherwise (for FKOnSecondary both
// Table and Target are parents of the association rows).
func (r *Relation) Parent() *schema.Table {
	if r.Side == FKOnOwner {
		return r.Target
	}
	return r.Table
}

// Child returns the table holding the foreign key: Table for FKOnOwner,
// Target for FKOnTarget, Secondary for FKOnSecondary.
func (r *Relation) Child() *schema.Table {
	switch r.Side {
	case FKOnOwner:
		return r.Table
	case FKOnSecondary:
		return r.Secondary
	}
	return r.Target
}

// OwnerIsParent reports whether the owner is the parent side (FKOnTarget or
// FKOnSecondary): the side whose delete and delete-orphan cascades act on
// the targets.
func (r *Relation) OwnerIsParent() bool { return r.Side != FKOnOwner }

// String returns "Type.Field", e.g. "blog.User.Posts".
func (r *Relation) String() string { return typeName(r.Table) + "." + r.Name }

func typeName(t *schema.Table) string {
	if t.GoType != nil {
		return t.GoType.String()
	}
	return t.Name
}

// Set is every relationship of a registry. It is immutable once Resolve
// returns it and safe for concurrent use.
type Set struct {
	all      []*Relation
	byTable  map[*schema.Table][]*Relation
	byTarget map[*schema.Table][]*Relation
	byType   map[reflect.Type]*schema.Table
}

// Of returns the relationships declared by table t, in field order. The
// slice must not be modified.
func (s *Set) Of(t *schema.Table) []*Relation { return s.byTable[t] }

// To returns the relationships whose target is t, declared on any table
// (t included), in resolution order. The ORM uses it to find association
// rows and children of a deleted row that t itself declares no
// relationship for. The slice must not be modified.
func (s *Set) To(t *schema.Table) []*Relation { return s.byTarget[t] }

// All returns every relationship, table by table in the order Resolve was
// given them, fields in declaration order. The slice must not be modified.
func (s *Set) All() []*Relation { return s.all }

// Field returns the relationship declared by t's field name, or nil.
func (s *Set) Field(t *schema.Table, name string) *Relation {
	for _, r := range s.byTable[t] {
		if r.Name == name {
			return r
		}
	}
	return nil
}
