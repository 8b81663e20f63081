// Package relation resolves the `rel:"…"` tags of mapped models into
// relationships: kinds, foreign keys, back references, association
// (secondary) tables, cascade rules and loading strategies. It reads
// [schema.Table] values, does no I/O and imports only schema.
//
// # The rel tag
//
// A relationship field is a *T (to-one) or a []*T (collection), T another
// registered model, tagged with a kind followed by options:
//
//	Profile  *Profile  `rel:"one_to_one,back_populates:User,cascade:all|delete-orphan"`
//	Posts    []*Post   `rel:"one_to_many,back_populates:User,cascade:all|delete-orphan"`
//	User     *User     `rel:"many_to_one,back_populates:Posts"`
//	Tags     []*Tag    `rel:"many_to_many,secondary:post_tags,back_populates:Posts"`
//	Comments []*Comment `rel:"one_to_many,back_populates:Post,order_by:-created_at|id,lazy:selectin"`
//
// The kind comes first: one_to_one, one_to_many, many_to_one or
// many_to_many ([Kind]). Options are key:value; values that are lists join
// their items with "|":
//
//	back_populates:Field  the relationship on T that is the other side; it
//	                      must name this field back, with a matching kind
//	foreign_key:Field     the field (or column) holding the foreign key, on
//	                      the owner for many_to_one, on T for one_to_many,
//	                      on either for one_to_one; for many_to_many, the
//	                      secondary's column referencing the owner.
//	                      A|B for a composite key.
//	secondary:table       the association table of a many_to_many
//	cascade:a|b           session operations that follow the relationship
//	                      ([Cascade]); default save-update|merge
//	lazy:strategy         what a query of the owner does with the
//	                      relationship when not asked for it: select (the
//	                      default: nothing), joined or selectin (load it
//	                      every time), raise, noload ([Strategy]). A Load
//	                      path uses joined/selectin as given, else selectin
//	                      for collections and joined for to-one.
//	order_by:a|-b         a collection's order: T's fields or columns
//	                      (for many_to_many also the secondary's columns),
//	                      "-" or a trailing " desc" for descending
//
// # Foreign keys
//
// The foreign key itself is always a column declared with `orm:"fk:…"`;
// the rel tag only says which one carries the relationship, and usually it
// need not: Resolve takes, in order, foreign_key: when given; the one the
// back_populates partner uses; for many_to_one the owner's <Field>ID
// (Post.User → Post.UserID); for one_to_many the target's <Owner>ID
// (User.Posts → Post.UserID); for one_to_one either of those; otherwise
// the only foreign key between the two tables. When several could serve,
// the error says so and asks for foreign_key:.
//
// A secondary table named in a tag that no model maps is built by Resolve
// (and returned, to be added to the metadata): columns <owner>_<pk> and
// <target>_<pk> ("post_id", "tag_id") typed like the keys they reference,
// a composite primary key over both, a foreign key to each side with ON
// DELETE CASCADE, and an index on the second column. A self-referential
// many_to_many through such a table needs foreign_key:COLUMN on both
// sides to name the two columns. A mapped secondary keeps its own columns;
// map it when the association rows carry data of their own.
//
// # What the ORM gets
//
// [Resolve] returns a [Set]; [Set.Of] lists a model's relationships and
// [Set.To] those pointing at it. Each [Relation] carries, precomputed,
// which table holds the foreign key ([Side]), the join as paired column
// lists (LocalColumns, RemoteColumns, and the Secondary columns), the
// primary-key-to-foreign-key copies the flush performs ([Pair]), the
// partner (Back), the cascade, the strategies, the order and
// whether deletes are passive, and the field itself (Field: its index
// path, and its offset when no embedded pointer is on the way).
//
// Every mistake is a [*RelationError] naming the model, the field, the tag
// and, when two declarations disagree, the other side; the sentinels in
// errors.go classify them. Resolve reports all of them at once.
package relation
