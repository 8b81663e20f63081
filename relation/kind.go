package relation

import "strconv"

// Kind is the cardinality a `rel` tag declares: one of [OneToOne],
// [OneToMany], [ManyToOne] and [ManyToMany]. The zero value is not a valid
// kind.
type Kind uint8

// The relationship kinds, spelled in tags as one_to_one, one_to_many,
// many_to_one and many_to_many.
const (
	OneToOne Kind = iota + 1
	OneToMany
	ManyToOne
	ManyToMany
)

var kindNames = [...]string{
	OneToOne:   "one_to_one",
	OneToMany:  "one_to_many",
	ManyToOne:  "many_to_one",
	ManyToMany: "many_to_many",
}

// String returns the kind as spelled in tags ("one_to_many"), or
// "Kind(n)" for an invalid value.
func (k Kind) String() string {
	if k.valid() {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Collection reports whether the kind holds many targets, that is whether
// its field is a slice ([]*T) rather than a pointer (*T).
func (k Kind) Collection() bool { return k == OneToMany || k == ManyToMany }

func (k Kind) valid() bool { return k >= OneToOne && k <= ManyToMany }

// parseKind returns the kind spelled s, or false.
func parseKind(s string) (Kind, bool) {
	for k := OneToOne; k <= ManyToMany; k++ {
		if kindNames[k] == s {
			return k, true
		}
	}
	return 0, false
}

// pairs reports whether a relationship of kind k may back-populate one of
// kind other: one_to_many with many_to_one, one_to_one with one_to_one or
// many_to_one, many_to_many with many_to_many.
func (k Kind) pairs(other Kind) bool {
	switch k {
	case OneToMany:
		return other == ManyToOne
	case ManyToOne:
		return other == OneToMany || other == OneToOne
	case OneToOne:
		return other == OneToOne || other == ManyToOne
	case ManyToMany:
		return other == ManyToMany
	}
	return false
}
