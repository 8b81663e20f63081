package migrate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Targets of upgrade and downgrade besides revision ids (and [Base]).
const (
	Head  = "head"  // the single head revision
	Heads = "heads" // every head, for a set with unmerged branches
)

// applied returns the revisions the database holds, given its heads.
func (s *Set) applied(current []string) (map[string]bool, error) {
	for _, id := range current {
		if s.byID[id] == nil {
			return nil, &UnknownRevisionError{Revision: id, Where: "in the version table"}
		}
	}
	return s.ancestors(current...), nil
}

// plan returns the revisions to apply (Up) or undo (Down) to reach target.
func (s *Set) plan(current []string, target string, dir Direction) ([]*Revision, error) {
	switch {
	case dir == Up && target == Base && len(current) == 0:
		return nil, nil // from base to base
	case dir == Down && (target == Head || target == Heads):
		if err := s.Err(); err != nil {
			return nil, err
		}
		return s.downgradePlan(current, s.headOf(target))
	case dir == Up:
		return s.upgradePlan(current, target)
	}
	return s.downgradePlan(current, target)
}

// headOf names the revision a downgrade to head or heads stops at: the
// single head (several heads make the downgrade undo nothing above them).
func (s *Set) headOf(target string) string {
	if h, err := s.Head(); err == nil && h != "" && target == Head {
		return h
	}
	return Heads
}

// point returns the heads a database is at when it stands at spec: base
// (none), head, heads, a revision, "+N" (the first N revisions applied)
// or "-N" (the last N of all the revisions undone).
func (s *Set) point(spec string) ([]string, error) {
	if err := s.Err(); err != nil {
		return nil, err
	}
	switch {
	case spec == Base:
		return nil, nil
	case spec == Heads:
		return s.Heads(), nil
	case spec == Head:
		h, err := s.Head()
		if h == "" {
			return nil, err
		}
		return []string{h}, err
	case strings.HasPrefix(spec, "+"):
		return s.reached(nil, spec, Up)
	case strings.HasPrefix(spec, "-"):
		return s.reached(s.Heads(), spec, Down)
	}
	id, err := s.lookup(spec)
	return []string{id}, err
}

// reached returns the heads after moving from current to target.
func (s *Set) reached(current []string, target string, dir Direction) ([]string, error) {
	plan, err := s.plan(current, target, dir)
	if err != nil {
		return nil, err
	}
	for _, r := range plan {
		current = s.after(current, r, dir)
	}
	return current, nil
}

// upgradePlan returns the revisions to apply, parents first, to go from
// current to target: "head", "heads", "+N" or a revision.
func (s *Set) upgradePlan(current []string, target string) ([]*Revision, error) {
	if s.err != nil {
		return nil, s.err
	}
	done, err := s.applied(current)
	if err != nil {
		return nil, err
	}
	tops, limit, err := s.upgradeTargets(target)
	if err != nil {
		return nil, err
	}
	if len(tops) == 1 && done[tops[0]] && !slices.Contains(current, tops[0]) {
		return nil, fmt.Errorf("upgrade %s: revision %s is below the heads (%s): that is a downgrade",
			target, tops[0], strings.Join(current, ", "))
	}
	want := s.ancestors(tops...)
	var plan []*Revision
	for _, r := range s.order {
		if want[r.ID] && !done[r.ID] {
			plan = append(plan, r)
		}
	}
	if limit >= 0 {
		if len(plan) < limit {
			return nil, fmt.Errorf("upgrade %s: only %d revision(s) to apply", target, len(plan))
		}
		plan = plan[:limit]
	}
	return plan, nil
}

// upgradeTargets resolves an upgrade target into revisions and, for +N,
// the number of steps (-1 when unlimited).
func (s *Set) upgradeTargets(target string) ([]string, int, error) {
	switch {
	case target == Base || strings.HasPrefix(target, "-"):
		return nil, 0, &UnknownRevisionError{Revision: target,
			Where: "upgrade target: head, heads, +N or a revision; downgrade takes base and -N"}
	case target == Heads:
		return s.Heads(), -1, nil
	case target == Head || strings.HasPrefix(target, "+"):
		head, err := s.Head()
		if err != nil || target == Head {
			return []string{head}, -1, err
		}
		n, err := relative(target)
		return []string{head}, n, err
	}
	id, err := s.lookup(target)
	return []string{id}, -1, err
}

// downgradePlan returns the revisions to undo, children first, to go from
// current down to target: "base", "-N" or an applied revision.
func (s *Set) downgradePlan(current []string, target string) ([]*Revision, error) {
	if s.err != nil {
		return nil, s.err
	}
	done, err := s.applied(current)
	if err != nil {
		return nil, err
	}
	var undo []*Revision
	for _, r := range slices.Backward(s.order) {
		if done[r.ID] {
			undo = append(undo, r)
		}
	}
	return s.cutDowngrade(undo, done, target)
}

func (s *Set) cutDowngrade(undo []*Revision, done map[string]bool, target string) ([]*Revision, error) {
	switch {
	case target == Base:
		return undo, nil
	case target == Heads:
		return nil, nil // nothing is above the heads
	case strings.HasPrefix(target, "+"):
		return nil, &UnknownRevisionError{Revision: target,
			Where: "downgrade target: base, -N or a revision; upgrade takes head, heads and +N"}
	case strings.HasPrefix(target, "-"):
		n, err := relative(target)
		if err != nil {
			return nil, err
		}
		if n > len(undo) {
			return nil, fmt.Errorf("downgrade %s: only %d revision(s) applied", target, len(undo))
		}
		return undo[:n], nil
	}
	id, err := s.lookup(target)
	if err != nil {
		return nil, err
	}
	if !done[id] {
		return nil, fmt.Errorf("downgrade %s: revision %s is not applied", target, id)
	}
	keep := s.ancestors(id)
	return slices.DeleteFunc(undo, func(r *Revision) bool { return keep[r.ID] }), nil
}

// relative parses "+N" or "-N" into N > 0.
func relative(target string) (int, error) {
	n, err := strconv.Atoi(target[1:])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad relative target %q: want +N or -N with N > 0", target)
	}
	return n, nil
}

// isRelative reports whether arg is +N or -N.
func isRelative(arg string) bool {
	if len(arg) < 2 || (arg[0] != '+' && arg[0] != '-') {
		return false
	}
	_, err := strconv.Atoi(arg[1:])
	return err == nil
}
