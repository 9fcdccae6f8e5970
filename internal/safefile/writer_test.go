package safefile

import (
	"errors"
	"os"
	"testing"
)

func TestStickyWriterDevFull(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here")
	}
	defer f.Close()
	calls := 0
	w := &StickyWriter{W: f, OnError: func(error) { calls++ }}
	if _, err := w.Write([]byte("line\n")); err == nil {
		t.Fatal("write to /dev/full succeeded")
	}
	if _, err := w.Write([]byte("again\n")); err == nil || calls != 1 || !errors.Is(w.Err(), err) {
		t.Errorf("second write %v, OnError called %d times, Err %v", err, calls, w.Err())
	}
}
