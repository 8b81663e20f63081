//go:build unix

package pgtest

// Unexported helpers of the local cluster under test.
var (
	FindBinaries = findBinaries
	TempBase     = tempBase
)
