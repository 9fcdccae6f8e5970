package sim

import (
	"testing"
)

// The simulator's own cost per round trip, so benchmarks of the app against it
// can tell the simulator's share from the app's.

func benchSim(b *testing.B) *Server {
	b.Helper()
	srv, err := Start(b.Context(), "tcp://127.0.0.1:0", Scenario{Phones: []Phone{PhoneA()}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv
}

func BenchmarkListDevices(b *testing.B) {
	srv := benchSim(b)
	m := dialMux(b, srv)
	frame, _ := EncodeMuxPlist(1, map[string]any{"MessageType": "ListDevices"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.c.Write(frame); err != nil {
			b.Fatal(err)
		}
		if _, _, err := ReadMuxFrame(m.c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLockdownGetValue(b *testing.B) {
	srv := benchSim(b)
	m := lockdownTo(b, srv, srv.Phones()[0].DeviceID)
	frame, _ := EncodeLockdownPlist(map[string]any{"Request": "GetValue", "Key": "ProductVersion", "Label": "bench"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.c.Write(frame); err != nil {
			b.Fatal(err)
		}
		if _, err := ReadLockdownFrame(m.c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnectQueryType is one whole lockdown probe: dial, Connect, QueryType, close.
func BenchmarkConnectQueryType(b *testing.B) {
	srv := benchSim(b)
	id := srv.Phones()[0].DeviceID
	q, _ := EncodeLockdownPlist(map[string]any{"Request": "QueryType", "Label": "bench"})
	b.ReportAllocs()
	for b.Loop() {
		m := dialMux(b, srv)
		if n := m.connect(id, LockdownPort); n != 0 {
			b.Fatal("connect", n)
		}
		if _, err := m.c.Write(q); err != nil {
			b.Fatal(err)
		}
		if _, err := ReadLockdownFrame(m.c); err != nil {
			b.Fatal(err)
		}
		_ = m.c.Close()
	}
}
