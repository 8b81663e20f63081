package pgtest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
)

// fakeSource is a Source over a server that already runs; it counts its
// starts and stops and keeps the settings it was given.
type fakeSource struct {
	name     string
	adminURL string // "" with err unset: unavailable
	err      error
	starts   atomic.Int32
	stops    atomic.Int32
	settings []string
}

var _ pgtest.Source = (*fakeSource)(nil)

func (f *fakeSource) Name() string { return f.name }

func (f *fakeSource) Start(_ context.Context, settings []string) (string, func() error, error) {
	f.starts.Add(1)
	f.settings = settings
	switch {
	case f.err != nil:
		return "", nil, f.err
	case f.adminURL == "":
		return "", nil, pgtest.Unavailable("%s is not here", f.name)
	}
	return f.adminURL, func() error { f.stops.Add(1); return nil }, nil
}

// onlySources leaves a Helper only its own sources: no URL in the
// environment and no local binaries. It returns the admin URL of the
// process's server, for a fake source to hand out.
func onlySources(t *testing.T) string {
	info, err := pgtest.Server(context.Background())
	require.NoError(t, err)
	pgtest.SetBinGlobs(t, nil)
	for _, name := range []string{"CRUCIBLE_TEST_DATABASE_URL", "DATABASE_URL", "CRUCIBLE_PGTEST_FORCE", "PATH"} {
		t.Setenv(name, "")
	}
	return info.AdminURL
}

// TestHelperSources: a Helper tries its sources in order after the
// environment, skips an unavailable one, stops at a failing one, and
// stops the server it started on Shutdown.
func TestHelperSources(t *testing.T) {
	adminURL := onlySources(t)
	boom := errors.New("boom")
	tests := []struct {
		name        string
		sources     []*fakeSource
		force       string
		used        string // the source whose server is used; "" for none
		started     []int32
		errContains []string
	}{
		{name: "first available", sources: []*fakeSource{{name: "a", adminURL: adminURL}, {name: "b", adminURL: adminURL}},
			used: "a", started: []int32{1, 0}},
		{name: "unavailable skipped", sources: []*fakeSource{{name: "a"}, {name: "b", adminURL: adminURL}},
			used: "b", started: []int32{1, 1}},
		{name: "failure ends the search", sources: []*fakeSource{{name: "a", err: boom}, {name: "b", adminURL: adminURL}},
			started: []int32{1, 0}, errContains: []string{"a server: boom"}},
		{name: "none available", sources: []*fakeSource{{name: "a"}},
			started: []int32{1}, errContains: []string{"a: a is not here", "env: ", "local: ", "DATABASE_URL"}},
		{name: "forced", sources: []*fakeSource{{name: "a", adminURL: adminURL}, {name: "b", adminURL: adminURL}}, force: "b",
			used: "b", started: []int32{0, 1}},
		{name: "forced unknown", sources: []*fakeSource{{name: "a", adminURL: adminURL}}, force: "c",
			started: []int32{0}, errContains: []string{`CRUCIBLE_PGTEST_FORCE="c" is not one of env, a, local`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CRUCIBLE_PGTEST_FORCE", tc.force)
			var sources []pgtest.Source
			for _, s := range tc.sources {
				sources = append(sources, s)
			}
			h := pgtest.NewHelper(sources...)
			ctx := context.Background()
			dbURL, drop, err := h.CreateDatabase(ctx, "helper")
			for i, s := range tc.sources {
				assert.Equal(t, tc.started[i], s.starts.Load(), "starts of %s", s.name)
			}
			if tc.used == "" {
				require.Error(t, err)
				for _, want := range tc.errContains {
					assert.Contains(t, err.Error(), want)
				}
				return
			}
			require.NoError(t, err)
			name := databaseName(t, dbURL)
			assert.True(t, exists(t, name), "created on the source's server")
			require.NoError(t, drop(ctx))
			assert.False(t, exists(t, name), "dropped")
			info, err := pgtest.HelperServer(ctx, h)
			require.NoError(t, err)
			assert.Equal(t, tc.used, info.Source)
			h.Shutdown()
			for _, s := range tc.sources {
				want := int32(0)
				if s.name == tc.used {
					want = 1
				}
				assert.Equal(t, want, s.stops.Load(), "stops of %s", s.name)
			}
		})
	}
}

// TestHelperNew: a Helper's New and NewPool give a test its own database,
// dropped at cleanup, as the package functions do.
func TestHelperNew(t *testing.T) {
	adminURL := onlySources(t)
	src := &fakeSource{name: "fixed", adminURL: adminURL}
	h := pgtest.NewHelper(src)
	defer h.Shutdown()
	var name string
	t.Run("use", func(t *testing.T) {
		pool := h.NewPool(t)
		require.NoError(t, pool.QueryRow(context.Background(), "SELECT current_database()").Scan(&name))
		assert.True(t, exists(t, name))
	})
	assert.False(t, exists(t, name), "dropped at cleanup")
	assert.Equal(t, int32(1), src.starts.Load(), "the server is found once")
	assert.Contains(t, src.settings, "fsync=off", "a source is given the settings for a fast server")
}
