package usbmux

import (
	"context"
	"log/slog"
	"sync"

	"github.com/danielpaulus/go-ios/ios"
)

var quietGoIOSOnce sync.Once

// quietGoIOS demotes go-ios's own log lines to debug. go-ios logs at error
// level what this package already returns as typed errors (a broken pipe when
// a phone drops, a refused connection), which would otherwise reach the
// user's terminal as alarming noise. With -v (debug) they still show.
func quietGoIOS() {
	quietGoIOSOnce.Do(func() { ios.SetLogger(slog.New(debugHandler{})) })
}

// debugHandler re-levels every record to debug and hands it to whatever
// slog.Default() is at the time, so a logger the program sets up later
// (the CLI's -v) is honoured.
type debugHandler struct {
	attrs []slog.Attr
}

// Enabled drops go-ios's trace level (every frame sent and received) even
// under -v; everything from debug up shows as debug.
func (debugHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelDebug && slog.Default().Enabled(ctx, slog.LevelDebug)
}

func (h debugHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelDebug {
		return nil
	}
	out := slog.NewRecord(r.Time, slog.LevelDebug, r.Message, r.PC)
	out.AddAttrs(h.attrs...)
	r.Attrs(func(a slog.Attr) bool { out.AddAttrs(a); return true })
	return slog.Default().Handler().Handle(ctx, out)
}

func (h debugHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return debugHandler{attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h debugHandler) WithGroup(string) slog.Handler { return h }
