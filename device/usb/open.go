package usb

import (
	"io"
	"time"
)

// Open opens the libusb scanner for a command. When it cannot, src reports
// why on every snapshot (for the engine's USB checks), live is nil (a live
// view has no USB side) and err says why; close is then a no-op.
//
// close does not wait for gousb's event loop: Context.Close waits for it
// (it polls with a 100 ms timeout), and a command that is done need not make
// the user wait, since the process ends next and the OS frees the handles
// (20 ms of a 50 ms `check --window 0` were this wait).
func Open(opts ScannerOptions) (src Source, live Source, close func(), err error) {
	sc, err := NewScanner(opts)
	if err != nil {
		return Unavailable(err), nil, func() {}, err
	}
	return sc, sc, func() { CloseBriefly(sc, 0) }, nil
}

// CloseBriefly releases c but waits at most d for it; the close runs on
// in the background after that.
func CloseBriefly(c io.Closer, d time.Duration) {
	done := make(chan struct{})
	go func() {
		_ = c.Close()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
