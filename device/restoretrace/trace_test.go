package restoretrace

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/internal/idhash"

	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

const header = `{"schema":"restoredoctor.trace/v1","started_at":"2026-12-06T09:00:00Z","tool_version":"t","os":"linux","poll_ms":500,"redacted":true,"source":"test"}`

func TestReadFixture(t *testing.T) {
	tr, err := ReadFile("testdata/recovery-then-restore.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Truncated || tr.Header.PollMS != 500 || len(tr.Events) != 11 {
		t.Fatalf("got truncated=%v poll=%d events=%d", tr.Truncated, tr.Header.PollMS, len(tr.Events))
	}
	ch := tr.Events[6]
	if ch.Kind != USBChange || ch.USB.Address != 7 || ch.USB.IBoot["CPID"] != "8110" {
		t.Errorf("event 7 = %+v", ch)
	}
}

func TestRead(t *testing.T) {
	start := `{"t_ms":0,"kind":"record.start"}`
	attach := `{"t_ms":5,"kind":"usb.attach","key":"usb:1-2","usb":{"vendor_id":1452,"product_id":4737,"mode":"recovery","bus":1,"address":3,"speed_mbps":480}}`
	tests := []struct {
		name      string
		in        string
		events    int
		truncated int    // TruncatedLine; 0 = not truncated
		errLine   int    // LineError.Line; 0 = no line error
		errText   string // part of the error, "" = no error
	}{
		{"header only", header + "\n", 0, 0, 0, ""},
		{"two events", header + "\n" + start + "\n" + attach + "\n", 2, 0, 0, ""},
		{"last line without newline but whole", header + "\n" + start + "\n" + attach, 2, 0, 0, ""},
		{"cut last line is tolerated", header + "\n" + start + "\n" + attach[:40], 1, 3, 0, ""},
		{"cut line with newline is garbage", header + "\n" + attach[:40] + "\n" + start + "\n", 0, 0, 2, "unexpected end"},
		{"empty file", "", 0, 0, 0, "empty trace file"},
		{"not a trace", "hello\n", 0, 0, 1, "not a trace file"},
		{"other schema", strings.Replace(header, "trace/v1", "trace/v9", 1) + "\n", 0, 0, 1, "schema"},
		{"bad start time", strings.Replace(header, "2026-12-06T09:00:00Z", "yesterday", 1) + "\n", 0, 0, 1, "started_at"},
		{"cut header is an error", header[:30], 0, 0, 1, "header"},
		{"unknown kind", header + "\n" + `{"t_ms":1,"kind":"usb.teleport"}` + "\n", 0, 0, 2, "unknown kind"},
		{"usb kind without facts", header + "\n" + `{"t_ms":1,"kind":"usb.detach"}` + "\n", 0, 0, 2, "without usb facts"},
		{"mux kind without facts", header + "\n" + `{"t_ms":1,"kind":"usbmux.attach"}` + "\n", 0, 0, 2, "without usbmux facts"},
		{"negative time", header + "\n" + `{"t_ms":-1,"kind":"record.start"}` + "\n", 0, 0, 2, "negative"},
		{"time goes back", header + "\n" + attach + "\n" + start + "\n", 0, 0, 3, "earlier"},
		{"blank line", header + "\n\n" + start + "\n", 0, 0, 2, "empty line"},
		{"garbage line", header + "\n" + start + "\n\x00\xff{{\n", 0, 0, 3, "invalid character"},
		{"line too long", header + "\n" + `{"t_ms":1,"kind":"record.gap","reason":"` + strings.Repeat("x", MaxLine) + `"}` + "\n", 0, 0, 2, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Read(strings.NewReader(tt.in))
			if tt.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("err = %v, want one containing %q", err, tt.errText)
				}
				var le *LineError
				if tt.errLine > 0 && (!errors.As(err, &le) || le.Line != tt.errLine) {
					t.Fatalf("err = %v, want a LineError on line %d", err, tt.errLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Events) != tt.events || tr.TruncatedLine != tt.truncated || tr.Truncated != (tt.truncated > 0) {
				t.Fatalf("events=%d truncated=%v line %d, want %d, line %d", len(tr.Events), tr.Truncated, tr.TruncatedLine, tt.events, tt.truncated)
			}
		})
	}
}

func TestReadTooManyEvents(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(header + "\n")
	line := `{"t_ms":1,"kind":"record.gap"}` + "\n"
	const limit = 100
	for range limit + 1 {
		b.WriteString(line)
	}
	_, err := read(&b, limit)
	var le *LineError
	if !errors.As(err, &le) || le.Line != limit+2 || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("err = %v, want the event limit on line %d", err, limit+2)
	}
}

func testEvents() []Event {
	usbRec := &USBFacts{VendorID: 0x05AC, ProductID: 0x1281, Mode: "recovery", Bus: 1, Address: 9, PortPath: []int{2},
		SpeedMbps: 480, IBoot: map[string]string{"CPID": "8110", "ECID": "001A2B3C4D5E6F70", "SRNM": "F2LXXXXXXX",
			"NONC": "abcdef", "SRTG": "[iBoot-10151.120.3]", "ZZZZ": "unknown"}}
	return []Event{
		{TimeMS: 0, Kind: RecordStart},
		{TimeMS: 500, Kind: USBAttach, Key: "ecid:001A2B3C4D5E6F70", USB: usbRec},
		{TimeMS: 900, Kind: MuxAttach, Key: "udid:ABCDEF0123456789ABCDEF0123456789ABCDEF01", Mux: &MuxFacts{DeviceID: 4, ConnectionType: "USB"}},
		{TimeMS: 950, Kind: USBDetach, Key: "usb:1-2", USB: &USBFacts{VendorID: 0x05AC, ProductID: 0x12A8, Mode: "normal"}},
		{TimeMS: 1000, Kind: RecordStop, Reason: "interrupted"},
	}
}

func TestWriterRoundTrip(t *testing.T) {
	for _, redacted := range []bool{false, true} {
		path := filepath.Join(testtmp.Dir(t), "trace.jsonl")
		w, err := Create(path, Header{StartedAt: "2026-12-06T09:00:00Z", OS: "linux", PollMS: 500, Redacted: redacted, Source: "test"})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range testEvents() {
			if err := w.Write(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(Event{Kind: Gap}); !errors.Is(err, ErrClosed) {
			t.Errorf("write after close: %v", err)
		}
		// Windows has no Unix modes (Go reports 0666 for any writable file).
		if st, err := os.Stat(path); runtime.GOOS != "windows" && (err != nil || st.Mode().Perm() != FileMode) {
			t.Errorf("mode = %v, %v; want %v", st.Mode().Perm(), err, FileMode)
		}
		tr, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := testEvents()
		if redacted {
			for i := range want {
				want[i] = Redact(want[i])
			}
		}
		if !reflect.DeepEqual(tr.Events, want) {
			t.Errorf("redacted=%v: read back\n%+v\nwant\n%+v", redacted, tr.Events, want)
		}
		raw, _ := os.ReadFile(path)
		for _, secret := range []string{"001A2B3C4D5E6F70", "F2LXXXXXXX", "abcdef", "ABCDEF0123456789"} {
			if got := bytes.Contains(raw, []byte(secret)); got == redacted {
				t.Errorf("redacted=%v: %q in the file = %v", redacted, secret, got)
			}
		}
	}
}

func TestRedact(t *testing.T) {
	e := testEvents()[1]
	r := Redact(e)
	if e.USB.IBoot["ECID"] != "001A2B3C4D5E6F70" {
		t.Fatal("Redact changed its argument")
	}
	for k, want := range map[string]string{
		"CPID": "8110", "SRTG": "[iBoot-10151.120.3]", "ECID": idhash.Hash("001A2B3C4D5E6F70"),
		"SRNM": idhash.Hash("F2LXXXXXXX"), "NONC": idhash.Hash("abcdef"), "ZZZZ": idhash.Hash("unknown"),
	} {
		if r.USB.IBoot[k] != want {
			t.Errorf("IBoot[%s] = %q, want %q", k, r.USB.IBoot[k], want)
		}
	}
	// The key hashes as a report's devices[].key does, so the two match.
	if r.Key != idhash.Hash("ecid:001A2B3C4D5E6F70") {
		t.Errorf("key %q", r.Key)
	}
	if !reflect.DeepEqual(Redact(r), r) {
		t.Error("redacting twice changes the event")
	}
	for in, want := range map[string]string{"usb:1-2.3": idhash.Hash("usb:1-2.3"), "": "", "id-0123abcd": "id-0123abcd"} {
		if got := RedactKey(in); got != want {
			t.Errorf("RedactKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// A recorder killed mid-write leaves a cut last line: everything before it reads.
func TestCrashLosesAtMostTheLastLine(t *testing.T) {
	path := filepath.Join(testtmp.Dir(t), "trace.jsonl")
	w, err := Create(path, Header{StartedAt: "2026-12-06T09:00:00Z", PollMS: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range testEvents()[:4] {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	// No Close: the file already holds every line (no user-space buffer).
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	for cut := 2; cut < 30; cut++ { // cut 1 leaves a whole line without its newline: read as is
		tr, err := Read(bytes.NewReader(raw[:len(raw)-cut]))
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if len(tr.Events) != 3 || !tr.Truncated || tr.TruncatedLine != 5 {
			t.Fatalf("cut %d: events=%d truncated=%v line %d", cut, len(tr.Events), tr.Truncated, tr.TruncatedLine)
		}
	}
}

func TestCreateRefuses(t *testing.T) {
	dir := testtmp.Dir(t)
	if _, err := Create(dir, Header{}); err == nil {
		t.Error("Create on a directory succeeded")
	}
	link := filepath.Join(dir, "link")
	// Symbolic links and modes are the Unix attacks; Wine's links are not Windows' own.
	if err := os.Symlink(filepath.Join(dir, "target"), link); err == nil && runtime.GOOS != "windows" {
		if _, err := Create(link, Header{}); err == nil {
			t.Error("Create through a symlink succeeded")
		}
	}
	old := filepath.Join(dir, "old.jsonl")
	if err := os.WriteFile(old, []byte("old contents that are longer than the header line will be, surely"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Create(old, Header{StartedAt: "2026-12-06T09:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	if st, _ := os.Stat(old); runtime.GOOS != "windows" && st.Mode().Perm() != FileMode {
		t.Errorf("an existing file keeps mode %v", st.Mode().Perm())
	}
	if _, err := ReadFile(old); err != nil {
		t.Errorf("the rewritten file: %v", err)
	}
}
