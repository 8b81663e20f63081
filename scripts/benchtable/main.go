// Command benchtable turns the output of scripts/bench.sh into the
// markdown table of README.md: for each BenchmarkCompare workload, the
// ratio crucible ÷ pgx of time, client CPU, bytes and allocations per
// operation, as the median and the range of the per-round ratios (round i
// of crucible divided by round i of pgx, both measured in the same
// process, one right after the other); then the session's bytes per
// object from BenchmarkSessionMemory.
//
//	go run ./scripts/benchtable [-readme README.md] bench.out
//
// With -readme, the table replaces what stands between the lines
// "<!-- bench:begin -->" and "<!-- bench:end -->" of that file.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

const (
	beginMark = "<!-- bench:begin -->"
	endMark   = "<!-- bench:end -->"
)

func main() {
	readme := flag.String("readme", "", "rewrite the table between the bench markers of this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchtable [-readme README.md] bench.out")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *readme, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(in, readme string, out io.Writer) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := parse(f)
	if err != nil {
		return err
	}
	table := res.markdown()
	if _, err := io.WriteString(out, table); err != nil {
		return err
	}
	if readme == "" {
		return nil
	}
	return splice(readme, table)
}

// metrics are the units compared, in table order, with their headings.
var metrics = []struct{ unit, head string }{
	{"ns/op", "time"},
	{"cpu-ns/op", "client CPU"},
	{"B/op", "bytes/op"},
	{"allocs/op", "allocs/op"},
}

// sample is one benchmark line's values by unit.
type sample map[string]float64

// results holds the samples in the order they were read.
type results struct {
	workloads []string                       // in first-seen order
	samples   map[string]map[string][]sample // workload → impl → rounds
	memory    []string                       // memory figures in first-seen order
	perObj    map[string][]float64           // figure → B/obj samples
}

// parse reads `go test -bench` output.
func parse(r io.Reader) (*results, error) {
	res := &results{samples: map[string]map[string][]sample{}, perObj: map[string][]float64{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name, s, err := line(fields)
		if err != nil {
			return nil, err
		}
		res.add(name, s)
	}
	return res, sc.Err()
}

// line splits a result line into its name (without the -GOMAXPROCS
// suffix) and its values.
func line(fields []string) (string, sample, error) {
	name := fields[0]
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	s := sample{}
	for i := 2; i+1 < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return "", nil, fmt.Errorf("%s: value %q: %w", name, fields[i], err)
		}
		s[fields[i+1]] = v
	}
	return name, s, nil
}

func (res *results) add(name string, s sample) {
	parts := strings.Split(name, "/")
	switch {
	case len(parts) == 3 && parts[0] == "BenchmarkCompare" && strings.HasPrefix(parts[2], "impl="):
		w, impl := parts[1], strings.TrimPrefix(parts[2], "impl=")
		if res.samples[w] == nil {
			res.samples[w] = map[string][]sample{}
			res.workloads = append(res.workloads, w)
		}
		res.samples[w][impl] = append(res.samples[w][impl], s)
	case len(parts) == 2 && parts[0] == "BenchmarkSessionMemory":
		if _, ok := res.perObj[parts[1]]; !ok {
			res.memory = append(res.memory, parts[1])
		}
		res.perObj[parts[1]] = append(res.perObj[parts[1]], s["B/obj"])
	}
}

// ratios pairs round i of crucible with round i of pgx.
func ratios(c, p []sample, unit string) []float64 {
	var out []float64
	for i := range min(len(c), len(p)) {
		if p[i][unit] > 0 {
			out = append(out, c[i][unit]/p[i][unit])
		}
	}
	return out
}

// spread renders the median and range of xs: "1.05 (0.98–1.12)".
func spread(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 1 {
		return fmt.Sprintf("%.2f", s[0])
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", median(s), s[0], s[len(s)-1])
}

// median of sorted values.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (res *results) markdown() string {
	var b strings.Builder
	rounds := 0
	b.WriteString("| workload |")
	for _, m := range metrics {
		b.WriteString(" " + m.head + " ÷ pgx |")
	}
	b.WriteString(" crucible time/op |\n| --- |")
	for range metrics {
		b.WriteString(" ---: |")
	}
	b.WriteString(" ---: |\n")
	for _, w := range res.workloads {
		c, p := res.samples[w]["crucible"], res.samples[w]["pgx"]
		rounds = max(rounds, min(len(c), len(p)))
		b.WriteString("| " + w + " |")
		for _, m := range metrics {
			b.WriteString(" " + spread(ratios(c, p, m.unit)) + " |")
		}
		b.WriteString(" " + duration(c) + " |\n")
	}
	fmt.Fprintf(&b, "\nMedian (min–max) of %d rounds' ratios; each round runs both sides back to back, alternating which goes first.\n", rounds)
	if len(res.memory) > 0 {
		b.WriteString("\nSession bookkeeping per object (bytes the session keeps beside the objects themselves):")
		for i, k := range res.memory {
			if i > 0 {
				b.WriteString(",")
			}
			s := slices.Sorted(slices.Values(res.perObj[k]))
			fmt.Fprintf(&b, " %s %.0f B", k, median(s))
		}
		b.WriteString(".\n")
	}
	return b.String()
}

// duration renders the median time per operation of samples.
func duration(ss []sample) string {
	if len(ss) == 0 {
		return "–"
	}
	ns := make([]float64, len(ss))
	for i, s := range ss {
		ns[i] = s["ns/op"]
	}
	slices.Sort(ns)
	v := median(ns)
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f ns", v)
}

// splice replaces the text between the bench markers of file with table.
func splice(file, table string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	i := bytes.Index(data, []byte(beginMark))
	j := bytes.Index(data, []byte(endMark))
	if i < 0 || j < i {
		return errors.New(file + ": no " + beginMark + " … " + endMark + " section")
	}
	var out bytes.Buffer
	out.Write(data[:i+len(beginMark)])
	out.WriteString("\n" + table)
	out.Write(data[j:])
	return os.WriteFile(file, out.Bytes(), 0o644)
}
