package postgres

import "github.com/crucible-orm/crucible/schema"

// createTable renders CREATE TABLE with the columns and the table's
// constraints inline, leaving out the foreign keys in skip (those that
// reference a table created later; CreateAll adds them afterwards).
func createTable(t *schema.Table, skip map[*schema.ForeignKey]bool) (string, error) {
	w := stmt("CREATE TABLE ").qualified(t.Schema, t.Name).sql(" (")
	sep := ""
	item := func() *writer { w.sql(sep); sep = ", "; return w }
	for _, c := range t.Columns {
		item().column(c)
	}
	if t.PrimaryKey != nil {
		item().primaryKey(t.PrimaryKey)
	}
	for _, u := range t.Uniques {
		item().unique(u)
	}
	for _, c := range t.Checks {
		item().check(c)
	}
	for _, fk := range t.ForeignKeys {
		if !skip[fk] {
			item().foreignKey(fk)
		}
	}
	return w.sql(")").done()
}

// indexes renders CREATE INDEX for each of t's indexes.
func indexes(t *schema.Table) ([]string, error) {
	out := make([]string, 0, len(t.Indexes))
	for _, ix := range t.Indexes {
		s, err := createIndex(t.Schema, t.Name, ix, false)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// comments renders COMMENT ON for t and for each of its commented columns.
func comments(t *schema.Table) ([]string, error) {
	var out []string
	if t.Comment != "" {
		s, err := commentOn(t.Schema, t.Name, "", t.Comment)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, c := range t.Columns {
		if c.Comment != "" {
			s, err := commentOn(t.Schema, t.Name, c.Name, c.Comment)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// column writes a column definition: name, type, identity, default and
// NOT NULL. PostgreSQL refuses a default on an identity column, and so
// does this.
func (w *writer) column(c *schema.Column) *writer {
	if c == nil {
		return w.invalid("nil column")
	}
	w.ident(c.Name).sql(" ").typ(c.Type)
	switch {
	case c.Identity > schema.IdentityAlways:
		w.invalid("column %q: unknown identity %d", c.Name, c.Identity)
	case c.Identity != schema.IdentityNone && c.ServerDefault != "":
		w.invalid("column %q: both an identity and a server default", c.Name)
	case c.Identity != schema.IdentityNone:
		w.sql(" ", c.Identity.String())
	case c.ServerDefault != "":
		w.sql(" DEFAULT ").expr("default of "+c.Name, c.ServerDefault)
	}
	if !c.Nullable {
		w.sql(" NOT NULL")
	}
	return w
}

// constraint writes "CONSTRAINT name " (nothing for an unnamed one).
func (w *writer) constraint(name string) *writer {
	if name == "" {
		return w
	}
	return w.sql("CONSTRAINT ").ident(name).sql(" ")
}

func (w *writer) primaryKey(pk *schema.PrimaryKey) *writer {
	if len(pk.Columns) == 0 {
		w.invalid("primary key %q has no columns", pk.Name)
	}
	return w.constraint(pk.Name).sql("PRIMARY KEY ").list(pk.Columns)
}

func (w *writer) unique(u *schema.Unique) *writer {
	if len(u.Columns) == 0 {
		w.invalid("unique constraint %q has no columns", u.Name)
	}
	return w.constraint(u.Name).sql("UNIQUE ").list(u.Columns)
}

func (w *writer) check(c *schema.Check) *writer {
	return w.constraint(c.Name).sql("CHECK (").expr("check "+c.Name, c.Expr).sql(")")
}

func (w *writer) foreignKey(fk *schema.ForeignKey) *writer {
	if len(fk.Columns) == 0 || len(fk.Columns) != len(fk.RefColumns) {
		w.invalid("foreign key %q: %d columns reference %d", fk.Name, len(fk.Columns), len(fk.RefColumns))
	}
	w.constraint(fk.Name).sql("FOREIGN KEY ").list(fk.Columns).
		sql(" REFERENCES ").qualified(fk.RefSchema, fk.RefTable).sql(" ").list(fk.RefColumns)
	w.action(" ON DELETE ", fk.OnDelete)
	return w.action(" ON UPDATE ", fk.OnUpdate)
}

// referentialActions lists the referential actions PostgreSQL knows.
var referentialActions = map[schema.Action]bool{
	schema.Restrict: true, schema.Cascade: true, schema.SetNull: true, schema.SetDefault: true, "NO ACTION": true,
}

// action writes clause and the action, or nothing for NoAction.
func (w *writer) action(clause string, a schema.Action) *writer {
	if a == schema.NoAction {
		return w
	}
	if !referentialActions[a] {
		return w.invalid("unknown referential action %q", a)
	}
	return w.sql(clause, string(a))
}
