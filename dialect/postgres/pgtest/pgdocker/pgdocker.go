package pgdocker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// The container Start runs.
const (
	defaultRepository = "postgres"
	defaultTag        = "17-alpine"
	expiryLabel       = "org.crucible-orm.pgtest.expires" // unix time after which a container counts as leaked
	lifetime          = time.Hour
	pingTimeout       = 1500 * time.Millisecond // an engine answers well within this
	maxWait           = 2 * time.Minute         // from docker run to the first connection
)

// Source runs PostgreSQL in a Docker container for pgtest. The zero value
// runs postgres:17-alpine. A Source holds no state: each Start runs a
// container of its own.
type Source struct {
	// Repository is the image to run; "" means "postgres", the official
	// image, whose environment (POSTGRES_HOST_AUTH_METHOD) and port (5432)
	// an image given here must share.
	Repository string
	// Tag is the image tag; "" means "17-alpine".
	Tag string
}

// Name returns "docker", the source's name in pgtest's messages and for
// CRUCIBLE_PGTEST_FORCE.
func (Source) Name() string { return "docker" }

// Start runs a PostgreSQL container when a Docker engine answers and
// returns the URL of its "postgres" database as the superuser, and a
// function that removes the container. settings are postgresql.conf
// settings (name=value) passed to the server with -c; listen_addresses is
// left to the image, which must listen on its container network. Without
// an engine, or when the image cannot run, the error has an Unavailable()
// method reporting true, so pgtest moves on to its next source.
func (s Source) Start(ctx context.Context, settings []string) (adminURL string, stop func() error, err error) {
	pool, err := enginePool(ctx)
	if err != nil {
		return "", nil, err
	}
	reapExpired(pool)
	opts := s.runOptions(settings)
	res, err := pool.RunWithOptions(opts, func(hc *docker.HostConfig) {
		hc.AutoRemove = true
		hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return "", nil, unavailable("docker run %s:%s: %v", opts.Repository, opts.Tag, err)
	}
	adminURL, stop = containerURL(res), func() error { return pool.Purge(res) }
	if err := waitReady(ctx, pool, adminURL); err != nil {
		return "", nil, errors.Join(err, stop())
	}
	return adminURL, stop, nil
}

// unavailableError says why there is no container to be had here.
type unavailableError struct{ reason string }

func (e *unavailableError) Error() string { return e.reason }

// Unavailable reports true: pgtest tries its next source.
func (e *unavailableError) Unavailable() bool { return true }

func unavailable(format string, args ...any) error {
	return &unavailableError{reason: fmt.Sprintf(format, args...)}
}

// enginePool returns a client of an engine that answered a ping. Without
// DOCKER_HOST (or DOCKER_URL) and without the default socket it gives up
// at once; a silent engine gets pingTimeout to answer.
func enginePool(ctx context.Context) (*dockertest.Pool, error) {
	if os.Getenv("DOCKER_HOST") == "" && os.Getenv("DOCKER_URL") == "" && os.Getenv("DOCKER_MACHINE_NAME") == "" {
		if _, err := os.Stat("/var/run/docker.sock"); err != nil {
			return nil, unavailable("no Docker engine (DOCKER_HOST is not set and there is no /var/run/docker.sock)")
		}
	}
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, unavailable("docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := pool.Client.PingWithContext(ctx); err != nil {
		return nil, unavailable("the Docker engine does not answer: %v", err)
	}
	pool.MaxWait = maxWait
	return pool, nil
}

// runOptions is the container: the image, trust authentication, the
// settings as -c arguments, and the expiry label.
func (s Source) runOptions(settings []string) *dockertest.RunOptions {
	repo, tag := s.Repository, s.Tag
	if repo == "" {
		repo = defaultRepository
	}
	if tag == "" {
		tag = defaultTag
	}
	cmd := []string{"postgres"}
	for _, setting := range settings {
		if !strings.HasPrefix(setting, "listen_addresses=") {
			cmd = append(cmd, "-c", setting)
		}
	}
	expires := time.Now().Add(lifetime).Unix()
	return &dockertest.RunOptions{
		Repository: repo,
		Tag:        tag,
		Env:        []string{"POSTGRES_PASSWORD=postgres", "POSTGRES_HOST_AUTH_METHOD=trust"},
		Cmd:        cmd,
		Labels:     map[string]string{expiryLabel: strconv.FormatInt(expires, 10)},
	}
}

// containerURL is the admin URL of the container's published port, on the
// engine's host when DOCKER_HOST names a remote one.
func containerURL(res *dockertest.Resource) string {
	host := "127.0.0.1"
	if u, err := url.Parse(os.Getenv("DOCKER_HOST")); err == nil && u.Scheme == "tcp" && u.Hostname() != "" {
		host = u.Hostname()
	}
	return fmt.Sprintf("postgres://postgres:postgres@%s:%s/postgres?sslmode=disable", host, res.GetPort("5432/tcp"))
}

// waitReady retries a connection until the server in the container
// (started after the image's init step) accepts it.
func waitReady(ctx context.Context, pool *dockertest.Pool, adminURL string) error {
	err := pool.Retry(func() error {
		conn, err := pgconn.Connect(ctx, adminURL+"&connect_timeout=5")
		if err != nil {
			return err
		}
		return conn.Close(ctx)
	})
	if err != nil {
		return fmt.Errorf("postgres in docker did not accept connections: %w", err)
	}
	return nil
}

// reapExpired removes containers of earlier runs past their expiry.
func reapExpired(pool *dockertest.Pool) {
	list, err := pool.Client.ListContainers(docker.ListContainersOptions{
		All:     true,
		Filters: map[string][]string{"label": {expiryLabel}},
	})
	if err != nil {
		return // best effort
	}
	now := time.Now().Unix()
	for _, c := range list {
		if exp, err := strconv.ParseInt(c.Labels[expiryLabel], 10, 64); err == nil && exp < now {
			_ = pool.Client.RemoveContainer(docker.RemoveContainerOptions{ID: c.ID, Force: true})
		}
	}
}
