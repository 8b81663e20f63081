//go:build !unix

package pgtest

import "context"

// bouncer is a running PgBouncer; there is none here.
type bouncer struct{ port int }

func (*bouncer) stop() error { return nil }

// findBouncer reports PgBouncer unavailable: it is run like the throwaway
// cluster, which needs a Unix shell and process credentials.
func findBouncer() (string, error) {
	return "", unavailable("a test PgBouncer needs a Unix system")
}

func startBouncer(context.Context, string, PoolMode) (*bouncer, error) {
	_, err := findBouncer()
	return nil, err
}
