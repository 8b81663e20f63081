//go:build !unix

package orm_test

import "time"

// cpuTime is not measured where getrusage is missing: cpu-ns/op reads 0.
func cpuTime() time.Duration { return 0 }
