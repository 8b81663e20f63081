package migrate

import (
	"fmt"
	"strings"
)

// SQL renders, without a database, the script that moves a database from
// one revision to another: for a DBA to review, or to run by hand. With up
// it upgrades from `from` to `to` (as [Runner.Upgrade] takes it, or base);
// without, it downgrades from `from` to `to` (as [Runner.Downgrade] takes
// it, or head). `from` is where the database is: [Base], [Head], [Heads],
// a revision, "+N" (N revisions above base) or "-N" (N revisions below the
// heads); "" means base for an upgrade and the heads for a downgrade. Each
// revision is wrapped in BEGIN/COMMIT with its version-table update;
// non-transactional ops stand outside, marked. d renders the ops (nil for
// the PostgreSQL default) and versionTable names the version table (""
// for the default).
func SQL(set *Set, d DDL, dir Direction, from, to, versionTable string) (string, error) {
	if d == nil {
		d = defaultDDL()
	}
	if versionTable == "" {
		versionTable = DefaultVersionTable
	}
	if from == "" {
		from = Base
		if dir == Down {
			from = Heads
		}
	}
	r := &Runner{set: set, ddl: d, versionTable: versionTable}
	current, err := set.point(from)
	if err != nil {
		return "", fmt.Errorf("from %s: %w", from, err)
	}
	plan, err := set.plan(current, to, dir)
	if err != nil {
		return "", fmt.Errorf("to %s: %w", to, err)
	}
	return r.script(current, plan, dir, from, to)
}

func (r *Runner) script(current []string, plan []*Revision, dir Direction, from, to string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "-- crucible migrate: %s %s -> %s (offline)\n\n", dir, from, to)
	vt, err := versionTableSQL(r.ddl, r.versionTable)
	if err != nil {
		return "", err
	}
	b.WriteString(vt + ";\n")
	heads := current
	for _, rev := range plan {
		heads = r.set.after(heads, rev, dir)
		if err := r.scriptRevision(&b, rev, dir, heads); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func (r *Runner) scriptRevision(b *strings.Builder, rev *Revision, dir Direction, heads []string) error {
	segs, err := r.segments(rev, dir)
	if err != nil {
		return err
	}
	if len(segs) == 0 || !segs[len(segs)-1].tx {
		segs = append(segs, segment{tx: true})
	}
	fmt.Fprintf(b, "\n-- %s %s: %s\n", dir, rev.ID, oneLine(rev.Message))
	for i, seg := range segs {
		if seg.tx {
			b.WriteString("BEGIN;\n")
		}
		for _, o := range seg.ops {
			writeOpSQL(b, o, seg.tx)
		}
		if i == len(segs)-1 {
			r.writeVersionSQL(b, heads)
		}
		if seg.tx {
			b.WriteString("COMMIT;\n")
		}
	}
	return nil
}

func writeOpSQL(b *strings.Builder, o renderedOp, tx bool) {
	if why := Destructive(o.op); why != "" {
		b.WriteString("-- DESTRUCTIVE: " + why + "\n")
	}
	if !tx {
		b.WriteString("-- NOT TRANSACTIONAL: " + o.op.String() + "\n")
	}
	if _, ok := o.op.(goRunner); ok {
		b.WriteString("-- RUNS GO CODE, not shown as SQL: " + o.op.String() + " (apply this revision with the migrate command)\n")
	}
	for _, q := range o.sql {
		b.WriteString(strings.TrimRight(q, "; \n") + ";\n")
	}
}

// writeVersionSQL writes the version-table update with the revision ids as
// escaped literals: an offline script has no bind parameters.
func (r *Runner) writeVersionSQL(b *strings.Builder, heads []string) {
	q, _ := quoteVersionTable(r.ddl, r.versionTable) // checked by versionTableSQL first
	b.WriteString("DELETE FROM " + q + ";\n")
	if len(heads) == 0 {
		return
	}
	vals := make([]string, len(heads))
	for i, h := range heads {
		vals[i] = "('" + strings.ReplaceAll(h, "'", "''") + "')"
	}
	b.WriteString("INSERT INTO " + q + " (revision) VALUES " + strings.Join(vals, ", ") + ";\n")
}
