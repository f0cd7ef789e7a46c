package live

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresBus links the instances that share one PostgreSQL database: each
// LISTENs on a dedicated connection for the "<event id>:<version>" that every
// commit NOTIFYs, and reads what it lacks from the change log. After a lost
// connection it reconnects and catches up from the change log, so no change is
// missed while it was away.
type PostgresBus struct {
	DSN     string
	Channel string
	Hub     *Hub
	Log     *slog.Logger
	// Listening, when set, receives the listener's backend pid each time it (re)connects.
	Listening func(pid uint32)
}

// Run listens until ctx ends.
func (b *PostgresBus) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := b.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		b.Log.Warn("live: lost the PostgreSQL listener; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (b *PostgresBus) listen(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, b.DSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.Channel}.Sanitize()); err != nil {
		return err
	}
	// Anything committed while no one listened is in the change log.
	b.Hub.CatchUp()
	if b.Listening != nil {
		b.Listening(conn.PgConn().PID())
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		event, version, ok := strings.Cut(n.Payload, ":")
		v, err := strconv.ParseInt(version, 10, 64)
		if !ok || err != nil {
			b.Log.Warn("live: unreadable notification", "payload", n.Payload)
			continue
		}
		b.Hub.Announce(event, v)
	}
}
