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
