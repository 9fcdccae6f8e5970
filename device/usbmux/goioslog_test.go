package usbmux

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestDebugHandlerDemotesGoIOSLines(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })

	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	l := slog.New(debugHandler{}).With("module", "go-ios")
	l.Error("Failed sending", "error", "broken pipe")
	if buf.Len() != 0 {
		t.Fatalf("at info level a go-ios error must be hidden, got %q", buf.String())
	}

	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l.Error("Failed sending", "error", "broken pipe")
	got := buf.String()
	for _, want := range []string{"level=DEBUG", "Failed sending", "module=go-ios", "error=\"broken pipe\""} {
		if !strings.Contains(got, want) {
			t.Errorf("with -v the line must show as debug: %q lacks %q", got, want)
		}
	}
	if !(debugHandler{}).Enabled(context.Background(), slog.LevelError) {
		t.Error("Enabled must follow the default logger's debug level")
	}
	if (debugHandler{}).Enabled(context.Background(), slog.LevelDebug-4) {
		t.Error("go-ios trace lines must stay hidden even with -v")
	}
}
