package postgres

import (
	"fmt"

	"github.com/crucible-orm/crucible/dialect"
	"github.com/crucible-orm/crucible/schema"
)

// CreateAll renders the creation of everything in m, in an order the
// server accepts: the schemas m names (CREATE SCHEMA IF NOT EXISTS); enum
// types; tables in m's order, each with its columns,
// primary key, unique and check constraints and the foreign keys to tables
// created before it (or to itself); then, with ALTER TABLE, the foreign
// keys that reference a table created later (reference cycles); then the
// indexes and the comments. Run the statements in one transaction to get
// all or nothing.
func (Dialect) CreateAll(m *schema.Metadata) ([]string, error) {
	late, err := lateForeignKeys(m)
	if err != nil {
		return nil, err
	}
	out, err := createSchemasAndTypes(m)
	if err != nil {
		return nil, err
	}
	for _, t := range m.Tables() {
		s, err := createTable(t, late.set)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		out = append(out, s)
	}
	for i, fk := range late.fks {
		s, err := addForeignKey(late.owners[i].Schema, late.owners[i].Name, fk)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, t := range m.Tables() {
		idx, err := indexes(t)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		com, err := comments(t)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", t.Name, err)
		}
		out = append(append(out, idx...), com...)
	}
	return out, nil
}

// createSchemasAndTypes renders the creation of m's schemas (when missing)
// and enum types.
func createSchemasAndTypes(m *schema.Metadata) ([]string, error) {
	var out []string
	for _, nsp := range m.Schemas() {
		s, err := stmt("CREATE SCHEMA IF NOT EXISTS ").ident(nsp).done()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for _, e := range m.Enums() {
		s, err := Dialect{}.CreateEnum(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// DropAll renders the removal of everything CreateAll creates, safe on a
// schema that is only partly there (every statement says IF EXISTS): the
// foreign keys CreateAll added late, the tables in reverse order (their
// indexes, constraints and identity sequences go with them), then the enum
// types in reverse order. Schemas stay: they may hold more than m.
// Nothing is dropped with CASCADE, so an object outside m that depends on
// a table makes DropAll fail rather than vanish.
func (Dialect) DropAll(m *schema.Metadata) ([]string, error) {
	late, err := lateForeignKeys(m)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, fk := range late.fks {
		s, err := stmt("ALTER TABLE IF EXISTS ").qualified(late.owners[i].Schema, late.owners[i].Name).
			sql(" DROP CONSTRAINT IF EXISTS ").ident(fk.Name).done()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	ts := m.Tables()
	for i := len(ts) - 1; i >= 0; i-- {
		s, err := stmt("DROP TABLE IF EXISTS ").qualified(ts[i].Schema, ts[i].Name).done()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	es := m.Enums()
	for i := len(es) - 1; i >= 0; i-- {
		s, err := stmt("DROP TYPE IF EXISTS ").qualified(es[i].Schema, es[i].Name).done()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// lateFKs are the foreign keys CreateAll adds after all tables, each with
// the table that owns it.
type lateFKs struct {
	fks    []*schema.ForeignKey
	owners []*schema.Table
	set    map[*schema.ForeignKey]bool
}

// lateForeignKeys finds the foreign keys that reference a table of m
// created after their own, and those m reports as closing a cycle, in
// table order. Whatever order m gives, creating tables in it and adding
// these afterwards never references a missing table. They must be named,
// for DropAll to drop them.
func lateForeignKeys(m *schema.Metadata) (lateFKs, error) {
	pos := make(map[[2]string]int, len(m.Tables()))
	for i, t := range m.Tables() {
		pos[[2]string{t.Schema, t.Name}] = i
	}
	late := lateFKs{set: map[*schema.ForeignKey]bool{}}
	for _, fk := range m.CyclicForeignKeys() {
		late.set[fk] = true
	}
	for i, t := range m.Tables() {
		for _, fk := range t.ForeignKeys {
			j, ok := pos[[2]string{fk.RefSchema, fk.RefTable}]
			if late.set[fk] || ok && j > i {
				if fk.Name == "" {
					return late, fmt.Errorf("%w: table %s: an unnamed foreign key to %s closes a cycle",
						dialect.ErrInvalidDefinition, t.Name, fk.RefTable)
				}
				late.set[fk] = true
				late.fks, late.owners = append(late.fks, fk), append(late.owners, t)
			}
		}
	}
	return late, nil
}
