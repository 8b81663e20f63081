package orm_test

import (
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/orm"
)

// TestFailedCommitRestoresFlushedRows flushes many new rows inside a
// transaction (identity keys, and uuid keys drawn by the server), then
// lets the Commit fail: every row flushed earlier is pending again with
// its key cleared, nothing is written, and a retry inserts each row once.
func TestFailedCommitRestoresFlushedRows(t *testing.T) {
	e := setup(t, orm.MustRegistry(&BenchNew{}, &BenchUUID{}))
	e.exec(`ALTER TABLE bench_inserts ADD CONSTRAINT ck_age CHECK (age >= 0)`)
	s := e.db.Session()
	defer s.Close()
	const n = 300
	news, uuids := make([]*BenchNew, n), make([]*BenchUUID, n)
	for i := range n {
		news[i] = (*BenchNew)(newItem(i))
		uuids[i] = uuidItem(newItem(i))
		s.Add(news[i], uuids[i])
	}
	require.NoError(t, s.Flush(e.ctx))
	for i := range n {
		require.NotZero(t, news[i].ID)
		require.NotZero(t, uuids[i].ID)
	}

	bad := (*BenchNew)(newItem(n))
	bad.Age = -1 // violates ck_age
	s.Add(bad)
	require.ErrorIs(t, s.Commit(e.ctx), orm.ErrCheckViolation)
	for i := range n {
		require.Zero(t, news[i].ID, "row %d: the key of the rolled back insert is cleared", i)
		require.Zero(t, uuids[i].ID, "row %d: the drawn key of the rolled back insert is cleared", i)
		require.Equal(t, orm.Pending, s.Status(news[i]))
		require.Equal(t, orm.Pending, s.Status(uuids[i]))
	}
	require.Zero(t, e.count("bench_inserts"))
	require.Zero(t, e.count("bench_uuids"))

	bad.Age = 1
	require.NoError(t, s.Commit(e.ctx))
	require.Equal(t, int64(n+1), e.count("bench_inserts"))
	require.Equal(t, int64(n), e.count("bench_uuids"))
	seen := map[[16]byte]bool{}
	for i := range n {
		require.Equal(t, orm.Persistent, s.Status(news[i]))
		require.False(t, seen[uuids[i].ID], "row %d: key given twice", i)
		seen[uuids[i].ID] = true
		require.Equal(t, [][]any{{news[i].Name}}, e.rows(`SELECT name FROM bench_inserts WHERE id = $1`, news[i].ID))
		// pgx alone cannot bind a bare [16]byte in exec mode: a pgtype.UUID
		require.Equal(t, [][]any{{uuids[i].Name}}, e.rows(`SELECT name FROM bench_uuids WHERE id = $1`, pgtype.UUID{Bytes: uuids[i].ID, Valid: true}))
	}
}
