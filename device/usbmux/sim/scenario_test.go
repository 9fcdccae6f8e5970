package sim

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

func TestBuiltins(t *testing.T) {
	names := BuiltinNames()
	want := []string{"behind-hub", "bomb-listen", "bomb-lockdown", "dfu", "flapping", "full-speed", "garbage", "garbage-not-plist", "healthy",
		"hung", "icloud-backup", "lockdown-drops", "multi", "none", "recovery", "recovery-stuck", "restore", "slow-lockdown", "untrusted"}
	if !slices.Equal(names, want) {
		t.Fatalf("BuiltinNames = %v, want %v", names, want)
	}
	for _, n := range names {
		sc, err := Builtin(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if sc.Name != n {
			t.Errorf("%s: Name %q", n, sc.Name)
		}
		if err := sc.Validate(); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := Builtin("nope"); !errors.Is(err, ErrUnknownScenario) || !strings.Contains(err.Error(), "healthy") {
		t.Errorf("unknown scenario error: %v", err)
	}
	// Builtins hand out fresh values: changing one does not change the next.
	a, _ := Builtin("healthy")
	a.Phones[0].PortPath[0] = 9
	b, _ := Builtin("healthy")
	if b.Phones[0].PortPath[0] != 2 {
		t.Error("builtin scenarios share state")
	}
}

func TestMulti(t *testing.T) {
	for _, n := range []int{0, 1, 2, 4, 40} {
		sc := Multi(n)
		want := max(n, 1)
		if len(sc.Phones) != want {
			t.Fatalf("Multi(%d): %d phones", n, len(sc.Phones))
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("Multi(%d): %v", n, err)
		}
		udids, locs, paths := map[string]bool{}, map[uint32]bool{}, map[string]bool{}
		for _, p := range sc.Phones {
			p = p.withDefaults()
			udids[normUDID(p.UDID)], locs[p.LocationID] = true, true
			paths[p.USBDevice().Location()] = true
		}
		if len(udids) != want || len(locs) != want || len(paths) != want {
			t.Errorf("Multi(%d): not distinct: %d udids, %d locations, %d ports", n, len(udids), len(locs), len(paths))
		}
	}
}

func TestLoadScenario(t *testing.T) {
	sc, err := LoadScenario(filepath.Join("testdata", "two-phones-slow.json"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "two-phones-slow" || len(sc.Phones) != 2 || sc.LockdownLatency != 250*time.Millisecond ||
		sc.LockdownJitter != 50*time.Millisecond || sc.FlapInterval != 2*time.Second {
		t.Fatalf("loaded %+v", sc)
	}
	// Defaults fill what the file leaves out.
	p0 := sc.Phones[0].withDefaults()
	if p0.DeviceName != "Desk iPhone" || p0.UDID != PhoneA().UDID || p0.ProductID != 0x12A8 || p0.Mode != mode.Normal || p0.Trust != TrustTrusted {
		t.Errorf("phone 0 with defaults: %+v", p0)
	}
	p1 := sc.Phones[1].withDefaults()
	if p1.ConnectionSpeed != 12000000 || p1.LocationID != 0x00010009 || !p1.BehindHub || p1.CPID != 0 {
		t.Errorf("phone 1 with defaults: %+v", p1)
	}
	// And it runs.
	sc.FlapInterval = 0
	srv := startSim(t, sc)
	if n := len(deviceList(t, dialMux(t, srv))); n != 2 {
		t.Errorf("%d devices listed", n)
	}

	for _, tc := range []struct{ file, want string }{
		{"unknown-field.json", "UDIDD"},
		{"bad-duration.json", "LockdownLatency"},
		{"bad-trust.json", "Trust"},
		{"truncated.json", "bad scenario JSON"},
	} {
		_, err := LoadScenario(filepath.Join("testdata", tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.file, err, tc.want)
		}
	}
	if _, err := LoadScenario(filepath.Join("testdata", "does-not-exist.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v, want fs.ErrNotExist", err)
	}
}

func TestValidate(t *testing.T) {
	dup := Scenario{Phones: []Phone{PhoneA(), PhoneA()}}
	tests := []struct {
		name string
		sc   Scenario
		ok   bool
	}{
		{"healthy", Scenario{Phones: []Phone{PhoneA()}}, true},
		{"duplicate UDID", dup, false},
		{"bad garbage", Scenario{Garbage: "x"}, false},
		{"negative latency", Scenario{LockdownLatency: -1}, false},
		{"tiny flap", Scenario{FlapInterval: time.Millisecond}, false},
		{"bad mode", Scenario{Phones: []Phone{{Mode: "sleepy"}}}, false},
		{"bad address", Scenario{Phones: []Phone{{Address: 300}}}, false},
		{"bad port path", Scenario{Phones: []Phone{{PortPath: []int{0}}}}, false},
		{"bad pid", Scenario{Phones: []Phone{{ProductID: 0x10000}}}, false},
	}
	for _, tc := range tests {
		if err := tc.sc.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate = %v", tc.name, err)
		}
	}
}

func TestPhoneDefaults(t *testing.T) {
	p := Phone{UDID: "00008030-0011223344556677", Mode: mode.DFU, Bus: 3, Address: 7}.withDefaults()
	if p.CPID != 0x8030 || p.ECID != 0x0011223344556677 || p.ProductID != 0x1227 || p.LocationID != 0x00030007 {
		t.Errorf("defaults: %+v", p)
	}
	if !strings.Contains(p.RecoverySerial, "CPID:8030") || !strings.Contains(p.RecoverySerial, "ECID:0011223344556677") {
		t.Errorf("recovery serial %q", p.RecoverySerial)
	}
	d := p.USBDevice()
	if d.Mode != mode.DFU || d.Recovery == nil || d.Recovery.CPID != "8030" {
		t.Errorf("USB view %+v", d)
	}
	// Flapping re-enumeration: new address and LocationID, DeviceID reset.
	p.DeviceID = 4
	r := p.reenumerated()
	if r.Address == p.Address || r.LocationID != defaultLocation(3, r.Address) || r.DeviceID != 0 {
		t.Errorf("reenumerated %+v", r)
	}
}

func TestParseScenarioTrailingData(t *testing.T) {
	for _, in := range []string{`{"Name":"a"}}`, `{"Name":"a"} {"Name":"b"}`, `{"Name":"a"}]`, `{"Name":"a"} x`} {
		if _, err := ParseScenario([]byte(in)); err == nil || !strings.Contains(err.Error(), "trailing") {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := ParseScenario([]byte("{\"Name\":\"a\"}\n\n")); err != nil {
		t.Errorf("trailing whitespace rejected: %v", err)
	}
}

func FuzzParseScenario(f *testing.F) {
	for _, name := range []string{"two-phones-slow.json", "unknown-field.json", "bad-duration.json", "bad-trust.json", "truncated.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"Phones":[{"Mode":"dfu","PortPath":[1,2,3],"SpeedMbps":12}],"FlapInterval":"1s"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		sc, err := ParseScenario(in)
		if err != nil {
			return
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("ParseScenario accepted an invalid scenario: %v", err)
		}
		for _, p := range sc.Phones {
			_ = p.withDefaults().USBDevice() // must not panic on any accepted phone
		}
	})
}

func TestLoadScenarioTooLarge(t *testing.T) {
	path := filepath.Join(testtmp.Dir(t), "huge.json")
	if err := os.WriteFile(path, []byte(`{"name":"`+strings.Repeat("x", 2<<20)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadScenario(path)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("LoadScenario(2 MiB) error = %v, want a size error", err)
	}
}
