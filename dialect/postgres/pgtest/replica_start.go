//go:build unix

package pgtest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// replicationSettings are added to the throwaway cluster's settings for
// both servers of a pair (a standby needs the primary's limits or more).
// Commits flush their WAL before returning, so that what a test committed
// is what CatchUp waits for; without fsync that costs nothing.
var replicationSettings = []string{
	"wal_level=replica",
	"max_wal_senders=4",
	"hot_standby=on",
	"synchronous_commit=on",
}

// startPair starts a primary from initdb, then a replica from its base
// backup (pg_basebackup -R: a standby streaming from the primary), and
// waits until the replica streams.
func startPair(ctx context.Context) (*pair, error) {
	bin, err := findBinaries("pg_basebackup")
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	conf := append(slices.Clone(settings), replicationSettings...)
	primary, err := retryStart(ctx, func() (*cluster, error) {
		return startCluster(ctx, bin, cred, conf, func(dir string) error { return initdb(ctx, bin, dir, cred) })
	})
	if err != nil {
		return nil, fmt.Errorf("primary: %w", err)
	}
	replica, err := retryStart(ctx, func() (*cluster, error) {
		return startCluster(ctx, bin, cred, conf, func(dir string) error { return baseBackup(ctx, bin, dir, cred, primary.port) })
	})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("replica: %w", err), primary.stop())
	}
	p := &pair{primaryURL: primary.url(), replicaURL: replica.url(), dirs: []string{primary.dir, replica.dir},
		stop:        func() error { return errors.Join(replica.stop(), primary.stop()) },
		stopStandby: replica.stop}
	if err := p.connect(ctx); err != nil {
		return nil, errors.Join(err, p.stop())
	}
	return p, nil
}

// baseBackup copies the primary on port into dir/data, set up as its
// standby (standby.signal, primary_conninfo).
func baseBackup(ctx context.Context, bin, dir string, cred *syscall.Credential, port int) error {
	return runTool(ctx, bin, dir, cred, "pg_basebackup", "-D", filepath.Join(dir, "data"),
		"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres",
		"--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast", "--no-sync")
}

// connect opens the admin pools and waits until the replica streams.
func (p *pair) connect(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var err error
	if p.primary, err = openAdmin(ctx, p.primaryURL); err != nil {
		return fmt.Errorf("connect to the primary: %w", err)
	}
	if p.replica, err = openAdmin(ctx, p.replicaURL); err != nil {
		p.primary.Close()
		return fmt.Errorf("connect to the replica: %w", err)
	}
	err = poll(ctx, p.replica, "SELECT EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')")
	if err != nil {
		p.primary.Close()
		p.replica.Close()
		return fmt.Errorf("replica streaming: %w", err)
	}
	return nil
}
