package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// dockerEnabled turns the Docker source off (tests of the other sources).
var dockerEnabled = true

// The container the Docker source runs.
const (
	dockerRepository = "postgres"
	dockerTag        = "17-alpine"
	dockerLabel      = "org.crucible-orm.pgtest.expires" // unix time after which a container counts as leaked
	dockerLifetime   = time.Hour
	dockerPing       = 1500 * time.Millisecond // an engine answers well within this
)

// startDocker runs a PostgreSQL container when a Docker engine answers.
// Containers are removed when they stop; one left behind by a killed
// process is removed by the next run after its expiry label has passed.
func startDocker(ctx context.Context) (*server, error) {
	pool, err := dockerPool(ctx)
	if err != nil {
		return nil, err
	}
	reapExpired(pool)
	res, err := pool.RunWithOptions(runOptions(), func(hc *docker.HostConfig) {
		hc.AutoRemove = true
		hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return nil, unavailable("docker run %s:%s: %v", dockerRepository, dockerTag, err)
	}
	srv := &server{source: "docker", adminURL: containerURL(res), stop: func() error { return pool.Purge(res) }}
	if err := waitContainer(ctx, pool, srv.adminURL); err != nil {
		return nil, errors.Join(err, srv.stop())
	}
	return srv, nil
}

// dockerPool returns a client of an engine that answered a ping. Without
// DOCKER_HOST (or DOCKER_URL) and without the default socket it gives up
// at once; a silent engine gets dockerPing to answer.
func dockerPool(ctx context.Context) (*dockertest.Pool, error) {
	if !dockerEnabled {
		return nil, unavailable("disabled")
	}
	if os.Getenv("DOCKER_HOST") == "" && os.Getenv("DOCKER_URL") == "" && os.Getenv("DOCKER_MACHINE_NAME") == "" {
		if _, err := os.Stat("/var/run/docker.sock"); err != nil {
			return nil, unavailable("no Docker engine (DOCKER_HOST is not set and there is no /var/run/docker.sock)")
		}
	}
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, unavailable("docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, dockerPing)
	defer cancel()
	if err := pool.Client.PingWithContext(ctx); err != nil {
		return nil, unavailable("the Docker engine does not answer: %v", err)
	}
	pool.MaxWait = 2 * time.Minute
	return pool, nil
}

func runOptions() *dockertest.RunOptions {
	cmd := []string{"postgres"}
	for _, s := range settings {
		if s != "listen_addresses=127.0.0.1" { // inside the container it must listen on its network
			cmd = append(cmd, "-c", s)
		}
	}
	expires := time.Now().Add(dockerLifetime).Unix()
	return &dockertest.RunOptions{
		Repository: dockerRepository,
		Tag:        dockerTag,
		Env:        []string{"POSTGRES_PASSWORD=postgres", "POSTGRES_HOST_AUTH_METHOD=trust"},
		Cmd:        cmd,
		Labels:     map[string]string{dockerLabel: strconv.FormatInt(expires, 10)},
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

// waitContainer retries a connection until the server in the container
// (started after the image's init step) accepts it.
func waitContainer(ctx context.Context, pool *dockertest.Pool, adminURL string) error {
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
		Filters: map[string][]string{"label": {dockerLabel}},
	})
	if err != nil {
		return // best effort
	}
	now := time.Now().Unix()
	for _, c := range list {
		if exp, err := strconv.ParseInt(c.Labels[dockerLabel], 10, 64); err == nil && exp < now {
			_ = pool.Client.RemoveContainer(docker.RemoveContainerOptions{ID: c.ID, Force: true})
		}
	}
}
