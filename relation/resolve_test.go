package relation_test

import (
	"testing"

	"github.com/crucible-orm/crucible/relation"
	"github.com/crucible-orm/crucible/schema"
)

// want is what a resolved relationship must look like; column lists are
// column names, sync pairs "parent->child".
type want struct {
	kind      relation.Kind
	side      relation.Side
	fk        string // constraint name
	local     []string
	remote    []string
	sync      []string
	secondary string
	secLocal  []string
	secRemote []string
	secSync   []string
	back      string
	cascade   relation.Cascade
	lazy      relation.Strategy // zero means Select
	eager     relation.Strategy
	order     []string // "-col" for descending, "sec.col" for secondary columns
	passive   bool
	nullable  bool
	unique    bool
	self      bool
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name   string
		models []any
		mutate func(ts tables)
		want   map[string]want // "Type.Field" -> expectation
	}{
		{
			name:   "blog",
			models: blogModels(),
			want: map[string]want{
				"User.Profile": {kind: relation.OneToOne, side: relation.FKOnTarget, fk: "fk_profiles_user_id_users",
					local: cols("id"), remote: cols("user_id"), sync: cols("id->user_id"), back: "Profile.User",
					cascade: relation.All | relation.DeleteOrphan, lazy: relation.Joined, eager: relation.Joined, passive: true, unique: true},
				"Profile.User": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_profiles_user_id_users",
					local: cols("user_id"), remote: cols("id"), sync: cols("id->user_id"), back: "User.Profile",
					cascade: relation.DefaultCascade, eager: relation.Joined, unique: true},
				"User.Posts": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_posts_user_id_users",
					local: cols("id"), remote: cols("user_id"), sync: cols("id->user_id"), back: "Post.User",
					cascade: relation.All | relation.DeleteOrphan, eager: relation.SelectIn},
				"Post.User": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_posts_user_id_users",
					local: cols("user_id"), remote: cols("id"), sync: cols("id->user_id"), back: "User.Posts",
					cascade: relation.DefaultCascade, eager: relation.Joined},
				"Post.Comments": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_comments_post_id_posts",
					local: cols("id"), remote: cols("post_id"), sync: cols("id->post_id"), back: "Comment.Post",
					cascade: relation.All | relation.DeleteOrphan, eager: relation.SelectIn, order: cols("id"), passive: true},
				"Comment.Post": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_comments_post_id_posts",
					local: cols("post_id"), remote: cols("id"), sync: cols("id->post_id"), back: "Post.Comments",
					cascade: relation.DefaultCascade, lazy: relation.Raise, eager: relation.Joined},
				"Post.Tags": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_post_tags_post_id_posts",
					local: cols("id"), remote: cols("id"), sync: cols("id->post_id"), secondary: "post_tags",
					secLocal: cols("post_id"), secRemote: cols("tag_id"), secSync: cols("id->tag_id"), back: "Tag.Posts",
					cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true},
				"Tag.Posts": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_post_tags_tag_id_tags",
					local: cols("id"), remote: cols("id"), sync: cols("id->tag_id"), secondary: "post_tags",
					secLocal: cols("tag_id"), secRemote: cols("post_id"), secSync: cols("id->post_id"), back: "Post.Tags",
					cascade: relation.DefaultCascade, eager: relation.SelectIn, order: cols("title"), passive: true},
				"User.Comments": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_comments_author_id_users",
					local: cols("id"), remote: cols("author_id"), sync: cols("id->author_id"),
					cascade: relation.DefaultCascade, lazy: relation.NoLoad, eager: relation.SelectIn, passive: true, nullable: true},
				"Comment.Author": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_comments_author_id_users",
					local: cols("author_id"), remote: cols("id"), sync: cols("id->author_id"),
					cascade: relation.DefaultCascade, lazy: relation.SelectIn, eager: relation.SelectIn, nullable: true},
				"Comment.Parent": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_comments_parent_id_comments",
					local: cols("parent_id"), remote: cols("id"), sync: cols("id->parent_id"), back: "Comment.Replies",
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, self: true},
				"Comment.Replies": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_comments_parent_id_comments",
					local: cols("id"), remote: cols("parent_id"), sync: cols("id->parent_id"), back: "Comment.Parent",
					cascade: relation.All | relation.DeleteOrphan, eager: relation.SelectIn, order: cols("-created_at", "id"),
					passive: true, nullable: true, self: true},
				"User.Following": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_follows_follower_id_users",
					local: cols("id"), remote: cols("id"), sync: cols("id->follower_id"), secondary: "follows",
					secLocal: cols("follower_id"), secRemote: cols("followed_id"), secSync: cols("id->followed_id"),
					back: "User.Followers", cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true, self: true},
				"User.Followers": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_follows_followed_id_users",
					local: cols("id"), remote: cols("id"), sync: cols("id->followed_id"), secondary: "follows",
					secLocal: cols("followed_id"), secRemote: cols("follower_id"), secSync: cols("id->follower_id"),
					back: "User.Following", cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true, self: true},
			},
		},
		{
			name:   "category tree",
			models: []any{&Category{}},
			want: map[string]want{
				"Category.Parent": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_categories_parent_id_categories",
					local: cols("parent_id"), remote: cols("id"), sync: cols("id->parent_id"), back: "Category.Children",
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, self: true},
				"Category.Children": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_categories_parent_id_categories",
					local: cols("id"), remote: cols("parent_id"), sync: cols("id->parent_id"), back: "Category.Parent",
					cascade: relation.All | relation.DeleteOrphan, eager: relation.SelectIn, order: cols("name"), nullable: true, self: true},
			},
		},
		{
			name:   "employee manager and reports",
			models: []any{&Employee{}},
			want: map[string]want{
				"Employee.Manager": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_employees_manager_id_employees",
					local: cols("manager_id"), remote: cols("id"), sync: cols("id->manager_id"), back: "Employee.Reports",
					cascade: relation.DefaultCascade, lazy: relation.Select, eager: relation.Joined, nullable: true, self: true},
				"Employee.Reports": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_employees_manager_id_employees",
					local: cols("id"), remote: cols("manager_id"), sync: cols("id->manager_id"), back: "Employee.Manager",
					cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true, nullable: true, self: true},
			},
		},
		{
			name:   "self-referential collection without a partner",
			models: []any{&Node{}},
			want: map[string]want{
				"Node.Children": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_nodes_up_id_nodes",
					local: cols("id"), remote: cols("up_id"), sync: cols("id->up_id"),
					cascade: relation.DefaultCascade, eager: relation.SelectIn, nullable: true, self: true},
			},
		},
		{
			name:   "association object",
			models: []any{&Student{}, &Course{}, &Enrollment{}},
			want: map[string]want{
				"Student.Enrollments": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_enrollments_student_id_students",
					local: cols("id"), remote: cols("student_id"), sync: cols("id->student_id"), back: "Enrollment.Student",
					cascade: relation.All | relation.DeleteOrphan, eager: relation.SelectIn, passive: true},
				"Course.Enrollments": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_enrollments_course_id_courses",
					local: cols("id"), remote: cols("course_id"), sync: cols("id->course_id"), back: "Enrollment.Course",
					cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true},
				"Enrollment.Student": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_enrollments_student_id_students",
					local: cols("student_id"), remote: cols("id"), sync: cols("id->student_id"), back: "Student.Enrollments",
					cascade: relation.DefaultCascade, eager: relation.Joined},
				"Enrollment.Course": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_enrollments_course_id_courses",
					local: cols("course_id"), remote: cols("id"), sync: cols("id->course_id"), back: "Course.Enrollments",
					cascade: relation.DefaultCascade, eager: relation.Joined},
				"Student.Courses": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_enrollments_student_id_students",
					local: cols("id"), remote: cols("id"), sync: cols("id->student_id"), secondary: "enrollments",
					secLocal: cols("student_id"), secRemote: cols("course_id"), secSync: cols("id->course_id"),
					cascade: relation.DefaultCascade, lazy: relation.Select, eager: relation.SelectIn, order: cols("-sec.enrolled_at"), passive: true},
			},
		},
		{
			name:   "self-referential mapped secondary",
			models: []any{&Account{}, &Friendship{}},
			want: map[string]want{
				"Account.Friends": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_friendships_account_id_accounts",
					local: cols("id"), remote: cols("id"), sync: cols("id->account_id"), secondary: "friendships",
					secLocal: cols("account_id"), secRemote: cols("friend_id"), secSync: cols("id->friend_id"), back: "Account.FriendOf",
					cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true, self: true},
				"Account.FriendOf": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_friendships_friend_id_accounts",
					local: cols("id"), remote: cols("id"), sync: cols("id->friend_id"), secondary: "friendships",
					secLocal: cols("friend_id"), secRemote: cols("account_id"), secSync: cols("id->account_id"), back: "Account.Friends",
					cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true, self: true},
			},
		},
		{
			name:   "self-referential one_to_one pair",
			models: []any{&Link{}},
			want: map[string]want{
				"Link.Next": {kind: relation.OneToOne, side: relation.FKOnOwner, fk: "fk_links_next_id_links",
					local: cols("next_id"), remote: cols("id"), sync: cols("id->next_id"), back: "Link.Prev",
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true, self: true},
				"Link.Prev": {kind: relation.OneToOne, side: relation.FKOnTarget, fk: "fk_links_next_id_links",
					local: cols("id"), remote: cols("next_id"), sync: cols("id->next_id"), back: "Link.Next",
					cascade: relation.DefaultCascade, eager: relation.Joined, passive: true, nullable: true, unique: true, self: true},
			},
		},
		{
			name:   "one_to_one both ways without partners",
			models: []any{&Citizen{}, &Passport{}},
			want: map[string]want{
				"Citizen.Passport": {kind: relation.OneToOne, side: relation.FKOnOwner, fk: "fk_citizens_passport_id_passports",
					local: cols("passport_id"), remote: cols("id"), sync: cols("id->passport_id"),
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true},
				"Passport.Holder": {kind: relation.OneToOne, side: relation.FKOnTarget, fk: "fk_citizens_passport_id_passports",
					local: cols("id"), remote: cols("passport_id"), sync: cols("id->passport_id"),
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true},
			},
		},
		{
			name:   "one_to_one found by the single key, from both ends",
			models: []any{&Voter{}, &Card{}},
			want: map[string]want{
				"Voter.Card": {kind: relation.OneToOne, side: relation.FKOnOwner, fk: "fk_voters_document_id_cards",
					local: cols("document_id"), remote: cols("id"), sync: cols("id->document_id"),
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true},
				"Card.Holder": {kind: relation.OneToOne, side: relation.FKOnTarget, fk: "fk_voters_document_id_cards",
					local: cols("id"), remote: cols("document_id"), sync: cols("id->document_id"),
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true},
			},
		},
		{
			name:   "one_to_one named with foreign_key from both ends",
			models: []any{&Citizen{}, &Passport{}},
			mutate: func(ts tables) {
				ts.tag("Citizen.Passport", "one_to_one,foreign_key:PassportID,back_populates:Holder")
				ts.tag("Passport.Holder", "one_to_one,foreign_key:passport_id,back_populates:Passport")
			},
			want: map[string]want{
				"Citizen.Passport": {kind: relation.OneToOne, side: relation.FKOnOwner, fk: "fk_citizens_passport_id_passports",
					local: cols("passport_id"), remote: cols("id"), sync: cols("id->passport_id"), back: "Passport.Holder",
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true},
				"Passport.Holder": {kind: relation.OneToOne, side: relation.FKOnTarget, fk: "fk_citizens_passport_id_passports",
					local: cols("id"), remote: cols("passport_id"), sync: cols("id->passport_id"), back: "Citizen.Passport",
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true},
			},
		},
		{
			name:   "self-referential one_to_one named with foreign_key on both sides",
			models: []any{&Link{}},
			mutate: func(ts tables) {
				ts.tag("Link.Next", "one_to_one,foreign_key:NextID,back_populates:Prev")
				ts.tag("Link.Prev", "one_to_one,foreign_key:NextID,back_populates:Next")
			},
			want: map[string]want{
				"Link.Next": {kind: relation.OneToOne, side: relation.FKOnOwner, fk: "fk_links_next_id_links",
					local: cols("next_id"), remote: cols("id"), sync: cols("id->next_id"), back: "Link.Prev",
					cascade: relation.DefaultCascade, eager: relation.Joined, nullable: true, unique: true, self: true},
				"Link.Prev": {kind: relation.OneToOne, side: relation.FKOnTarget, fk: "fk_links_next_id_links",
					local: cols("id"), remote: cols("next_id"), sync: cols("id->next_id"), back: "Link.Next",
					cascade: relation.DefaultCascade, eager: relation.Joined, passive: true, nullable: true, unique: true, self: true},
			},
		},
		{
			name:   "composite keys",
			models: []any{&Shop{}, &Purchase{}, &Label{}},
			mutate: addShopKey,
			want: map[string]want{
				"Shop.Purchases": {kind: relation.OneToMany, side: relation.FKOnTarget, fk: "fk_purchases_tenant_id_shop_id_shops",
					local: cols("tenant_id", "id"), remote: cols("tenant_id", "shop_id"), sync: cols("tenant_id->tenant_id", "id->shop_id"),
					back: "Purchase.Shop", cascade: relation.All, eager: relation.SelectIn, passive: true},
				"Purchase.Shop": {kind: relation.ManyToOne, side: relation.FKOnOwner, fk: "fk_purchases_tenant_id_shop_id_shops",
					local: cols("tenant_id", "shop_id"), remote: cols("tenant_id", "id"), sync: cols("tenant_id->tenant_id", "id->shop_id"),
					back: "Shop.Purchases", cascade: relation.DefaultCascade, eager: relation.Joined},
				"Shop.Labels": {kind: relation.ManyToMany, side: relation.FKOnSecondary, fk: "fk_shop_labels_shop_tenant_id_shop_id_shops",
					local: cols("tenant_id", "id"), remote: cols("id"), sync: cols("tenant_id->shop_tenant_id", "id->shop_id"),
					secondary: "shop_labels", secLocal: cols("shop_tenant_id", "shop_id"), secRemote: cols("label_id"),
					secSync: cols("id->label_id"), cascade: relation.DefaultCascade, eager: relation.SelectIn, passive: true},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list := mapTables(t, tc.models...)
			if tc.mutate != nil {
				tc.mutate(byType(list))
			}
			set, _, err := relation.Resolve(list)
			if err != nil {
				t.Fatal(err)
			}
			if len(set.All()) != len(tc.want) {
				t.Fatalf("got %d relationships, want %d", len(set.All()), len(tc.want))
			}
			for _, rel := range set.All() {
				key := rel.Table.GoType.Name() + "." + rel.Name
				w, ok := tc.want[key]
				if !ok {
					t.Fatalf("unexpected relationship %s", key)
				}
				t.Run(key, func(t *testing.T) { checkRelation(t, rel, w) })
			}
		})
	}
}

func cols(names ...string) []string { return names }

func checkRelation(t *testing.T, rel *relation.Relation, w want) {
	eq(t, "kind", w.kind, rel.Kind)
	eq(t, "uselist", w.kind.Collection(), rel.Uselist)
	eq(t, "side", w.side, rel.Side)
	eq(t, "foreign key", w.fk, rel.ForeignKey.Name)
	eq(t, "local columns", w.local, names(rel.LocalColumns))
	eq(t, "remote columns", w.remote, names(rel.RemoteColumns))
	eq(t, "sync", w.sync, syncNames(rel.Sync))
	eq(t, "cascade", w.cascade, rel.Cascade)
	lazy := w.lazy
	if lazy == 0 {
		lazy = relation.Select
	}
	eq(t, "lazy", lazy, rel.Lazy)
	eq(t, "eager strategy", w.eager, rel.EagerStrategy)
	eq(t, "order_by", w.order, orderNames(rel.OrderBy))
	eq(t, "passive deletes", w.passive, rel.PassiveDeletes)
	eq(t, "nullable", w.nullable, rel.Nullable)
	eq(t, "self-referential", w.self, rel.SelfReferential)
	eq(t, "unique foreign key", w.unique, rel.UniqueForeignKey)
	eq(t, "target key", names(rel.Target.PrimaryKeyColumns()), names(rel.TargetKey))
	eq(t, "owner key", names(rel.Table.PrimaryKeyColumns()), names(rel.OwnerKey))
	switch {
	case w.back == "" && rel.Back != nil:
		t.Errorf("back: got %s, want none", rel.Back)
	case w.back != "" && rel.Back == nil:
		t.Errorf("back: got none, want %s", w.back)
	case w.back != "":
		eq(t, "back", w.back, rel.Back.Table.GoType.Name()+"."+rel.Back.Name)
		if rel.Back.Back != rel {
			t.Errorf("back of back is %v, not the relationship itself", rel.Back.Back)
		}
	}
	checkSecondary(t, rel, w)
}

func checkSecondary(t *testing.T, rel *relation.Relation, w want) {
	if w.secondary == "" || rel.Secondary == nil {
		eq(t, "secondary", w.secondary == "", rel.Secondary == nil)
		return
	}
	eq(t, "secondary", w.secondary, rel.Secondary.Name)
	eq(t, "secondary local", w.secLocal, names(rel.SecondaryLocal))
	eq(t, "secondary remote", w.secRemote, names(rel.SecondaryRemote))
	eq(t, "secondary sync", w.secSync, syncNames(rel.SecondarySync))
	eq(t, "secondary mapped", rel.Secondary.GoType != nil, rel.SecondaryMapped)
}

func names(cs []*schema.Column) []string {
	if cs == nil {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func syncNames(ps []relation.Pair) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Parent.Name+"->"+p.Child.Name)
	}
	return out
}

func orderNames(os []relation.Order) []string {
	var out []string
	for _, o := range os {
		n := o.Column.Name
		if o.Secondary {
			n = "sec." + n
		}
		if o.Desc {
			n = "-" + n
		}
		out = append(out, n)
	}
	return out
}

func byType(list []*schema.Table) tables {
	ts := tables{}
	for _, tb := range list {
		ts[tb.GoType.Name()] = tb
	}
	return ts
}
