package orm_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crucible-orm/crucible/dialect/postgres/pgtest"
	"github.com/crucible-orm/crucible/orm"
)

// bounceLedger and bounceEntry are the workload's models.
type bounceLedger struct {
	ID        int64  `orm:"pk"`
	Name      string `orm:"unique"`
	Email     *string
	Rank      int64     `orm:"default:7"`
	Tags      []string  `orm:"type:text[]"`
	CreatedAt time.Time `orm:"server_default:now()"`
}

type bounceEntry struct {
	ID        int64  `orm:"pk"`
	LedgerID  int64  `orm:"fk:bounce_ledgers.id"`
	Title     string `orm:"check:title <> ''"`
	Pages     int32
	Version   int64     `orm:"version"`
	UpdatedAt time.Time `orm:"server_default:now(),onupdate:now()"`
}

// TestWorkloadBehindPgBouncer runs eight workers of session writes and
// reads at once through PgBouncer's transaction pooling, in each pgx exec
// mode that works there: no operation fails, and plain SQL finds exactly
// the rows the workers left. exec and simple_protocol send each statement
// in one round trip with no named prepared statement; cache_describe
// describes a statement once per connection (a round trip that needs no
// server state) and then does the same. cache_statement (named prepared
// statements) and describe_exec (a describe and an execute of the unnamed
// statement in two round trips, which the pooler may send to two server
// connections) do not work there.
func TestWorkloadBehindPgBouncer(t *testing.T) {
	for _, mode := range []string{"exec", "simple_protocol", "cache_describe"} {
		t.Run(mode, func(t *testing.T) {
			url := pgtest.NewBouncer(t, pgtest.TransactionPooling) + "&default_query_exec_mode=" + mode
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			db, err := orm.Open(ctx, url, orm.MustRegistry(&bounceLedger{}, &bounceEntry{}), orm.WithMaxConns(8))
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.CreateAll(ctx))
			const workers, rounds = 8, 12
			var wg sync.WaitGroup
			errs := make(chan error, workers*rounds)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range rounds {
						if err := workloadRound(ctx, db, fmt.Sprintf("w%d-%d", w, i)); err != nil {
							errs <- fmt.Errorf("worker %d round %d: %w", w, i, err)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			var authors, books, pages, versions int64
			require.NoError(t, db.Pool().QueryRow(ctx, `SELECT
				(SELECT count(*) FROM bounce_ledgers WHERE rank = 8 AND cardinality(tags) = 2),
				(SELECT count(*) FROM bounce_entries), (SELECT sum(pages) FROM bounce_entries), (SELECT sum(version) FROM bounce_entries)`).
				Scan(&authors, &books, &pages, &versions))
			n := int64(workers * rounds)
			require.Equal(t, []int64{n, n, 100 * n, 2 * n}, []int64{authors, books, pages, versions},
				"bounce_ledgers, entries, pages and versions the workers left")
		})
	}
}

// workloadRound writes a ledger with two entries, reads them back in a new
// session, changes the ledger and one entry, deletes the other entry and
// queries what is left.
func workloadRound(ctx context.Context, db *orm.DB, name string) error {
	s := db.Session()
	defer s.Close()
	email := name + "@example.com"
	a := &bounceLedger{Name: name, Email: &email, Tags: []string{"go"}}
	s.Add(a)
	if err := s.Commit(ctx); err != nil {
		return fmt.Errorf("add ledger: %w", err)
	}
	s.Add(&bounceEntry{LedgerID: a.ID, Title: name + " one", Pages: 10})
	s.Add(&bounceEntry{LedgerID: a.ID, Title: name + " two", Pages: 20})
	if err := s.Commit(ctx); err != nil {
		return fmt.Errorf("add entries: %w", err)
	}

	r := db.Session()
	defer r.Close()
	got, err := orm.Get[bounceLedger](ctx, r, a.ID)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	got.Rank++
	got.Tags = append(got.Tags, "sql")
	entries, err := orm.Query[bounceEntry](r).Where("ledger_id = ?", a.ID).OrderBy("title").All(ctx)
	if err != nil || len(entries) != 2 {
		return fmt.Errorf("entries: %d, %w", len(entries), err)
	}
	entries[0].Pages = 100
	r.Delete(entries[1])
	if err := r.Commit(ctx); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	left, err := orm.Query[bounceEntry](r).Where("ledger_id = ? AND pages = ?", a.ID, int32(100)).Count(ctx)
	if err != nil || left != 1 {
		return fmt.Errorf("count: %d, %w", left, err)
	}
	return nil
}
