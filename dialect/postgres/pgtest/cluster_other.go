//go:build !unix

package pgtest

import "context"

// startLocal is not supported here: the throwaway cluster needs a Unix
// shell and process credentials.
func startLocal(context.Context) (*server, error) {
	return nil, unavailable("a throwaway cluster needs a Unix system")
}

// startPair is not supported here, for the same reason.
func startPair(context.Context) (*pair, error) {
	return nil, unavailable("a throwaway cluster needs a Unix system")
}
