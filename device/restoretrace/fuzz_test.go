package restoretrace

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// FuzzRead: any bytes give a trace or an error, never a panic, and a trace
// read back is internally consistent (times in order, facts present).
func FuzzRead(f *testing.F) {
	raw, err := os.ReadFile("testdata/recovery-then-restore.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte(header + "\n{\"t_ms\":1,\"kind\":\"usb.attach\",\"usb\":{}}\n"))
	f.Add([]byte(header + "\n{\"t_ms\":1e30,\"kind\":\"record.gap\"}\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		var last int64
		for i, e := range tr.Events {
			if e.TimeMS < last || !Known(e.Kind) {
				t.Fatalf("event %d: %+v after t=%d", i, e, last)
			}
			last = e.TimeMS
			if _, err := json.Marshal(e); err != nil {
				t.Fatalf("event %d does not encode again: %v", i, err)
			}
			_ = Redact(e)
		}
	})
}
