package relation_test

import (
	"errors"
	"testing"

	"github.com/crucible-orm/crucible/relation"
)

func TestParseCascade(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want relation.Cascade
		str  string
		err  error
	}{
		{name: "all", in: "all", want: relation.All, str: "all"},
		{name: "all with delete-orphan", in: "all|delete-orphan", want: relation.All | relation.DeleteOrphan, str: "all|delete-orphan"},
		{name: "default spelled out", in: "save-update|merge", want: relation.DefaultCascade, str: "save-update|merge"},
		{name: "spaces", in: " delete | save-update ", want: relation.Delete | relation.SaveUpdate, str: "save-update|delete"},
		{name: "none", in: "none", want: 0, str: "none"},
		{name: "every single rule", in: "expunge|refresh-expire|merge", want: relation.Expunge | relation.RefreshExpire | relation.Merge, str: "merge|expunge|refresh-expire"},
		{name: "unknown", in: "all|destroy", err: relation.ErrBadValue},
		{name: "empty item", in: "all||delete", err: relation.ErrBadValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := relation.ParseCascade(tc.in)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			eq(t, "cascade", tc.want, got)
			eq(t, "string", tc.str, got.String())
			back, err := relation.ParseCascade(got.String())
			eq(t, "round trip", got, back)
			eq(t, "round trip error", nil, err)
		})
	}
}

func TestCascadeHas(t *testing.T) {
	c := relation.All | relation.DeleteOrphan
	for _, bit := range []relation.Cascade{relation.SaveUpdate, relation.Merge, relation.Delete, relation.DeleteOrphan, relation.Expunge} {
		if !c.Has(bit) {
			t.Errorf("%s lacks %s", c, bit)
		}
	}
	if relation.All.Has(relation.DeleteOrphan) {
		t.Error("all includes delete-orphan")
	}
	if relation.DefaultCascade.Has(relation.Delete) {
		t.Error("the default cascade includes delete")
	}
}

func TestStrategy(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  relation.Strategy
		ok    bool
		eager bool
	}{
		{name: "select", in: "select", want: relation.Select, ok: true},
		{name: "joined", in: "joined", want: relation.Joined, ok: true, eager: true},
		{name: "selectin", in: "selectin", want: relation.SelectIn, ok: true, eager: true},
		{name: "raise", in: "raise", want: relation.Raise, ok: true},
		{name: "noload", in: "noload", want: relation.NoLoad, ok: true},
		{name: "unknown", in: "eager"},
		{name: "case matters", in: "Joined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := relation.ParseStrategy(tc.in)
			eq(t, "ok", tc.ok, ok)
			eq(t, "strategy", tc.want, got)
			eq(t, "eager", tc.eager, got.Eager())
			if ok {
				eq(t, "string", tc.in, got.String())
			}
		})
	}
}

func TestKindAndSideStrings(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "one_to_one", got: relation.OneToOne.String(), want: "one_to_one"},
		{name: "one_to_many", got: relation.OneToMany.String(), want: "one_to_many"},
		{name: "many_to_one", got: relation.ManyToOne.String(), want: "many_to_one"},
		{name: "many_to_many", got: relation.ManyToMany.String(), want: "many_to_many"},
		{name: "invalid kind", got: relation.Kind(9).String(), want: "Kind(9)"},
		{name: "side target", got: relation.FKOnTarget.String(), want: "target"},
		{name: "side owner", got: relation.FKOnOwner.String(), want: "owner"},
		{name: "side secondary", got: relation.FKOnSecondary.String(), want: "secondary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { eq(t, "string", tc.want, tc.got) })
	}
}
