package relation

import (
	"fmt"
	"strings"
)

// Cascade is the set of session operations that follow a relationship from
// the owner to its targets, with SQLAlchemy's meanings. It is written in a
// tag as `cascade:` followed by names joined with "|", e.g.
// `cascade:all|delete-orphan`. Without a `cascade:` option a relationship
// gets [DefaultCascade].
type Cascade uint8

// The cascade rules. Each constant is one bit; test with [Cascade.Has].
const (
	// SaveUpdate: adding the owner to a session adds its targets, and
	// targets attached later are picked up at flush ("save-update").
	SaveUpdate Cascade = 1 << iota
	// Merge: merging the owner merges its targets ("merge").
	Merge
	// Expunge: removing the owner from the session removes its targets
	// ("expunge").
	Expunge
	// RefreshExpire: refreshing or expiring the owner does the same to its
	// targets ("refresh-expire").
	RefreshExpire
	// Delete: deleting the owner deletes its targets in the same flush,
	// deepest first ("delete").
	Delete
	// DeleteOrphan: a target detached from its owner (removed from the
	// collection, or replaced in a to-one field) is deleted
	// ("delete-orphan"). It requires Delete.
	DeleteOrphan
)

// All is "all": every rule except DeleteOrphan, as in SQLAlchemy.
const All = SaveUpdate | Merge | Expunge | RefreshExpire | Delete

// DefaultCascade is what a relationship without a `cascade:` option gets:
// save-update and merge.
const DefaultCascade = SaveUpdate | Merge

var cascadeNames = []struct {
	name string
	bits Cascade
}{
	{"save-update", SaveUpdate},
	{"merge", Merge},
	{"expunge", Expunge},
	{"refresh-expire", RefreshExpire},
	{"delete", Delete},
	{"delete-orphan", DeleteOrphan},
	{"all", All},
	{"none", 0},
}

// Has reports whether every rule of o is in c.
func (c Cascade) Has(o Cascade) bool { return c&o == o }

// String renders c in tag syntax with the single rules in declaration order
// ("save-update|merge"); All shows as "all" and the empty set as "none".
func (c Cascade) String() string {
	if c == 0 {
		return "none"
	}
	var parts []string
	rest := c
	if c.Has(All) {
		parts, rest = append(parts, "all"), c&^All
	}
	for _, n := range cascadeNames[:6] {
		if rest.Has(n.bits) {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, "|")
}

// ParseCascade parses a `cascade:` value: names joined with "|", among
// save-update, merge, expunge, refresh-expire, delete, delete-orphan, all
// and none. Surrounding spaces are ignored. An unknown or empty name is an
// error wrapping [ErrBadValue].
func ParseCascade(s string) (Cascade, error) {
	var c Cascade
	for _, part := range strings.Split(s, "|") {
		bits, ok := lookupCascade(strings.TrimSpace(part))
		if !ok {
			return 0, fmt.Errorf("cascade %q: %w", part, ErrBadValue)
		}
		c |= bits
	}
	return c, nil
}

func lookupCascade(name string) (Cascade, bool) {
	for _, n := range cascadeNames {
		if n.name == name {
			return n.bits, true
		}
	}
	return 0, false
}
