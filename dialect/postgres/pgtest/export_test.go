package pgtest

import (
	"context"
	"testing"
)

// Unexported helpers under test.
var (
	IdentPrefix  = identPrefix
	WithDatabase = withDatabase
	Retryable    = retryable
)

// Isolate gives t a server state of its own: the next New or
// CreateDatabase finds a server again. At cleanup that server is shut
// down and the process's own state comes back.
func Isolate(t testing.TB) {
	stdMu.Lock()
	saved := std
	std = &process{}
	stdMu.Unlock()
	t.Cleanup(func() {
		Shutdown()
		stdMu.Lock()
		std = saved
		stdMu.Unlock()
	})
}

// SetBinGlobs replaces the directories searched for PostgreSQL binaries.
func SetBinGlobs(t testing.TB, globs []string) {
	saved := binGlobs
	binGlobs = globs
	t.Cleanup(func() { binGlobs = saved })
}

// ServerInfo describes the server of the current state, finding it if
// needed.
type ServerInfo struct {
	Source   string
	AdminURL string
	Dir      string // "local" only
	Port     int    // "local" only
}

// Server returns the current server, finding it if needed.
func Server(ctx context.Context) (ServerInfo, error) {
	srv, _, err := current(ctx)
	if err != nil {
		return ServerInfo{}, err
	}
	return ServerInfo{Source: srv.source, AdminURL: srv.adminURL, Dir: srv.dir, Port: srv.port}, nil
}

// HelperServer returns the server of h, finding it if needed.
func HelperServer(ctx context.Context, h *Helper) (ServerInfo, error) {
	srv, _, err := h.p.get(ctx)
	if err != nil {
		return ServerInfo{}, err
	}
	return ServerInfo{Source: srv.source, AdminURL: srv.adminURL, Dir: srv.dir, Port: srv.port}, nil
}

// AddSetting adds a postgres -c setting for t.
func AddSetting(t testing.TB, setting string) {
	saved := settings
	settings = append(settings[:len(settings):len(settings)], setting)
	t.Cleanup(func() { settings = saved })
}

// Connection-string rewriting of the PgBouncer routing.
var (
	WithAddress = withAddress
	WithParam   = withParam
	FindBouncer = findBouncer
)

// PairDirs returns the directories of the running pair of NewReplicated.
func PairDirs() []string {
	pairs.mu.Lock()
	defer pairs.mu.Unlock()
	if pairs.p == nil {
		return nil
	}
	return pairs.p.dirs
}
