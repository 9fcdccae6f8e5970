package usb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// slowCloser blocks its Close until release is closed.
type slowCloser struct{ release, closed chan struct{} }

func (c slowCloser) Close() error {
	<-c.release
	close(c.closed)
	return nil
}

func TestCloseBriefly(t *testing.T) {
	c := slowCloser{release: make(chan struct{}), closed: make(chan struct{})}
	CloseBriefly(c, 0) // must return although Close blocks
	select {
	case <-c.closed:
		t.Fatal("closed before release")
	default:
	}
	close(c.release)
	select {
	case <-c.closed: // the close ran on in the background
	case <-time.After(10 * time.Second):
		t.Fatal("Close never finished")
	}
}

func TestOpen(t *testing.T) {
	src, live, closeFn, err := Open(ScannerOptions{})
	defer closeFn()
	if src == nil {
		t.Fatal("Open: nil source")
	}
	if err != nil {
		// No libusb here: the source says why, and there is no live side.
		if live != nil {
			t.Errorf("live = %v with err %v", live, err)
		}
		if _, serr := src.Snapshot(context.Background()); !errors.Is(serr, err) {
			t.Errorf("Snapshot err %v, want %v", serr, err)
		}
		return
	}
	if live != src {
		t.Errorf("live %v, want the scanner %v", live, src)
	}
}

// OpenInBackground gives what Open gives, and its Source answers like Open's.
func TestOpenInBackground(t *testing.T) {
	p := OpenInBackground(ScannerOptions{})
	defer p.Close()
	_, live, err := p.Result()
	devs, serr := p.Source().Snapshot(context.Background())
	if err != nil {
		if live != nil || !errors.Is(serr, err) {
			t.Errorf("live %v, Snapshot err %v; want nil and %v", live, serr, err)
		}
		return
	}
	want, werr := live.Snapshot(context.Background())
	if serr != nil || werr != nil || len(devs) != len(want) {
		t.Errorf("Source's snapshot %d devices (%v), the scanner's %d (%v)", len(devs), serr, len(want), werr)
	}
}

// pendingRecorder is a Source and Opener that records the devices opened.
type pendingRecorder struct {
	FuncSource
	opened []Device
}

func (r *pendingRecorder) Open(_ context.Context, dev Device) (ControlDevice, error) {
	r.opened = append(r.opened, dev)
	return nil, nil
}

// The pending Source waits for the open (or its context), then answers
// from the scanner, or with why the bus could not be opened.
func TestPendingSource(t *testing.T) {
	p := &Pending{done: make(chan struct{})}
	src := p.Source()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := src.Snapshot(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Snapshot before the open finished: %v, want the context's deadline", err)
	}
	if _, err := src.(Opener).Open(ctx, Device{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Open before the open finished: %v, want the context's deadline", err)
	}

	rec := &pendingRecorder{FuncSource: func(context.Context) ([]Device, error) { return []Device{{Bus: 3}}, nil }}
	p.src, p.live, p.closeFn = rec, rec, func() {}
	close(p.done)
	devs, err := src.Snapshot(context.Background())
	if err != nil || len(devs) != 1 || devs[0].Bus != 3 {
		t.Errorf("Snapshot = %v, %v; want the scanner's one device", devs, err)
	}
	if _, err := src.(Opener).Open(context.Background(), Device{Bus: 3}); err != nil || len(rec.opened) != 1 {
		t.Errorf("Open: %v, opened %v", err, rec.opened)
	}

	failed := &Pending{done: make(chan struct{}), err: &UnavailableError{Op: "init", Err: ErrUnavailable}}
	failed.src = Unavailable(failed.err)
	close(failed.done)
	if _, err := failed.Source().Snapshot(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Snapshot of a bus that could not be opened: %v, want ErrUnavailable", err)
	}
	if _, err := failed.Source().(Opener).Open(context.Background(), Device{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Open on a bus that could not be opened: %v, want ErrUnavailable", err)
	}
}
