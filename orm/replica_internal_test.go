package orm

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func TestWithReplicasSkipsEmpty(t *testing.T) {
	cfg := defaultConfig()
	WithReplicas("", "")(&cfg)
	rs, err := openReplicas(context.Background(), &cfg)
	if err != nil || rs != nil {
		t.Fatalf("openReplicas = %v, %v; want no replicas", rs, err)
	}
}

func TestReplicasPick(t *testing.T) {
	pools := []*pgxpool.Pool{new(pgxpool.Pool), new(pgxpool.Pool), new(pgxpool.Pool)}
	rs := &replicas{}
	for _, p := range pools {
		rs.list = append(rs.list, &replica{pool: p})
	}
	order := func(n int) []int {
		var out []int
		for range n {
			r := rs.pick()
			idx := -1
			for i, x := range rs.list {
				if x == r {
					idx = i
				}
			}
			out = append(out, idx)
		}
		return out
	}
	tests := []struct {
		name string
		down []time.Duration // per replica: left out until now+d; 0: never failed
		want []int
	}{
		{name: "round robin", down: []time.Duration{0, 0, 0}, want: []int{1, 2, 0, 1, 2, 0}},
		{name: "one left out", down: []time.Duration{0, time.Hour, 0}, want: []int{2, 0, 2, 0}},
		{name: "retry period over", down: []time.Duration{0, -time.Second, 0}, want: []int{1, 2, 0}},
		{name: "all left out", down: []time.Duration{time.Hour, time.Hour, time.Hour}, want: []int{-1, -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs.next.Store(0)
			for i, d := range tc.down {
				until := int64(0)
				if d != 0 {
					until = time.Now().Add(d).UnixNano()
				}
				rs.list[i].down.Store(until)
			}
			got := order(len(tc.want))
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("picked %v, want %v", got, tc.want)
				}
			}
		})
	}
}
