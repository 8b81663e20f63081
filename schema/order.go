package schema

// newMetadata is a placeholder until the full validation lands: it seals
// the tables and indexes names without checking references.
func newMetadata(tables []*Table, enums []*Enum) (*Metadata, error) {
	m := &Metadata{byName: map[string]*Table{}, byEnum: map[string]*Enum{}}
	for _, t := range tables {
		t.Seal()
		m.tables = append(m.tables, t)
		m.byName[t.Name] = t
	}
	for _, e := range enums {
		m.enums = append(m.enums, e)
		m.byEnum[e.Name] = e
	}
	return m, nil
}
