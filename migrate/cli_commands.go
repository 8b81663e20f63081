package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/crucible-orm/crucible/schema"
)

// commands is the table of subcommands of [Run].
var commands = commandTable()

func commandTable() map[string]*command {
	table := map[string]*command{}
	for _, c := range []*command{
		{"init", 0, 1, cmdInit},
		{"revision", 0, 0, cmdRevision},
		{"merge", 0, 0, cmdMerge},
		{"upgrade", 0, 1, cmdUpgrade},
		{"downgrade", 1, 1, cmdDowngrade},
		{"current", 0, 0, cmdCurrent},
		{"heads", 0, 0, cmdHeads},
		{"history", 0, 0, cmdHistory},
		{"stamp", 1, 1, cmdStamp},
		{"check", 0, 0, cmdCheck},
		{"sql", 2, 2, cmdSQL},
	} {
		table[c.name] = c
	}
	return table
}

func cmdInit(_ context.Context, c *cli) error {
	dir := c.arg(0, c.dir)
	if err := Init(dir); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "created %s/%s: hand its Set to migrate.Main\n", dir, RegistryFile)
	return nil
}

func cmdRevision(ctx context.Context, c *cli) error {
	if c.message == "" {
		return errors.New("a message is required (-m MSG)")
	}
	d, err := c.revisionDiff(ctx)
	if err != nil {
		return err
	}
	if d != nil {
		c.notManaged(d)
		if d.Empty() && !c.allowEmpty {
			fmt.Fprintln(c.out, "no changes detected: nothing written (-allow-empty writes an empty revision to fill by hand)")
			return nil
		}
	}
	rev, err := Draft(c.set, c.message, d)
	if err != nil {
		return err
	}
	if c.revID != "" {
		rev.ID = c.revID
	}
	if err := c.write(rev, d); err != nil {
		return err
	}
	if c.baseline {
		fmt.Fprintln(c.out, "baseline: run `stamp head` on each database that already has this schema; `upgrade head` builds it on an empty one")
	}
	return nil
}

// revisionDiff returns the ops of the revision: none without
// -autogenerate or -baseline.
func (c *cli) revisionDiff(ctx context.Context) (*Diff, error) {
	if !c.autogenerate && !c.baseline {
		return nil, nil
	}
	r, err := c.runner(ctx)
	if err != nil {
		return nil, err
	}
	if c.baseline {
		return r.Baseline(ctx)
	}
	return r.Autogenerate(ctx)
}

// notManaged prints the objects autogenerate left alone because no model
// describes them.
func (c *cli) notManaged(d *Diff) {
	for _, o := range d.Unmanaged {
		fmt.Fprintf(c.out, "not managed: %s — add a model or exclude it (-exclude %s)\n", o,
			schema.QualifiedName(o.Schema, o.Name))
	}
}

func cmdMerge(_ context.Context, c *cli) error {
	if c.message == "" {
		return errors.New("a message is required (-m MSG)")
	}
	rev, err := Merge(c.set, c.message)
	if err != nil {
		return err
	}
	if c.revID != "" {
		rev.ID = c.revID
	}
	return c.write(rev, nil)
}

// write writes the revision file and reports what it holds.
func (c *cli) write(rev *Revision, d *Diff) error {
	var hints []Hint
	if d != nil {
		hints = d.Hints
	}
	path, err := WriteRevision(c.dir, rev, hints)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "wrote %s (revision %s)\n", path, rev.ID)
	if d != nil && d.Empty() {
		fmt.Fprintln(c.out, "no changes detected: the revision is empty")
	}
	for _, op := range rev.Upgrade {
		fmt.Fprintf(c.out, "  %s\n", op)
		if why := Destructive(op); why != "" {
			fmt.Fprintf(c.out, "    DESTRUCTIVE: %s\n", why)
		}
		if why := Caution(op); why != "" {
			fmt.Fprintf(c.out, "    CAUTION: %s\n", why)
		}
	}
	for _, h := range hints {
		fmt.Fprintf(c.out, "NOTE: %s\n", h.Text)
		if h.Code != "" {
			fmt.Fprintf(c.out, "\t%s\n", h.Code)
		}
	}
	return nil
}

func cmdUpgrade(ctx context.Context, c *cli) error {
	r, err := c.runner(ctx)
	if err != nil {
		return err
	}
	done, err := r.Upgrade(ctx, c.arg(0, Head))
	if err == nil && len(done) == 0 {
		fmt.Fprintln(c.out, "nothing to upgrade")
	}
	return err
}

func cmdDowngrade(ctx context.Context, c *cli) error {
	r, err := c.runner(ctx)
	if err != nil {
		return err
	}
	done, err := r.Downgrade(ctx, c.arg(0, ""))
	if err == nil && len(done) == 0 {
		fmt.Fprintln(c.out, "nothing to downgrade")
	}
	return err
}

func cmdCurrent(ctx context.Context, c *cli) error {
	r, err := c.runner(ctx)
	if err != nil {
		return err
	}
	current, err := r.Current(ctx)
	if err != nil {
		return err
	}
	if len(current) == 0 {
		fmt.Fprintln(c.out, Base)
	}
	heads := c.set.Heads()
	for _, id := range current {
		fmt.Fprintf(c.out, "%s%s\n", id, headMark(heads, id))
	}
	return nil
}

func cmdHeads(_ context.Context, c *cli) error {
	if err := c.set.Err(); err != nil {
		return err
	}
	for _, id := range c.set.Heads() {
		fmt.Fprintf(c.out, "%s: %s\n", id, oneLine(c.set.Revision(id).Message))
	}
	return nil
}

func cmdHistory(_ context.Context, c *cli) error {
	if err := c.set.Err(); err != nil {
		return err
	}
	heads := c.set.Heads()
	revs := c.set.Revisions()
	for i := len(revs) - 1; i >= 0; i-- {
		r := revs[i]
		parents := strings.Join(r.Parents(), ", ")
		if parents == "" {
			parents = Base
		}
		fmt.Fprintf(c.out, "%s -> %s%s: %s\n", parents, r.ID, headMark(heads, r.ID), oneLine(r.Message))
	}
	return nil
}

func headMark(heads []string, id string) string {
	if slices.Contains(heads, id) {
		return " (head)"
	}
	return ""
}

func cmdStamp(ctx context.Context, c *cli) error {
	r, err := c.runner(ctx)
	if err != nil {
		return err
	}
	if err := r.Stamp(ctx, c.arg(0, "")); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "stamped %s\n", c.arg(0, ""))
	return nil
}

func cmdCheck(ctx context.Context, c *cli) error {
	d, err := c.check(ctx)
	if c.json {
		return errors.Join(err, c.writeCheckJSON(d, err))
	}
	if d != nil {
		c.notManaged(d)
	}
	if errors.Is(err, ErrDrift) {
		for _, op := range d.Ops {
			fmt.Fprintf(c.out, "  %s\n", op)
		}
	}
	if err == nil {
		fmt.Fprintln(c.out, "ok: the database is at head and matches the models")
	}
	return err
}

func (c *cli) check(ctx context.Context) (*Diff, error) {
	r, err := c.runner(ctx)
	if err != nil {
		return nil, err
	}
	return r.Check(ctx)
}

func cmdSQL(_ context.Context, c *cli) error {
	var dir Direction
	switch arg := c.arg(0, ""); arg {
	case Up.String():
	case Down.String():
		dir = Down
	default:
		return fmt.Errorf("want sql upgrade|downgrade [FROM:]TO, got %q", arg)
	}
	from, to, ok := strings.Cut(c.arg(1, ""), ":")
	if !ok {
		from, to = "", from
	}
	script, err := SQL(c.set, nil, dir, from, to, c.versionTable)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(c.out, script)
	return err
}
