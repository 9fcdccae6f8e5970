package app

import (
	"context"
	"io/fs"
	"log/slog"

	"fyne.io/fyne/v2"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/internal/memstats"
)

// AppID is the application id (also in FyneApp.toml).
const AppID = "io.github.restoredoctor"

// Run opens the main window of a (made with AppID) over b, sized to the
// screen, and returns when the window is closed or ctx ends (SIGINT or
// SIGTERM in the command), which closes it.
func Run(ctx context.Context, a fyne.App, b Backend, opts Options) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if icon, err := fs.ReadFile(assets.FS, "icon/restoredoctor.png"); err == nil {
		a.SetIcon(fyne.NewStaticResource("restoredoctor.png", icon))
	}
	// Debug only (rdbench): the Go runtime's memory account, written to a
	// file when RESTOREDOCTOR_MEMSTATS asks.
	memstats.StartFromEnv(ctx, log.Warn)
	u := New(a, b, opts)
	w := u.Window()
	w.SetMaster()
	w.Resize(WindowSize(ScreenSize(w)))
	w.CenterOnScreen()
	u.Start()
	closed := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-closed:
			return
		}
		log.Info("signal received, closing the window")
		fyne.Do(func() {
			u.Stop()
			w.Close()
		})
	}()
	w.ShowAndRun()
	close(closed)
	u.Stop()
	log.Info("window closed")
}
