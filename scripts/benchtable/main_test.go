package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleOut = `goos: linux
BenchmarkCompare/GetByPK/impl=crucible-2   	 100	 100 ns/op	 50 cpu-ns/op	 200 B/op	 4 allocs/op
BenchmarkCompare/GetByPK/impl=pgx-2        	 100	 100 ns/op	 50 cpu-ns/op	 100 B/op	 2 allocs/op
BenchmarkCompare/GetByPK/impl=pgx-2        	 100	 200 ns/op	 100 cpu-ns/op	 100 B/op	 2 allocs/op
BenchmarkCompare/GetByPK/impl=crucible-2   	 100	 220 ns/op	 120 cpu-ns/op	 200 B/op	 4 allocs/op
BenchmarkCompare/GetByPK/impl=crucible-2   	 100	 90 ns/op	 40 cpu-ns/op	 200 B/op	 4 allocs/op
BenchmarkCompare/GetByPK/impl=pgx-2        	 100	 100 ns/op	 50 cpu-ns/op	 100 B/op	 2 allocs/op
BenchmarkSessionMemory/load-2	3	 1000 ns/op	 120.0 B/obj
`

func TestMarkdown(t *testing.T) {
	res, err := parse(strings.NewReader(sampleOut))
	if err != nil {
		t.Fatal(err)
	}
	got := res.markdown()
	for _, want := range []string{
		"| GetByPK | 1.00 (0.90–1.10) | 1.00 (0.80–1.20) | 2.00 (2.00–2.00) | 2.00 (2.00–2.00) | 100 ns |",
		"Median (min–max) of 3 rounds",
		"load 120 B",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestSplice(t *testing.T) {
	tests := []struct {
		name, readme, want string
		fails              bool
	}{
		{name: "replaces the section", readme: "a\n" + beginMark + "\nold\n" + endMark + "\nb\n",
			want: "a\n" + beginMark + "\nNEW\n" + endMark + "\nb\n"},
		{name: "no markers", readme: "a\nb\n", fails: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "README.md")
			if err := os.WriteFile(file, []byte(tc.readme), 0o644); err != nil {
				t.Fatal(err)
			}
			err := splice(file, "NEW\n")
			if (err != nil) != tc.fails {
				t.Fatalf("err = %v, want failure %v", err, tc.fails)
			}
			got, _ := os.ReadFile(file)
			if !tc.fails && string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseRejectsBadValues(t *testing.T) {
	_, err := parse(strings.NewReader("BenchmarkCompare/X/impl=pgx-2 1 abc ns/op\n"))
	if err == nil {
		t.Fatal("a malformed value was accepted")
	}
}
