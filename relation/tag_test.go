package relation

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		name string
		tag  string
		want *spec
		err  error
	}{
		{name: "kind only", tag: "many_to_one", want: &spec{kind: ManyToOne}},
		{name: "every option", tag: "one_to_many,back_populates:User,foreign_key:UserID,cascade:all|delete-orphan,lazy:raise,order_by:-created_at|id",
			want: &spec{kind: OneToMany, backPopulates: "User", foreignKey: []string{"UserID"}, cascade: All | DeleteOrphan, cascadeSet: true,
				lazy: Raise, orderBy: []orderSpec{{name: "created_at", desc: true}, {name: "id"}}}},
		{name: "many_to_many with secondary", tag: "many_to_many,secondary:blog.post_tags", want: &spec{kind: ManyToMany, secondary: "blog.post_tags"}},
		{name: "composite foreign key", tag: "many_to_one,foreign_key:TenantID|UserID", want: &spec{kind: ManyToOne, foreignKey: []string{"TenantID", "UserID"}}},
		{name: "order_by with asc and desc words", tag: "one_to_many,order_by:name asc|id DESC",
			want: &spec{kind: OneToMany, orderBy: []orderSpec{{name: "name"}, {name: "id", desc: true}}}},
		{name: "spaces around elements", tag: " one_to_one , lazy: joined ", want: &spec{kind: OneToOne, lazy: Joined}},
		{name: "cascade none", tag: "one_to_many,cascade:none", want: &spec{kind: OneToMany, cascadeSet: true}},
		{name: "empty tag", tag: "", err: ErrUnknownKind},
		{name: "kind not first", tag: "back_populates:User,many_to_one", err: ErrUnknownKind},
		{name: "unknown option", tag: "many_to_one,eager", err: ErrUnknownOption},
		{name: "empty element", tag: "many_to_one,,lazy:joined", err: ErrBadValue},
		{name: "empty order_by item", tag: "one_to_many,order_by:-", err: ErrBadValue},
		{name: "duplicate", tag: "many_to_one,back_populates:A,back_populates:B", err: ErrBadValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSpec(tc.tag)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err == nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// FuzzParseSpec checks that any tag either parses into a valid kind or
// fails with one of the documented sentinels, and never panics.
func FuzzParseSpec(f *testing.F) {
	for _, seed := range []string{
		"one_to_many,back_populates:User,cascade:all|delete-orphan,order_by:-id",
		"many_to_many,secondary:post_tags,lazy:selectin",
		"many_to_one,foreign_key:A|B", "one_to_one,order_by:x desc", ",:,", "one_to_one,lazy:",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		sp, err := parseSpec(tag)
		if err != nil {
			if !errors.Is(err, ErrUnknownKind) && !errors.Is(err, ErrUnknownOption) && !errors.Is(err, ErrBadValue) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		if !sp.kind.valid() || (sp.lazy != 0 && sp.lazy.String() == "") {
			t.Fatalf("invalid result %+v", sp)
		}
	})
}

// FuzzParseCascade checks that a parsed cascade prints back to itself.
func FuzzParseCascade(f *testing.F) {
	for _, seed := range []string{"all|delete-orphan", "save-update|merge", "none", "delete|expunge", "x|"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCascade(s)
		if err != nil {
			return
		}
		back, err := ParseCascade(c.String())
		if err != nil || back != c {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, c, c.String(), back, err)
		}
	})
}
