package migrate

// objectName is a schema-qualified name of a table or type; schema "" is
// the search path's.
type objectName struct{ schema, name string }

// owned is what the revisions of a set created and have not dropped
// since: the tables and enum types that autogenerate may drop when the
// models no longer describe them, and the schemas it may drop once empty.
// Objects made by Execute are not known, and so not owned.
type owned struct {
	tables, types map[objectName]bool
	schemas       map[string]bool
}

// ownedBy replays the upgrade ops of revs (parents first) and returns
// what they leave created. A schema named current is the search path's,
// like "".
func ownedBy(revs []*Revision, current string) owned {
	o := owned{tables: map[objectName]bool{}, types: map[objectName]bool{}, schemas: map[string]bool{}}
	local := func(nsp string) string {
		if nsp == current {
			return ""
		}
		return nsp
	}
	for _, rev := range revs {
		for _, op := range rev.Upgrade {
			o.replay(op, local)
		}
	}
	return o
}

func (o owned) replay(op Op, local func(string) string) {
	switch op := op.(type) {
	case CreateTable:
		o.tables[objectName{local(op.Table.Schema), op.Table.Name}] = true
	case DropTable:
		delete(o.tables, objectName{local(op.Table.Schema), op.Table.Name})
	case RenameTable:
		from := objectName{local(op.Schema), op.From}
		if o.tables[from] {
			delete(o.tables, from)
			o.tables[objectName{from.schema, op.To}] = true
		}
	case CreateEnum:
		o.types[objectName{local(op.Schema), op.Name}] = true
	case DropEnum:
		delete(o.types, objectName{local(op.Schema), op.Name})
	case CreateSchema:
		o.schemas[op.Name] = true
	case DropSchema:
		delete(o.schemas, op.Name)
	}
}
