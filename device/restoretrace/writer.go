package restoretrace

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/restoredoctor/restoredoctor/internal/safefile"
)

// FileMode is the mode of a trace file: it may hold identifiers (with
// --include-identifiers) and always holds when the user's phone was where.
const FileMode os.FileMode = 0o600

// Writer appends a trace to a file, one JSON line per event. Each line goes
// to the file in one write as soon as it is given (no user-space buffer), so
// a crash loses at most the line being written; a record.stop event and
// Close also fsync. When the Header says Redacted, every event is redacted
// (Redact) before it is written. A Writer is safe for concurrent use.
type Writer struct {
	path   string
	redact bool

	mu    sync.Mutex
	f     *os.File
	err   error // the first write error: later writes fail with it
	lastT int64
	lines int
}

// ErrClosed is the error of a write after Close.
var ErrClosed = errors.New("restoretrace: writer is closed")

// Create creates (or truncates) the trace file at path with mode 0600 and
// writes the header line. It refuses a path that is a directory, a device, a
// FIFO or a symbolic link. An empty h.Schema is set to Schema.
func Create(path string, h Header) (*Writer, error) {
	if err := safefile.Check(path, safefile.Options{}); err != nil {
		return nil, fmt.Errorf("restoretrace: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, FileMode)
	if err != nil {
		return nil, fmt.Errorf("restoretrace: %w", err)
	}
	// A file that existed keeps its mode through O_TRUNC: narrow it.
	if err := f.Chmod(FileMode); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		_ = f.Close()
		return nil, fmt.Errorf("restoretrace: %w", err)
	}
	if h.Schema == "" {
		h.Schema = Schema
	}
	w := &Writer{path: path, redact: h.Redacted, f: f}
	if err := w.writeLine(h); err != nil {
		_ = f.Close()
		return nil, err
	}
	return w, nil
}

// Path is the file the trace goes to.
func (w *Writer) Path() string { return w.path }

// Write appends e (redacted when the trace is). Events must come in time
// order; an event earlier than the last one is written at the last one's
// time, so a reader never sees time go backwards. A record.stop is fsynced.
func (w *Writer) Write(e Event) error {
	if w.redact {
		e = Redact(e)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if e.TimeMS < w.lastT {
		e.TimeMS = w.lastT
	}
	if err := w.writeLocked(e); err != nil {
		return err
	}
	w.lastT = e.TimeMS
	if e.Kind == RecordStop {
		return w.syncLocked()
	}
	return nil
}

// Lines is the number of lines written so far, the header included.
func (w *Writer) Lines() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lines
}

// Close fsyncs and closes the file. It returns the first error of any
// write, else the sync's or close's; closing again returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	serr := w.f.Sync()
	cerr := w.f.Close()
	w.f = nil
	if w.err != nil {
		return w.err
	}
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("restoretrace: close %s: %w", w.path, err)
	}
	return nil
}

func (w *Writer) writeLine(v any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writeLocked(v)
}

func (w *Writer) writeLocked(v any) error {
	if w.f == nil {
		return ErrClosed
	}
	if w.err != nil {
		return w.err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("restoretrace: encode: %w", err)
	}
	b = append(b, '\n')
	if len(b) > MaxLine {
		return fmt.Errorf("restoretrace: an event of %d bytes is over the %d-byte line limit", len(b), MaxLine)
	}
	if _, err := w.f.Write(b); err != nil {
		w.err = fmt.Errorf("restoretrace: write %s: %w", w.path, err)
		return w.err
	}
	w.lines++
	return nil
}

func (w *Writer) syncLocked() error {
	if w.f == nil {
		return ErrClosed
	}
	if err := w.f.Sync(); err != nil {
		w.err = fmt.Errorf("restoretrace: sync %s: %w", w.path, err)
		return w.err
	}
	return nil
}
