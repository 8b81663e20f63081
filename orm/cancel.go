package orm

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// cancelWatcher handles an ended context by sending PostgreSQL a cancel
// request, as pgx's CancelRequestContextWatcherHandler does, with one
// difference: the cancel request's connection is left for the server (or
// the pooler) to close, instead of being closed as soon as the statement
// returns. Closing it first races PgBouncer 1.18's forwarding of the
// request, which crashed it ("bad client state"). The statement's own
// connection is closed when the statement has not ended grace after the
// context, as with pgx's handler.
type cancelWatcher struct {
	conn  *pgconn.PgConn
	grace time.Duration
	sent  chan struct{} // closed once the cancel request is done
}

var _ ctxwatch.Handler = (*cancelWatcher)(nil)

// HandleCancel sets the connection's deadline and sends the cancel
// request in the background.
func (h *cancelWatcher) HandleCancel(context.Context) {
	deadline := time.Now().Add(h.grace)
	h.conn.Conn().SetDeadline(deadline)
	h.sent = make(chan struct{})
	go func() {
		defer close(h.sent)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		if h.conn.CancelRequest(ctx) == nil {
			// The server signals the backend after acknowledging: give the
			// signal time to land before the connection runs anything else
			// (pgx's handler waits the same).
			time.Sleep(100 * time.Millisecond)
		}
	}()
}

// HandleUnwatchAfterCancel waits for the cancel request to be done and
// clears the deadline.
func (h *cancelWatcher) HandleUnwatchAfterCancel() {
	<-h.sent
	h.conn.Conn().SetDeadline(time.Time{})
}

// closeOnCancel closes the connection as soon as the context ends.
func closeOnCancel(pc *pgconn.PgConn) ctxwatch.Handler {
	return &pgconn.DeadlineContextWatcherHandler{Conn: pc.Conn()}
}
