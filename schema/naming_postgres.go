package schema

import "strings"

// PostgresNaming gives the names PostgreSQL itself chooses for a
// constraint or index created without one, so that a database built from
// the models has the catalog, names included, of one created by hand with
// plain DDL (or by a tool that lets the server name things):
//
//	primary key   <table>_pkey
//	unique        <table>_<col>[_<col>…]_key
//	index         <table>_<col>[_<col>…]_idx
//	foreign key   <table>_<col>[_<col>…]_fkey
//	check         <table>_<col>_check when its expression uses one
//	              column, <table>_check otherwise
//
// Long names are shortened as the server shortens them (makeObjectName in
// its source): the columns are joined until the text passes 63 bytes,
// then the longer of table and columns loses a byte at a time until the
// name fits in [MaxIdentLen] bytes, never splitting a UTF-8 character.
//
// Where two objects would get one name, the server adds a number to the
// second (t_a_idx1) in the order it creates them; that order is the DDL's,
// which the metadata does not know, so [NewMetadata] reports the clash
// ([ErrDuplicateName]) for a tag to name one of them.
type PostgresNaming struct{}

// Name returns the name PostgreSQL would give the object p describes.
func (PostgresNaming) Name(p NameParts) string {
	switch p.Kind {
	case PrimaryKeyKind:
		return pgObjectName(p.Table, "", "pkey")
	case UniqueKind:
		return pgObjectName(p.Table, pgNameAddition(p.Columns), "key")
	case IndexKind:
		return pgObjectName(p.Table, pgNameAddition(p.Columns), "idx")
	case ForeignKeyKind:
		return pgObjectName(p.Table, pgNameAddition(p.Columns), "fkey")
	}
	col := ""
	if len(p.Columns) == 1 {
		col = p.Columns[0]
	}
	return pgObjectName(p.Table, col, "check")
}

// pgNameAddition joins names with '_' as ChooseIndexNameAddition does:
// it stops once the text reaches NAMEDATALEN (64) bytes.
func pgNameAddition(names []string) string {
	var b strings.Builder
	for _, n := range names {
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(clipUTF8(n, MaxIdentLen))
		if b.Len() > MaxIdentLen {
			break
		}
	}
	return b.String()
}

// pgObjectName is PostgreSQL's makeObjectName: name1[_name2]_label, where
// name1 and name2 are cut, the longer first, until the whole fits in
// MaxIdentLen bytes.
func pgObjectName(name1, name2, label string) string {
	overhead := len(label) + 1
	if name2 != "" {
		overhead++
	}
	n1, n2 := len(name1), len(name2)
	for n1+n2 > MaxIdentLen-overhead {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	name := clipUTF8(name1, n1)
	if name2 != "" {
		name += "_" + clipUTF8(name2, n2)
	}
	return name + "_" + label
}
