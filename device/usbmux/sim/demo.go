package sim

import (
	"context"
	"fmt"
	"log/slog"
	"os"
)

// StartDemo starts the simulator playing sc where only this computer reaches
// it (LocalAddress in a fresh temporary folder), for demo mode; stop closes
// it and removes the folder.
func StartDemo(ctx context.Context, sc Scenario, log *slog.Logger) (srv *Server, stop func(), err error) {
	dir, err := os.MkdirTemp("", "restoredoctor-demo-")
	if err != nil {
		return nil, nil, fmt.Errorf("demo: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv, err = Start(ctx, LocalAddress(dir), sc, log.With("component", "sim"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("start the demo simulator: %w", err)
	}
	return srv, func() { srv.Close(); os.RemoveAll(dir) }, nil
}
