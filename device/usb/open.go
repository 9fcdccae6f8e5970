package usb

import (
	"context"
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

// Pending is a libusb scanner being opened in the background
// (OpenInBackground). Its methods wait for the open to finish.
type Pending struct {
	done      chan struct{}
	src, live Source
	closeFn   func()
	err       error
}

// OpenInBackground starts Open(opts) on its own goroutine and returns at
// once, so libusb's initialisation (its udev enumeration and event thread:
// about half a millisecond, a tenth of a one-shot check) overlaps the
// command's other start-up work instead of delaying it.
func OpenInBackground(opts ScannerOptions) *Pending {
	p := &Pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.src, p.live, p.closeFn, p.err = Open(opts)
	}()
	return p
}

// Result waits for the open and returns what Open returned: src for the
// checks, live for a live view (nil when the bus could not be opened) and
// why it could not.
func (p *Pending) Result() (src, live Source, err error) {
	<-p.done
	return p.src, p.live, p.err
}

// Close waits for the open, then releases the scanner as Open's close does.
func (p *Pending) Close() {
	<-p.done
	p.closeFn()
}

// Source is the checks' Source (and Opener) over the pending open: each
// call waits for the open (or ctx) and then asks the scanner, or fails with
// why the bus could not be opened.
func (p *Pending) Source() Source { return pendingSource{p} }

type pendingSource struct{ p *Pending }

func (s pendingSource) wait(ctx context.Context) error {
	select {
	case <-s.p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Snapshot waits for the open, then takes the scanner's snapshot.
func (s pendingSource) Snapshot(ctx context.Context) ([]Device, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.p.src.Snapshot(ctx)
}

// Open waits for the open, then opens dev through the scanner.
func (s pendingSource) Open(ctx context.Context, dev Device) (ControlDevice, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	op, ok := s.p.src.(Opener)
	if !ok {
		if s.p.err != nil {
			return nil, s.p.err
		}
		return nil, &UnavailableError{Op: "open device", Err: ErrUnavailable}
	}
	return op.Open(ctx, dev)
}
