// Command glfloor opens the smallest Fyne window Restore Doctor's could be:
// the same size, theme and GL driver, one line of text, no checks and no
// phones. rdbench measures its memory next to the GUI's: what this window
// holds outside Go (the C heap, X shared memory) is the GL driver's floor,
// and only what the GUI holds beyond it is counted as the GUI's own. It
// writes the Go runtime's account to a file when RESTOREDOCTOR_MEMSTATS
// asks (package memstats), like the GUI. It exits on SIGINT or SIGTERM.
//
// It is a developer tool under internal/; nothing imports it.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/restoredoctor/restoredoctor/app"
	"github.com/restoredoctor/restoredoctor/internal/memstats"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	memstats.StartFromEnv(ctx, slog.Warn)
	a := fyneapp.NewWithID(app.AppID + ".glfloor")
	a.Settings().SetTheme(app.Theme())
	w := a.NewWindow("GL floor")
	w.SetContent(widget.NewLabel("The GL driver's floor: one line of text."))
	w.Resize(app.WindowSize(app.ScreenSize(w)))
	go func() {
		<-ctx.Done()
		fyne.Do(w.Close)
	}()
	w.ShowAndRun()
}
