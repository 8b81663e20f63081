package migrate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/crucible-orm/crucible/migrate"
	"github.com/crucible-orm/crucible/schema"
)

func objectNames(objs []migrate.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.String())
	}
	return out
}

// TestCompareScope compares a database holding more than the models
// describe, under scopes of every kind.
func TestCompareScope(t *testing.T) {
	// live: the models' users and posts (posts without its index), an
	// invoices table and its enum, an unused enum, an audit table in
	// schema legacy, and app_settings.
	live := func() *schema.Metadata {
		invoices := table("invoices", col("id", "bigint"), &schema.Column{Name: "state", Type: schema.EnumRef{Name: "invoice_state"}})
		audit := table("audit", col("id", "bigint"))
		audit.Schema = "legacy"
		posts := table("posts", col("id", "bigint"), col("title", "text"))
		posts.Indexes = []*schema.Index{idx("ix_keep_title", "title")}
		return meta(t, []*schema.Enum{{Name: "invoice_state", Values: []string{"open"}}, {Name: "legacy_status", Values: []string{"x"}}},
			table("users", col("id", "bigint")), posts, invoices, audit, table("app_settings", col("id", "bigint")))
	}
	// want: users, posts with an index, app_users, and sales.orders.
	want := func() *schema.Metadata {
		orders := table("orders", col("id", "bigint"))
		orders.Schema = "sales"
		posts := table("posts", col("id", "bigint"), col("title", "text"))
		posts.Indexes = []*schema.Index{idx("ix_posts_title_id", "title", "id")}
		return meta(t, nil, table("users", col("id", "bigint")), posts, table("app_users", col("id", "bigint")), orders)
	}
	tests := []struct {
		name      string
		scope     migrate.Scope
		ops       []string
		unmanaged []string
	}{
		{"nothing the models lack is dropped", migrate.Scope{},
			[]string{"create schema sales", "drop index ix_keep_title on posts", "create table app_users", "create table sales.orders",
				"create index ix_posts_title_id on posts"},
			[]string{"table app_settings", "table invoices", "table legacy.audit", "type legacy_status"}},
		{"drop unmanaged", migrate.Scope{DropUnmanaged: true},
			[]string{"create schema sales", "drop index ix_keep_title on posts", "drop table invoices", "drop table legacy.audit",
				"drop table app_settings", "create table app_users", "create table sales.orders", "create index ix_posts_title_id on posts",
				"drop enum invoice_state", "drop enum legacy_status"},
			nil},
		{"excluded names and schemas", migrate.Scope{Exclude: []string{"invoice*", "legacy_*", "public.app_settings"}, ExcludeSchemas: []string{"leg*"}, DropUnmanaged: true},
			[]string{"create schema sales", "drop index ix_keep_title on posts", "create table app_users", "create table sales.orders",
				"create index ix_posts_title_id on posts"},
			nil},
		{"included names only", migrate.Scope{Include: []string{"app_*"}},
			[]string{"create table app_users"},
			[]string{"table app_settings"}},
		{"included qualified names", migrate.Scope{Include: []string{"sales.*", "public.posts"}},
			[]string{"create schema sales", "drop index ix_keep_title on posts", "create table sales.orders", "create index ix_posts_title_id on posts"},
			nil},
		{"a schema excluded from the models too", migrate.Scope{ExcludeSchemas: []string{"sales"}, Exclude: []string{"*"}, Include: nil},
			nil, nil},
		{"object filter keeps an index the models lack", migrate.Scope{IncludeObject: func(o migrate.Object) bool {
			return !(o.Kind == migrate.IndexObject && strings.HasPrefix(o.Name, "ix_keep_") && !o.InModels)
		}},
			[]string{"create schema sales", "create table app_users", "create table sales.orders", "create index ix_posts_title_id on posts"},
			[]string{"table app_settings", "table invoices", "table legacy.audit", "type legacy_status"}},
		{"object filter skips tables by kind", migrate.Scope{IncludeObject: func(o migrate.Object) bool {
			return o.Kind != migrate.TableObject || o.InModels
		}},
			[]string{"create schema sales", "drop index ix_keep_title on posts", "create table app_users", "create table sales.orders",
				"create index ix_posts_title_id on posts"},
			[]string{"type legacy_status"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := migrate.Compare(live(), want(), tc.scope)
			if err != nil {
				t.Fatal(err)
			}
			if got := opNames(d.Ops); !slices.Equal(got, tc.ops) {
				t.Errorf("ops\n got %q\nwant %q", got, tc.ops)
			}
			if got := objectNames(d.Unmanaged); !slices.Equal(got, tc.unmanaged) {
				t.Errorf("unmanaged\n got %q\nwant %q", got, tc.unmanaged)
			}
		})
	}
}

func TestScopeErrors(t *testing.T) {
	tests := []struct {
		name  string
		scope migrate.Scope
	}{
		{"include", migrate.Scope{Include: []string{"a[b"}}},
		{"exclude", migrate.Scope{Exclude: []string{"["}}},
		{"include schemas", migrate.Scope{IncludeSchemas: []string{"x\\"}}},
		{"exclude schemas", migrate.Scope{ExcludeSchemas: []string{"[z-a"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := migrate.Compare(meta(t, nil), meta(t, nil), tc.scope)
			if err == nil || d != nil || !strings.Contains(err.Error(), "scope: pattern") {
				t.Errorf("got %v, %v", d, err)
			}
		})
	}
}
