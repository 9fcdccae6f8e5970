package restoretrace

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Limits of a trace file the reader accepts. An hour of recording at a
// 500 ms poll writes a few hundred lines; these bound memory for a file that
// is not what it says.
const (
	// MaxLine is the longest line (header or event), newline included.
	MaxLine = 64 << 10
	// MaxEvents is the most events one trace may hold.
	MaxEvents = 200_000
	// MaxFileSize bounds what ReadFile reads.
	MaxFileSize = 256 << 20
)

// Trace is a trace file as read: its header and events, in file order.
type Trace struct {
	Header Header
	Events []Event
	// Truncated is true when the last line had no newline and did not parse:
	// the recorder was killed mid-write. Everything before it is intact.
	Truncated bool
	// TruncatedLine is the number (1-based) of that cut line, 0 when none.
	TruncatedLine int
}

// ErrEmpty is the error of a trace file with no header line.
var ErrEmpty = errors.New("restoretrace: empty trace file (no header line)")

// LineError is a line of a trace file that is not a valid header or event.
type LineError struct {
	Line int // 1-based
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("restoretrace: line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// Read reads a trace: the header line, then one event per line. A line that
// is too long, not JSON, of an unknown kind, without the facts its kind
// needs, or earlier than the line before it is a *LineError; so is a header
// of another schema. A last line without a newline that does not parse is
// not an error: the Trace says it was Truncated.
func Read(r io.Reader) (*Trace, error) { return read(r, MaxEvents) }

func read(r io.Reader, maxEvents int) (*Trace, error) {
	br := bufio.NewReaderSize(r, MaxLine)
	t := &Trace{}
	n := 0
	var lastT int64
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, &LineError{Line: n + 1, Err: fmt.Errorf("longer than %d bytes", MaxLine)}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("restoretrace: read line %d: %w", n+1, err)
		}
		atEOF := err != nil
		if atEOF && len(line) == 0 {
			break
		}
		n++
		complete := len(line) > 0 && line[len(line)-1] == '\n'
		body := bytes.TrimSpace(line)
		var perr error
		if n == 1 {
			perr = decodeHeader(body, &t.Header)
		} else if len(body) == 0 {
			perr = errors.New("empty line")
		} else {
			var e Event
			if perr = decodeEvent(body, &e); perr == nil {
				if e.TimeMS < lastT {
					perr = fmt.Errorf("t_ms %d is earlier than the line before (%d)", e.TimeMS, lastT)
				} else if len(t.Events) >= maxEvents {
					return nil, &LineError{Line: n, Err: fmt.Errorf("more than %d events", maxEvents)}
				} else {
					lastT = e.TimeMS
					t.Events = append(t.Events, e)
				}
			}
		}
		if perr != nil {
			if !complete && n > 1 {
				t.Truncated, t.TruncatedLine = true, n
				break
			}
			return nil, &LineError{Line: n, Err: perr}
		}
		if atEOF {
			break
		}
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	return t, nil
}

// ReadFile reads the trace file at path (at most MaxFileSize bytes).
func ReadFile(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("restoretrace: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("restoretrace: %s is not a regular file", path)
	} else if err == nil && st.Size() > MaxFileSize {
		return nil, fmt.Errorf("restoretrace: %s is %d bytes, over the %d-byte limit of a trace", path, st.Size(), MaxFileSize)
	}
	t, err := Read(io.LimitReader(f, MaxFileSize))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func decodeHeader(b []byte, h *Header) error {
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a trace file: the first line is not a JSON header")
	}
	if err := json.Unmarshal(b, h); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if h.Schema != Schema {
		return fmt.Errorf("header: schema %q, want %q", h.Schema, Schema)
	}
	if _, err := time.Parse(time.RFC3339Nano, h.StartedAt); err != nil {
		return fmt.Errorf("header: started_at %q is not an RFC 3339 time", h.StartedAt)
	}
	if h.PollMS < 0 {
		return fmt.Errorf("header: poll_ms %d is negative", h.PollMS)
	}
	return nil
}

func decodeEvent(b []byte, e *Event) error {
	if err := json.Unmarshal(b, e); err != nil {
		return err
	}
	if e.TimeMS < 0 {
		return fmt.Errorf("t_ms %d is negative", e.TimeMS)
	}
	needs, ok := kindNeeds[e.Kind]
	if !ok {
		return fmt.Errorf("unknown kind %q", e.Kind)
	}
	switch {
	case needs == needUSB && e.USB == nil:
		return fmt.Errorf("%s without usb facts", e.Kind)
	case needs == needMux && e.Mux == nil:
		return fmt.Errorf("%s without usbmux facts", e.Kind)
	}
	return nil
}

type need int

const (
	needNothing need = iota
	needUSB
	needMux
)

// kindNeeds lists every kind a reader knows and the facts it must carry.
var kindNeeds = map[Kind]need{
	USBAttach: needUSB, USBDetach: needUSB, USBChange: needUSB,
	MuxAttach: needMux, MuxDetach: needMux, MuxDown: needNothing, MuxUp: needNothing,
	RecordStart: needNothing, RecordStop: needNothing, Gap: needNothing,
}

// Known reports whether k is a kind of this schema.
func Known(k Kind) bool { _, ok := kindNeeds[k]; return ok }
