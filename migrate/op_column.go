package migrate

import (
	"github.com/crucible-orm/crucible/schema"
)

// AddColumn adds Column to Table (of Schema, "" for the search path's).
// Its reverse is [DropColumn].
type AddColumn struct {
	Schema string         // the PostgreSQL schema, "" for the search path's
	Table  string         // the table's name, unqualified: the search path finds its schema
	Column *schema.Column // the column as it will be: name, type, nullability, default, identity, comment
}

// DropColumn drops a column. Column is the whole dropped column, so that
// the reverse adds it back as it was (its data excepted). It is
// destructive.
type DropColumn struct {
	Schema string         // the PostgreSQL schema, "" for the search path's
	Table  string         // the table's name, unqualified
	Column *schema.Column // the column as it was; only its Name is used to drop it
}

// RenameColumn renames a column, keeping its data. Autogenerate cannot tell
// a rename from a drop and an add; it suggests this op instead when a
// dropped and an added column of one table have the same type.
type RenameColumn struct {
	Schema   string // the PostgreSQL schema, "" for the search path's
	Table    string // the table's name, unqualified
	From, To string // the column's name before and after
}

// TypeChange is the type part of an [AlterColumn]. Using is the USING
// expression converting the old values; "" means a plain cast of the
// column to the new type.
type TypeChange struct {
	From, To schema.Type // the column's type before (for the reverse) and after
	Using    string      // SQL over the old column, such as "amount::numeric(12,2)"; raw, as written
}

// AlterColumn changes a column's type, nullability, server default,
// identity or comment; each nil field is left alone. Its reverse changes
// each attribute back (a custom Using is not reversed: the way back is a
// plain cast).
type AlterColumn struct {
	Schema   string                   // the PostgreSQL schema, "" for the search path's
	Table    string                   // the table's name, unqualified
	Column   string                   // the column's name
	Type     *TypeChange              // ALTER COLUMN … TYPE … USING
	Nullable *Change[bool]            // true is NULL allowed: DROP NOT NULL; false: SET NOT NULL, which fails on rows holding NULL
	Default  *Change[string]          // server default, a raw SQL expression; "" is none (DROP DEFAULT)
	Identity *Change[schema.Identity] // GENERATED … AS IDENTITY added, changed or dropped
	Comment  *Change[string]          // COMMENT ON COLUMN; "" removes it
}

// Reverse returns the [DropColumn] of the added column.
func (o AddColumn) Reverse() (Op, error) { return DropColumn(o), nil }

// String returns "add column TABLE.COLUMN".
func (o AddColumn) String() string { return "add column " + dotted(o.table(), o.Column.Name) }

func (o AddColumn) statements(d DDL) ([]string, error) {
	return d.AddColumn(o.Schema, o.Table, o.Column)
}

func (o AddColumn) table() string { return schema.QualifiedName(o.Schema, o.Table) }

func (o AddColumn) caution() string {
	c := o.Column
	if c.Nullable || c.ServerDefault != "" || c.Identity != schema.IdentityNone {
		return ""
	}
	if _, serial := serialOf(c.Type); serial {
		return ""
	}
	return "adds NOT NULL column " + dotted(o.table(), c.Name) + " without a server default: fails if " + o.table() +
		" has rows (give it a ServerDefault, or add it nullable, fill it with an Execute, then make it NOT NULL)"
}

// Reverse returns the [AddColumn] of the dropped column.
func (o DropColumn) Reverse() (Op, error) { return AddColumn(o), nil }

// String returns "drop column TABLE.COLUMN".
func (o DropColumn) String() string { return "drop column " + dotted(o.table(), o.Column.Name) }

func (o DropColumn) statements(d DDL) ([]string, error) {
	return one(d.DropColumn(o.Schema, o.Table, o.Column.Name))
}

func (o DropColumn) table() string { return schema.QualifiedName(o.Schema, o.Table) }

func (o DropColumn) destructive() string {
	return "drops column " + dotted(o.table(), o.Column.Name) + " and its data"
}

// Reverse renames the column back.
func (o RenameColumn) Reverse() (Op, error) {
	return RenameColumn{Schema: o.Schema, Table: o.Table, From: o.To, To: o.From}, nil
}

// String returns "rename column TABLE.FROM to TO".
func (o RenameColumn) String() string {
	return "rename column " + dotted(o.table(), o.From) + " to " + o.To
}

func (o RenameColumn) statements(d DDL) ([]string, error) {
	return one(d.RenameColumn(o.Schema, o.Table, o.From, o.To))
}

func (o RenameColumn) table() string { return schema.QualifiedName(o.Schema, o.Table) }

// Reverse changes every attribute back.
func (o AlterColumn) Reverse() (Op, error) {
	r := AlterColumn{Schema: o.Schema, Table: o.Table, Column: o.Column,
		Nullable: o.Nullable.reversed(), Default: o.Default.reversed(),
		Identity: o.Identity.reversed(), Comment: o.Comment.reversed()}
	if o.Type != nil {
		r.Type = &TypeChange{From: o.Type.To, To: o.Type.From}
	}
	return r, nil
}

// String returns "alter column TABLE.COLUMN (type, nullable, …)".
func (o AlterColumn) String() string {
	s := "alter column " + dotted(o.table(), o.Column) + " ("
	sep := ""
	for _, part := range []struct {
		set  bool
		name string
	}{{o.Type != nil, "type"}, {o.Nullable != nil, "nullable"}, {o.Default != nil, "default"},
		{o.Identity != nil, "identity"}, {o.Comment != nil, "comment"}} {
		if part.set {
			s += sep + part.name
			sep = ", "
		}
	}
	return s + ")"
}

func (o AlterColumn) destructive() string {
	switch {
	case o.Type != nil && narrows(o.Type.From, o.Type.To):
		return "narrows column " + dotted(o.table(), o.Column) + " from " + o.Type.From.String() +
			" to " + o.Type.To.String() + ": values that do not fit fail the migration or are cut"
	case o.Nullable != nil && o.Nullable.From && !o.Nullable.To:
		return "makes column " + dotted(o.table(), o.Column) + " NOT NULL: fails if it holds NULLs"
	}
	return ""
}

// statements drops a changing default first (the old default may not cast
// to the new type), then changes identity, type and nullability, sets the
// new default and the comment. A serial column loses its sequence before
// the change and gets one after it (see serialOf); a sequence that starts
// on a column holding rows starts after its largest value.
func (o AlterColumn) statements(d DDL) ([]string, error) {
	var b stmts
	fromSerial, toSerial, base := o.serials()
	if o.Default != nil && o.Default.From != "" {
		b.add(d.AlterColumnDefault(o.Schema, o.Table, o.Column, ""))
	}
	if fromSerial {
		b.addAll(dropSerial(d, o.Schema, o.Table, o.Column))
	}
	if o.Identity != nil && o.Identity.From != schema.IdentityNone && o.Identity.To == schema.IdentityNone {
		b.addAll(d.AlterColumnIdentity(o.Schema, o.Table, o.Column, o.Identity.From, o.Identity.To))
	}
	if o.Type != nil {
		b.addAll(o.alterType(d))
	}
	if o.Nullable != nil {
		b.add(d.AlterColumnNullable(o.Schema, o.Table, o.Column, o.Nullable.To))
	}
	if o.Identity != nil && o.Identity.To != schema.IdentityNone {
		b.addAll(d.AlterColumnIdentity(o.Schema, o.Table, o.Column, o.Identity.From, o.Identity.To))
		if o.Identity.From == schema.IdentityNone {
			b.add(restartSequence(d, o.Schema, o.Table, o.Column))
		}
	}
	if toSerial {
		b.addAll(makeSerial(d, o.Schema, o.Table, o.Column, base))
	}
	if o.Default != nil && o.Default.To != "" {
		b.add(d.AlterColumnDefault(o.Schema, o.Table, o.Column, o.Default.To))
	}
	if o.Comment != nil {
		b.add(d.CommentOnColumn(o.Schema, o.Table, o.Column, o.Comment.To))
	}
	return b.out, b.err
}

func (o AlterColumn) table() string { return schema.QualifiedName(o.Schema, o.Table) }

// serials reports whether the type change leaves or enters a serial type,
// and the integer type the column has after it.
func (o AlterColumn) serials() (from, to bool, base schema.Type) {
	if o.Type == nil {
		return false, false, nil
	}
	_, from = serialOf(o.Type.From)
	base, to = serialOf(o.Type.To)
	return from, to, base
}

// alterType changes the column's type, serial types read as the integers
// they are; nothing is left to do when those are the same.
func (o AlterColumn) alterType(d DDL) ([]string, error) {
	from, _ := serialOf(o.Type.From)
	to, _ := serialOf(o.Type.To)
	if sameType(from, to) {
		return nil, nil
	}
	using := o.Type.Using
	if using == "" {
		var err error
		if using, err = castUsing(d, o.Column, from, to); err != nil {
			return nil, err
		}
	}
	return one(d.AlterColumnType(o.Schema, o.Table, o.Column, to, using))
}

// castUsing returns `"column"::TYPE`, through text when either side is an
// enum (enums cast only to and from text).
func castUsing(d DDL, column string, from, to schema.Type) (string, error) {
	col, err := d.QuoteIdent(column)
	if err != nil {
		return "", err
	}
	typ, err := d.TypeName(to)
	if err != nil {
		return "", err
	}
	if isEnum(from) || isEnum(to) {
		return col + "::" + textLike(to) + "::" + typ, nil
	}
	return col + "::" + typ, nil
}

func isEnum(t schema.Type) bool {
	switch t := t.(type) {
	case schema.EnumRef:
		return true
	case schema.Array:
		return isEnum(t.Elem)
	}
	return false
}

func textLike(t schema.Type) string {
	if _, ok := t.(schema.Array); ok {
		return "text[]"
	}
	return "text"
}

// stmts collects rendered statements and keeps the first error.
type stmts struct {
	out []string
	err error
}

func (b *stmts) add(s string, err error) {
	if b.err == nil {
		b.out, b.err = append(b.out, s), err
	}
}

func (b *stmts) addAll(s []string, err error) {
	if b.err == nil {
		b.out, b.err = append(b.out, s...), err
	}
}
