package relation

// Strategy is how a relationship's targets are loaded. A relationship's
// `lazy:` option sets what happens when its owner is queried without
// asking for it ([Relation.Lazy], Select when not given); a query's Load
// path loads it with [Relation.EagerStrategy] unless the query names a
// strategy (LoadJoined). The zero value means "not set" and never appears
// on a resolved [Relation].
type Strategy uint8

// The loading strategies, spelled in tags as select, joined, selectin,
// raise and noload.
const (
	// Select, the default: nothing is loaded with the owner; the targets
	// are loaded when asked for (a Load path, Session.LoadRelated), and the
	// session loads them itself when a flush needs them (to cascade a
	// delete that the database does not do).
	Select Strategy = iota + 1
	// Joined loads the targets in the owner's own query through a LEFT
	// OUTER JOIN, with every query of the owner.
	Joined
	// SelectIn loads the targets of all the owners a query returns with one
	// extra SELECT … WHERE key = ANY($1), with every query of the owner.
	SelectIn
	// Raise loads nothing with the owner, and where the session would need
	// the unloaded targets (a cascade, an orphan check) it returns an error
	// naming the relationship instead of loading them behind the caller's
	// back. Load paths and LoadRelated still load it.
	Raise
	// NoLoad loads nothing with the owner and never loads implicitly: the
	// session works with what the field holds. Load paths and LoadRelated
	// still load it.
	NoLoad
)

var strategyNames = [...]string{
	Select:   "select",
	Joined:   "joined",
	SelectIn: "selectin",
	Raise:    "raise",
	NoLoad:   "noload",
}

// String returns the strategy as spelled in tags ("selectin"), or "" for
// the zero value.
func (s Strategy) String() string {
	if s >= Select && s <= NoLoad {
		return strategyNames[s]
	}
	return ""
}

// Eager reports whether the strategy loads targets together with their
// owners (Joined or SelectIn).
func (s Strategy) Eager() bool { return s == Joined || s == SelectIn }

// ParseStrategy returns the strategy spelled s (a `lazy:` value) and true,
// or false for an unknown spelling.
func ParseStrategy(s string) (Strategy, bool) {
	for v := Select; v <= NoLoad; v++ {
		if strategyNames[v] == s {
			return v, true
		}
	}
	return 0, false
}

// eagerStrategy is how a Load path loads a relationship of kind k whose
// lazy strategy is lazy: lazy itself when it is eager, else SelectIn for
// collections and Joined for to-one relationships.
func eagerStrategy(k Kind, lazy Strategy) Strategy {
	switch {
	case lazy.Eager():
		return lazy
	case k.Collection():
		return SelectIn
	}
	return Joined
}
