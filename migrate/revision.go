package migrate

import (
	"errors"
	"slices"
	"strings"
)

// Revision is one migration: an id, the revision it applies on top of
// (Down, "" for the first one), the further parents of a merge revision
// (Merges), a message, and the ops that upgrade and downgrade the schema.
// Migration files declare revisions as package-level values, collected in
// a [Set] by the package's registry file; nothing registers itself.
type Revision struct {
	ID        string   // unique in the set; autogenerate writes 12 hex digits
	Down      string   // the id of the revision this one applies on top of; "" for the first
	Merges    []string // for a merge revision, the ids of the other heads it joins
	Message   string   // what the revision does, as given to `migrate revision -m`
	Upgrade   []Op     // run in order in the revision's transaction (ops that refuse one run on their own)
	Downgrade []Op     // undoes Upgrade, run in order; autogenerate writes the ops' reverses
}

// Parents returns Down and Merges: the revisions r applies on top of.
func (r *Revision) Parents() []string {
	if r.Down == "" {
		return r.Merges
	}
	return append([]string{r.Down}, r.Merges...)
}

// Base is the target below the first revision: downgrading to it undoes
// every revision.
const Base = "base"

// Set is a validated graph of revisions. Build it with [NewSet]; it is
// immutable and safe for concurrent use.
type Set struct {
	byID     map[string]*Revision
	order    []*Revision // parents before children, ties in declaration order
	children map[string][]string
	err      error
}

// NewSet collects revisions into a set and checks the graph: ids present
// and unique, every down revision in the set, no cycle. It never fails so
// that it can initialise a package variable; the problems, typed
// (*DuplicateError, *BrokenChainError, *CycleError) and joined, come back
// from [Set.Err] and from every runner command.
func NewSet(revs ...Revision) *Set {
	s := &Set{byID: map[string]*Revision{}, children: map[string][]string{}}
	var errs []error
	all := make([]*Revision, 0, len(revs))
	for i := range revs {
		r := &revs[i]
		switch {
		case r.ID == "" || r.ID == Base:
			errs = append(errs, &DuplicateError{Revision: strings.TrimSpace(r.ID + " (reserved or empty id)")})
			continue
		case s.byID[r.ID] != nil:
			errs = append(errs, &DuplicateError{Revision: r.ID})
			continue
		}
		s.byID[r.ID] = r
		all = append(all, r)
	}
	errs = append(errs, s.link(all)...)
	s.err = errors.Join(errs...)
	return s
}

// link records children and computes the topological order.
func (s *Set) link(all []*Revision) []error {
	var errs []error
	for _, r := range all {
		for _, p := range r.Parents() {
			if s.byID[p] == nil {
				errs = append(errs, &BrokenChainError{Revision: r.ID, Missing: p})
				continue
			}
			s.children[p] = append(s.children[p], r.ID)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if err := s.sort(all); err != nil {
		return []error{err}
	}
	return nil
}

// sort orders the revisions parents first (Kahn's algorithm, ties broken
// by declaration order) and reports a cycle.
func (s *Set) sort(all []*Revision) error {
	pending := map[string]int{}
	for _, r := range all {
		pending[r.ID] = len(r.Parents())
	}
	done := map[string]bool{}
	for len(s.order) < len(all) {
		i := slices.IndexFunc(all, func(r *Revision) bool { return !done[r.ID] && pending[r.ID] == 0 })
		if i < 0 {
			return &CycleError{Revisions: s.cycle(all, done)}
		}
		r := all[i]
		done[r.ID] = true
		s.order = append(s.order, r)
		for _, c := range s.children[r.ID] {
			pending[c]--
		}
	}
	return nil
}

// cycle returns the ids on one cycle among the revisions not yet sorted.
func (s *Set) cycle(all []*Revision, done map[string]bool) []string {
	var start *Revision
	for _, r := range all {
		if !done[r.ID] {
			start = r
			break
		}
	}
	seen := map[string]int{}
	var path []string
	for id := start.ID; ; {
		if i, ok := seen[id]; ok {
			return append(path[i:], id)
		}
		seen[id] = len(path)
		path = append(path, id)
		for _, p := range s.byID[id].Parents() {
			if !done[p] {
				id = p
				break
			}
		}
	}
}

// Err returns the problems NewSet found in the graph, nil when it is sound.
func (s *Set) Err() error { return s.err }

// Revision returns the revision with the given id, or nil.
func (s *Set) Revision(id string) *Revision { return s.byID[id] }

// Revisions returns the revisions parents first (declaration order among
// revisions that do not depend on each other). The slice must not be
// modified.
func (s *Set) Revisions() []*Revision { return s.order }

// Heads returns the ids of the revisions nothing applies on top of, in
// order. A sound, linear history has one.
func (s *Set) Heads() []string {
	var heads []string
	for _, r := range s.order {
		if len(s.children[r.ID]) == 0 {
			heads = append(heads, r.ID)
		}
	}
	return heads
}

// Head returns the single head, "" for an empty set, a *MultipleHeadsError
// when there are several, and the graph's problems when it is broken.
func (s *Set) Head() (string, error) {
	if s.err != nil {
		return "", s.err
	}
	heads := s.Heads()
	switch len(heads) {
	case 0:
		return "", nil
	case 1:
		return heads[0], nil
	}
	return "", &MultipleHeadsError{Heads: heads}
}

// lookup resolves a full id or a unique prefix of at least four
// characters.
func (s *Set) lookup(id string) (string, error) {
	if s.byID[id] != nil {
		return id, nil
	}
	var found []string
	if len(id) >= 4 {
		for _, r := range s.order {
			if strings.HasPrefix(r.ID, id) {
				found = append(found, r.ID)
			}
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return "", &UnknownRevisionError{Revision: id, Where: "target"}
}

// ancestors returns the ids of the given revisions and all below them.
func (s *Set) ancestors(ids ...string) map[string]bool {
	out := map[string]bool{}
	stack := slices.Clone(ids)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if out[id] || s.byID[id] == nil {
			continue
		}
		out[id] = true
		stack = append(stack, s.byID[id].Parents()...)
	}
	return out
}

// headsOf returns the revisions of applied that no other applied revision
// applies on top of, in order.
func (s *Set) headsOf(applied map[string]bool) []string {
	var heads []string
	for _, r := range s.order {
		if !applied[r.ID] {
			continue
		}
		top := true
		for _, c := range s.children[r.ID] {
			if applied[c] {
				top = false
				break
			}
		}
		if top {
			heads = append(heads, r.ID)
		}
	}
	return heads
}

// after returns the heads once rev is applied (Up) or undone (Down) on
// top of heads.
func (s *Set) after(heads []string, rev *Revision, dir Direction) []string {
	applied := s.ancestors(heads...)
	if dir == Up {
		applied[rev.ID] = true
	} else {
		delete(applied, rev.ID)
	}
	return s.headsOf(applied)
}
