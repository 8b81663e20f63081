package orm

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"time"
)

// logger writes one record per statement (WithLogger). A nil *logger logs
// nothing and costs a nil check.
type logger struct {
	l        *slog.Logger
	hideArgs bool
}

// start returns the start time of a statement, or the zero time when not
// logging.
func (g *logger) start() time.Time {
	if g == nil {
		return time.Time{}
	}
	return time.Now()
}

// statement logs sql with its duration since start; rows < 0 means unknown.
func (g *logger) statement(ctx context.Context, start time.Time, sql string, args []any, rows int64, err error) {
	if g == nil {
		return
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelError
	}
	if !g.l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.String("sql", sql), slog.Duration("duration", time.Since(start)))
	if g.hideArgs {
		attrs = append(attrs, slog.Int("args", len(args)))
	} else if len(args) > 0 {
		attrs = append(attrs, slog.Any("args", logArgs(args)))
	}
	if rows >= 0 {
		attrs = append(attrs, slog.Int64("rows", rows))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	g.l.LogAttrs(ctx, level, "statement", attrs...)
}

// read logs a statement run outside a transaction; errStop (the caller
// stopped reading) is no failure.
func (g *logger) read(ctx context.Context, start time.Time, sql string, args []any, rows int64, err error) {
	if errors.Is(err, errStop) {
		err = nil
	}
	g.statement(ctx, start, sql, args, rows, err)
}

// fallback logs, at Warn level, a read that a replica failed and that
// runs on the primary instead.
func (g *logger) fallback(ctx context.Context, start time.Time, sql string, err error) {
	if g == nil || !g.l.Enabled(ctx, slog.LevelWarn) {
		return
	}
	g.l.LogAttrs(ctx, slog.LevelWarn, "replica failed, reading from the primary",
		slog.String("sql", sql), slog.Duration("duration", time.Since(start)), slog.String("error", err.Error()))
}

// logArgs dereferences the typed field pointers the session binds, so the
// log shows values rather than addresses.
func logArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = deref(a)
	}
	return out
}

// deref returns what a bound argument points to (nil for a nil pointer),
// or the argument itself.
func deref(a any) any {
	if l, ok := a.(loggedArg); ok {
		return l.logValue()
	}
	v := reflect.ValueOf(a)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil
	}
	return v.Interface()
}
