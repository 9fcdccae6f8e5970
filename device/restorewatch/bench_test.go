package restorewatch

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// synthTrace is a restore of total length: normal, recovery (iBoot), the
// boot stage (a re-enumeration in recovery), restore mode with a
// re-enumeration shorter than the poll every reenum, then normal again.
func synthTrace(total, reenum time.Duration) *restoretrace.Trace {
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	key := "ecid:001A2B3C4D5E6F70"
	usbF := func(pid uint16, m string, addr int) *restoretrace.USBFacts {
		f := &restoretrace.USBFacts{VendorID: 0x05AC, ProductID: pid, Mode: m, Bus: 1, Address: addr, PortPath: []int{2}, SpeedMbps: 480}
		if m == "recovery" {
			f.IBoot = map[string]string{"CPID": "8110", "BDID": "0E", "ECID": "001A2B3C4D5E6F70", "IBFL": "3C", "SRTG": "[iBoot-10151.120.3]"}
		}
		return f
	}
	mux := &restoretrace.MuxFacts{DeviceID: 1, ConnectionType: "USB"}
	ev := []restoretrace.Event{
		{TimeMS: 0, Kind: restoretrace.RecordStart},
		{TimeMS: 1000, Kind: restoretrace.USBAttach, Key: key, USB: usbF(0x12A8, "normal", 5)},
		{TimeMS: 1100, Kind: restoretrace.MuxAttach, Key: key, Mux: mux},
		{TimeMS: 60000, Kind: restoretrace.MuxDetach, Key: key, Mux: mux},
		{TimeMS: 60000, Kind: restoretrace.USBDetach, Key: key, USB: usbF(0x12A8, "normal", 5)},
		{TimeMS: 70000, Kind: restoretrace.USBAttach, Key: key, USB: usbF(0x1281, "recovery", 6)},
		{TimeMS: 130000, Kind: restoretrace.USBDetach, Key: key, USB: usbF(0x1281, "recovery", 6)},
		{TimeMS: 135000, Kind: restoretrace.USBAttach, Key: key, USB: usbF(0x1281, "recovery", 7)},
		{TimeMS: 190000, Kind: restoretrace.USBDetach, Key: key, USB: usbF(0x1281, "recovery", 7)},
		{TimeMS: 200000, Kind: restoretrace.USBAttach, Key: key, USB: usbF(0x12A8, "normal", 8)},
		{TimeMS: 200500, Kind: restoretrace.MuxAttach, Key: key, Mux: mux},
	}
	addr := 8
	end := ms(total)
	for t := int64(200000) + ms(reenum); t < end-70000; t += ms(reenum) {
		addr = addr%120 + 8
		ev = append(ev, restoretrace.Event{TimeMS: t, Kind: restoretrace.USBChange, Key: key, USB: usbF(0x12A8, "normal", addr)})
	}
	ev = append(ev,
		restoretrace.Event{TimeMS: end - 60000, Kind: restoretrace.MuxDetach, Key: key, Mux: mux},
		restoretrace.Event{TimeMS: end - 60000, Kind: restoretrace.USBDetach, Key: key, USB: usbF(0x12A8, "normal", addr)},
		restoretrace.Event{TimeMS: end - 30000, Kind: restoretrace.USBAttach, Key: key, USB: usbF(0x12A8, "normal", 3)},
		restoretrace.Event{TimeMS: end - 29500, Kind: restoretrace.MuxAttach, Key: key, Mux: mux},
		restoretrace.Event{TimeMS: end, Kind: restoretrace.RecordStop, Reason: "done"},
	)
	return &restoretrace.Trace{Header: restoretrace.Header{Schema: restoretrace.Schema, PollMS: 500}, Events: ev}
}

// benchReplay records tr replayed at speed with a poll that is 500 ms of
// trace time, and returns the recorded events.
func benchReplay(b *testing.B, tr *restoretrace.Trace, speed float64) []restoretrace.Event {
	b.Helper()
	srv, err := sim.Start(context.Background(), "unix://"+filepath.Join(b.TempDir(), "mux.sock"), sim.Scenario{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	addr, err := usbmux.ParseAddress(srv.Addr())
	if err != nil {
		b.Fatal(err)
	}
	poll := time.Duration(float64(500*time.Millisecond) / speed)
	c := newCollector()
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Options{USB: srv.USBSource(), Mux: usbmux.NewClient(addr, usbmux.Options{}), Poll: poll}, c.emit)
	}()
	if err := sim.Replay(ctx, srv, tr, speed); err != nil {
		b.Fatal(err)
	}
	time.Sleep(3 * poll)
	cancel(ErrDone)
	<-done
	return c.all()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSSMB is the process's peak resident set (VmHWM), 0 where /proc has none.
func maxRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkRecord30MinAt60x: CPU and peak RSS of recording a 30-minute
// restore (a sub-poll re-enumeration every 20 s of restore mode) replayed
// at 60× (30 s), recorder and simulator in this one process. cpu-% is of
// one core over the replay's wall time.
func BenchmarkRecord30MinAt60x(b *testing.B) {
	tr := synthTrace(30*time.Minute, 20*time.Second)
	for b.Loop() {
		wall, cpu := time.Now(), cpuTime()
		got := benchReplay(b, tr, 60)
		b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Since(wall))*100, "cpu-%")
		b.ReportMetric(float64(len(got)), "events")
	}
	b.ReportMetric(maxRSSMB(), "maxrss-MB")
}

// reenumTrace is a normal-mode phone that re-enumerates (a new address, no
// detach seen) every second, n times.
func reenumTrace(n int) *restoretrace.Trace {
	key := "ecid:001A2B3C4D5E6F70"
	f := func(addr int) *restoretrace.USBFacts {
		return &restoretrace.USBFacts{VendorID: 0x05AC, ProductID: 0x12A8, Mode: "normal", Bus: 1, Address: addr, PortPath: []int{2}, SpeedMbps: 480}
	}
	ev := []restoretrace.Event{{Kind: restoretrace.RecordStart}, {TimeMS: 500, Kind: restoretrace.USBAttach, Key: key, USB: f(5)}}
	for i := 1; i <= n; i++ {
		ev = append(ev, restoretrace.Event{TimeMS: int64(500 + 1000*i), Kind: restoretrace.USBChange, Key: key, USB: f(5 + i%100)})
	}
	ev = append(ev, restoretrace.Event{TimeMS: int64(1500 + 1000*n), Kind: restoretrace.RecordStop, Reason: "done"})
	return &restoretrace.Trace{Header: restoretrace.Header{Schema: restoretrace.Schema, PollMS: 500}, Events: ev}
}

// BenchmarkReenumerationsAt500msPoll: 100 re-enumerations shorter than the
// poll (address changes), one per second, recorded with a poll of 500 ms of
// trace time, replayed at 10× (10 s): how many the recording missed.
func BenchmarkReenumerationsAt500msPoll(b *testing.B) {
	const n = 100
	tr := reenumTrace(n)
	for b.Loop() {
		got := 0
		for _, e := range benchReplay(b, tr, 10) {
			if e.Kind == restoretrace.USBChange {
				got++
			}
		}
		b.ReportMetric(float64(n-got), "missed")
		b.ReportMetric(n, "reenumerations")
	}
}
