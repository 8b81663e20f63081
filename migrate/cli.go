package migrate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crucible-orm/crucible/schema"
)

// Exit codes of [Main] and [Run].
const (
	ExitOK    = 0 // success; for check: database at head and matching the models
	ExitDrift = 1 // check only: the models and the database differ, or revisions are pending
	ExitError = 2 // bad usage or a failure, described on stderr
)

// Main is the migration command line, for a program of a few lines:
//
//	func main() { migrate.Main(models.Metadata(), migrations.Set) }
//
// It runs [Run] with os.Args, stops on SIGINT or SIGTERM, and exits with
// its code. A nil set is an empty one: the first `init` runs before the
// migrations package exists, so main.go passes nil until then. opts
// configure the runner the commands use, such as [WithScope]; flags given
// on the command line win over them, and scope flags add to the scope.
func Main(meta *schema.Metadata, set *Set, opts ...Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, meta, set, os.Args[1:], os.Stdout, os.Stderr, opts...)
	stop()
	os.Exit(code)
}

// Run runs one migration command (args without the program name) and
// returns the exit code: [ExitOK], [ExitDrift] or [ExitError]. Results go
// to stdout, one item a line; errors go to stderr. The commands:
//
//	init [DIR]                        create the migrations package (registry.go)
//	revision -m MSG [-autogenerate]   write a new revision (empty, or the diff)
//	revision -m MSG -baseline         write the first revision of a database that exists
//	merge -m MSG                      write a revision merging the heads
//	upgrade [TARGET]                  head (default), heads, +N or a revision
//	downgrade TARGET                  -N, a revision or base
//	current | heads | history         show where the database and the set are
//	stamp TARGET                      record a version without running anything
//	check [-json]                     exit 1 unless at head and matching the models
//	sql upgrade|downgrade [FROM:]TO   print the SQL offline, without a database
//
// Flags, before or after the command: -database-url (default
// $DATABASE_URL), -dir (default "migrations"), -lock-timeout (default 1m),
// -version-table (default crucible_version), and the scope flags
// -include-schemas, -exclude-schemas, -include, -exclude (comma-separated
// patterns, repeatable), -drop-unmanaged and -rename-constraints (see
// [Scope]). opts configure
// the runner, as for [Main].
func Run(ctx context.Context, meta *schema.Metadata, set *Set, args []string, stdout, stderr io.Writer, opts ...Option) int {
	if set == nil {
		set = NewSet()
	}
	c := &cli{meta: meta, set: set, out: stdout, errOut: stderr, opts: opts}
	cmd, err := c.parse(args)
	if err != nil {
		if c.json || slices.Contains(args, "-json") || slices.Contains(args, "--json") { // check -json reports bad usage too
			_ = c.writeCheckJSON(nil, err)
		}
		if cmd != nil { // a bad flag value: the command was understood
			fmt.Fprintf(stderr, "migrate %s: %v\n", cmd.name, err)
		} else {
			fmt.Fprintf(stderr, "migrate: %v\n\n%s", err, usage)
		}
		return ExitError
	}
	defer c.close()
	if err := cmd.run(ctx, c); err != nil {
		if cmd.name == "check" && (errors.Is(err, ErrDrift) || errors.Is(err, ErrNotUpToDate)) {
			if !c.json {
				fmt.Fprintf(stdout, "%v\n", err)
			}
			return ExitDrift
		}
		fmt.Fprintf(stderr, "migrate %s: %v\n", cmd.name, err)
		return ExitError
	}
	return ExitOK
}

const usage = `usage: migrate [flags] COMMAND [args]

commands:
  init [DIR]                       create the migrations package
  revision -m MSG [-autogenerate]  write a new revision
  revision -m MSG -baseline        write the first revision of a database that exists
  merge -m MSG                     write a revision merging the heads
  upgrade [TARGET]                 head (default), heads, +N or a revision
  downgrade TARGET                 -N, a revision or base
  current                          the database's revision
  heads                            the head revisions of the set
  history                          every revision, newest first
  stamp TARGET                     record a version without running anything
  check [-json]                    exit 1 unless at head and matching the models
  sql upgrade|downgrade [FROM:]TO  print the SQL without a database (FROM, TO:
                                   base, head, +N, -N or a revision)

flags (before or after the command):
  -database-url URL   the database (default $DATABASE_URL)
  -dir DIR            the migrations package directory (default migrations)
  -lock-timeout D     how long to wait for another runner (default 1m)
  -version-table T    the version table, T or SCHEMA.T (default crucible_version;
                      the runner creates the table, not the schema)
  -m MSG              the revision message
  -autogenerate       compare the models with the database for the revision
  -allow-empty        write the revision even when autogenerate finds nothing
  -baseline           the revision creates everything the models describe
  -rev-id ID          the revision id (default derived from the content)
  -json               check: print the result as JSON

scope of autogenerate and check (comma-separated patterns, repeatable):
  -include-schemas P  more schemas to read ("*": all)
  -exclude-schemas P  schemas to leave alone
  -include P          compare only the tables and types matching
  -exclude P          tables and types to leave alone ("name" or "schema.name")
  -drop-unmanaged     drop tables and types that no model describes and no
                      revision created (off: they are reported, never dropped)
  -rename-constraints rename keys, constraints and indexes whose definition
                      matches the models but not their name (off: names
                      alone are no change)

exit codes: 0 success, 1 check found differences, 2 error
`

// cli holds the parsed command line and the connection it opened.
type cli struct {
	meta         *schema.Metadata
	set          *Set
	opts         []Option
	out, errOut  io.Writer
	dbURL, dir   string
	versionTable string
	lockTimeout  time.Duration
	message      string
	autogenerate bool
	allowEmpty   bool
	baseline     bool
	json         bool
	scope        Scope
	revID        string
	args         []string
	explicit     map[string]bool // the flags given on the command line
	pool         *pgxpool.Pool
}

// command is one subcommand: its argument count and what it does.
type command struct {
	name    string
	minArgs int
	maxArgs int
	run     func(ctx context.Context, c *cli) error
}

// relSentinel protects "-1" and "+2" from the flag package.
const relSentinel = "\x00rel"

// parse reads the flags and the command: a usage error comes with no
// command, a bad flag value (valuesErr) with the command it was for.
func (c *cli) parse(args []string) (*command, error) {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.dbURL, "database-url", os.Getenv("DATABASE_URL"), "")
	fs.StringVar(&c.dir, "dir", "migrations", "")
	fs.StringVar(&c.versionTable, "version-table", DefaultVersionTable, "")
	fs.DurationVar(&c.lockTimeout, "lock-timeout", DefaultLockTimeout, "")
	fs.StringVar(&c.message, "m", "", "")
	fs.BoolVar(&c.autogenerate, "autogenerate", false, "")
	fs.StringVar(&c.revID, "rev-id", "", "")
	fs.BoolVar(&c.allowEmpty, "allow-empty", false, "")
	fs.BoolVar(&c.baseline, "baseline", false, "")
	fs.BoolVar(&c.json, "json", false, "")
	fs.Func("include-schemas", "", appendList(&c.scope.IncludeSchemas))
	fs.Func("exclude-schemas", "", appendList(&c.scope.ExcludeSchemas))
	fs.Func("include", "", appendList(&c.scope.Include))
	fs.Func("exclude", "", appendList(&c.scope.Exclude))
	fs.BoolVar(&c.scope.DropUnmanaged, "drop-unmanaged", false, "")
	fs.BoolVar(&c.scope.RenameConstraints, "rename-constraints", false, "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	c.explicit = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.explicit[f.Name] = true })
	if len(pos) == 0 {
		return nil, errors.New("no command")
	}
	cmd := commands[pos[0]]
	if cmd == nil {
		return nil, fmt.Errorf("unknown command %q", pos[0])
	}
	c.args = pos[1:]
	if len(c.args) < cmd.minArgs || len(c.args) > cmd.maxArgs {
		return nil, fmt.Errorf("%s: wrong number of arguments", cmd.name)
	}
	return cmd, c.valuesErr()
}

// valuesErr reports a flag value that cannot be used: a malformed scope
// pattern, named with its flag, or a malformed version table.
func (c *cli) valuesErr() error {
	for _, f := range []struct {
		name     string
		patterns []string
	}{
		{"include-schemas", c.scope.IncludeSchemas}, {"exclude-schemas", c.scope.ExcludeSchemas},
		{"include", c.scope.Include}, {"exclude", c.scope.Exclude},
	} {
		if err := patternsErr(f.patterns); err != nil {
			return fmt.Errorf("bad -%s %w", f.name, err)
		}
	}
	_, _, err := splitVersionTable(c.versionTable)
	return err
}

// parseInterleaved parses flags anywhere among the positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	args = append([]string(nil), args...)
	for i, a := range args {
		if from, _, _ := strings.Cut(a, ":"); isRelative(from) {
			args[i] = relSentinel + a // -1, or a range starting -1:
		}
	}
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) > 0 {
			pos = append(pos, strings.TrimPrefix(args[0], relSentinel))
			args = args[1:]
		}
	}
	return pos, nil
}

// runner opens the database and returns a runner on it.
func (c *cli) runner(ctx context.Context) (*Runner, error) {
	if c.dbURL == "" {
		return nil, errors.New("no database: set DATABASE_URL or pass -database-url")
	}
	if c.pool == nil {
		pool, err := pgxpool.New(ctx, c.dbURL)
		if err != nil {
			return nil, fmt.Errorf("connect: %w", err)
		}
		c.pool = pool
	}
	return NewRunner(c.pool, c.set, c.runnerOptions()...), nil
}

// runnerOptions are the flags' defaults, then the program's options, then
// the flags given on the command line; the scope flags add to the scope.
func (c *cli) runnerOptions() []Option {
	opts := []Option{WithMetadata(c.meta), WithLog(c.out), WithVersionTable(c.versionTable), WithLockTimeout(c.lockTimeout)}
	opts = append(opts, c.opts...)
	if c.explicit["version-table"] {
		opts = append(opts, WithVersionTable(c.versionTable))
	}
	if c.explicit["lock-timeout"] {
		opts = append(opts, WithLockTimeout(c.lockTimeout))
	}
	return append(opts, func(r *Runner) { r.scope = r.scope.with(c.scope) })
}

// appendList returns a flag function adding comma-separated items to list.
func appendList(list *[]string) func(string) error {
	return func(v string) error {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*list = append(*list, item)
			}
		}
		return nil
	}
}

func (c *cli) close() {
	if c.pool != nil {
		c.pool.Close()
	}
}

func (c *cli) arg(i int, def string) string {
	if i < len(c.args) {
		return c.args[i]
	}
	return def
}
