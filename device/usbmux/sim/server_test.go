package sim

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

func deviceList(t *testing.T, m *muxClient) []map[string]any {
	t.Helper()
	d := m.request(map[string]any{"MessageType": "ListDevices"})
	raw, ok := d["DeviceList"].([]any)
	if !ok {
		t.Fatalf("ListDevices reply without DeviceList array: %v", d)
	}
	var out []map[string]any
	for _, e := range raw {
		em, ok := e.(map[string]any)
		if !ok {
			t.Fatalf("DeviceList entry is %T", e)
		}
		out = append(out, em)
	}
	return out
}

func props(t *testing.T, entry map[string]any) map[string]any {
	t.Helper()
	p, ok := entry["Properties"].(map[string]any)
	if !ok {
		t.Fatalf("entry without Properties: %v", entry)
	}
	return p
}

func TestListDevicesHealthy(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	list := deviceList(t, dialMux(t, srv))
	if len(list) != 1 {
		t.Fatalf("want 1 device, got %d: %v", len(list), list)
	}
	e := list[0]
	if str(e, "MessageType") != "Attached" {
		t.Errorf("MessageType = %q", str(e, "MessageType"))
	}
	p := props(t, e)
	id, _ := uintVal(e, "DeviceID")
	pid, _ := uintVal(p, "DeviceID")
	want := map[string]any{
		"SerialNumber":   "00008110-001A2B3C4D5E6F70",
		"ConnectionType": "USB",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("Properties[%s] = %v, want %v", k, p[k], v)
		}
	}
	for k, v := range map[string]uint64{"ConnectionSpeed": 480000000, "LocationID": 0x00010005, "ProductID": 0x12A8} {
		if got, _ := uintVal(p, k); got != v {
			t.Errorf("Properties[%s] = %#x, want %#x", k, got, v)
		}
	}
	if id == 0 || id != pid || int(id) != firstDeviceID(t, srv) {
		t.Errorf("DeviceID %d, Properties.DeviceID %d, server says %d", id, pid, firstDeviceID(t, srv))
	}
}

func TestScenarioListings(t *testing.T) {
	tests := []struct {
		name       string
		listed     int
		attached   int
		speed      uint64
		location   uint64
		usbMode    mode.Mode
		behindHub  bool
		firstUDID  string
		distinctID bool
	}{
		{name: "none"},
		{name: "healthy", listed: 1, attached: 1, speed: 480000000, location: 0x10005, usbMode: mode.Normal, firstUDID: "00008110-001A2B3C4D5E6F70"},
		{name: "full-speed", listed: 1, attached: 1, speed: 12000000, location: 0x10005, usbMode: mode.Normal},
		{name: "behind-hub", listed: 1, attached: 1, speed: 480000000, location: 0x10009, usbMode: mode.Normal, behindHub: true, firstUDID: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"},
		{name: "restore", listed: 1, attached: 1, speed: 480000000, location: 0x10005, usbMode: mode.Normal},
		{name: "recovery", listed: 0, attached: 1, usbMode: mode.Recovery},
		{name: "dfu", listed: 0, attached: 1, usbMode: mode.DFU},
		{name: "multi", listed: 4, attached: 4, usbMode: mode.Normal, distinctID: true},
		{name: "untrusted", listed: 1, attached: 1, speed: 480000000, location: 0x10005, usbMode: mode.Normal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBuiltin(t, tc.name)
			list := deviceList(t, dialMux(t, srv))
			if len(list) != tc.listed {
				t.Fatalf("usbmuxd lists %d, want %d", len(list), tc.listed)
			}
			if got := len(srv.Phones()); got != tc.attached {
				t.Fatalf("Phones() = %d, want %d", got, tc.attached)
			}
			usbDevs, err := srv.USBSource().Snapshot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(usbDevs) != tc.attached {
				t.Fatalf("USB snapshot has %d devices, want %d", len(usbDevs), tc.attached)
			}
			if tc.attached > 0 && usbDevs[0].Mode != tc.usbMode {
				t.Errorf("USB mode %s, want %s", usbDevs[0].Mode, tc.usbMode)
			}
			if tc.attached == 1 && usbDevs[0].BehindHub != tc.behindHub {
				t.Errorf("USB BehindHub %v, want %v", usbDevs[0].BehindHub, tc.behindHub)
			}
			if tc.listed > 0 {
				p := props(t, list[0])
				if tc.speed != 0 {
					if got, _ := uintVal(p, "ConnectionSpeed"); got != tc.speed {
						t.Errorf("ConnectionSpeed %d, want %d", got, tc.speed)
					}
				}
				if tc.location != 0 {
					if got, _ := uintVal(p, "LocationID"); got != tc.location {
						t.Errorf("LocationID %#x, want %#x", got, tc.location)
					}
				}
				if tc.firstUDID != "" && str(p, "SerialNumber") != tc.firstUDID {
					t.Errorf("SerialNumber %q, want %q", str(p, "SerialNumber"), tc.firstUDID)
				}
			}
			if tc.distinctID {
				ids, udids, locs := map[uint64]bool{}, map[string]bool{}, map[uint64]bool{}
				for _, e := range list {
					p := props(t, e)
					id, _ := uintVal(e, "DeviceID")
					loc, _ := uintVal(p, "LocationID")
					ids[id], udids[str(p, "SerialNumber")], locs[loc] = true, true, true
				}
				if len(ids) != len(list) || len(udids) != len(list) || len(locs) != len(list) {
					t.Errorf("not distinct: ids %v udids %v locations %v", ids, udids, locs)
				}
			}
		})
	}
}

func TestUSBViewOfModes(t *testing.T) {
	srv := startSim(t, Scenario{Phones: []Phone{PhoneA()}})
	b := PhoneB()
	srv.Attach(b)
	rec := PhoneA()
	rec.UDID, rec.ECID, rec.Mode, rec.Bus, rec.Address, rec.PortPath = "00008110-0000000000000077", 0x77, mode.Recovery, 2, 3, []int{4}
	srv.Attach(rec)
	devs, err := srv.USBSource().Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 3 {
		t.Fatalf("got %d devices", len(devs))
	}
	// Sorted by bus, port path: B (1-1.3), A (1-2), recovery (2-4).
	if devs[0].Location() != "1-1.3" || devs[1].Location() != "1-2" || devs[2].Location() != "2-4" {
		t.Fatalf("order/locations: %s %s %s", devs[0].Location(), devs[1].Location(), devs[2].Location())
	}
	if devs[0].Serial != "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678" || devs[0].HubDepth != 1 || !devs[0].BehindHub {
		t.Errorf("phone B USB view: %+v", devs[0])
	}
	if devs[1].Serial != "00008110001A2B3C4D5E6F70" || devs[1].ProductID != 0x12A8 || devs[1].SpeedMbps != 480 || devs[1].VendorID != 0x05AC {
		t.Errorf("phone A USB view: %+v", devs[1])
	}
	r := devs[2]
	if r.ProductID != 0x1281 || r.Mode != mode.Recovery || r.Recovery == nil {
		t.Fatalf("recovery USB view: %+v", r)
	}
	if r.Recovery.CPID != "8110" || r.Recovery.ECID != "0000000000000077" || r.Recovery.BDID != "0E" {
		t.Errorf("recovery serial parsed as %+v from %q", *r.Recovery, r.Serial)
	}
	// usbmuxd does not list the recovery phone.
	if n := len(deviceList(t, dialMux(t, srv))); n != 2 {
		t.Errorf("usbmuxd lists %d, want 2", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.USBSource().Snapshot(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Snapshot with cancelled ctx: %v", err)
	}
}

func TestUsbmuxRequests(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	id := firstDeviceID(t, srv)
	udid := PhoneA().UDID
	tests := []struct {
		name   string
		msg    map[string]any
		result int64 // -1: not a Result message
		check  func(t *testing.T, d map[string]any)
	}{
		{"ReadBUID", map[string]any{"MessageType": "ReadBUID"}, -1, func(t *testing.T, d map[string]any) {
			if b := str(d, "BUID"); len(b) != 36 || strings.Count(b, "-") != 4 {
				t.Errorf("BUID %q is not a UUID", b)
			}
		}},
		{"ReadPairRecord trusted", map[string]any{"MessageType": "ReadPairRecord", "PairRecordID": udid}, -1, func(t *testing.T, d map[string]any) {
			data, ok := d["PairRecordData"].([]byte)
			if !ok {
				t.Fatalf("no PairRecordData: %v", d)
			}
			var rec PairRecord
			if _, err := plist.Unmarshal(data, &rec); err != nil {
				t.Fatal(err)
			}
			if rec.HostID == "" || rec.SystemBUID == "" || len(rec.HostCertificate) == 0 {
				t.Errorf("pair record incomplete: %+v", rec)
			}
		}},
		{"ReadPairRecord unknown", map[string]any{"MessageType": "ReadPairRecord", "PairRecordID": "ffff"}, 2, nil},
		{"ReadPairRecord no id", map[string]any{"MessageType": "ReadPairRecord"}, 22, nil},
		{"Connect closed port", map[string]any{"MessageType": "Connect", "DeviceID": id, "PortNumber": swap16(22)}, 3, nil},
		{"Connect unknown device", map[string]any{"MessageType": "Connect", "DeviceID": 999, "PortNumber": swap16(LockdownPort)}, 2, nil},
		{"Connect host-order port refused", map[string]any{"MessageType": "Connect", "DeviceID": id, "PortNumber": LockdownPort}, 3, nil},
		{"Connect without port", map[string]any{"MessageType": "Connect", "DeviceID": id}, 1, nil},
		{"Connect without device", map[string]any{"MessageType": "Connect", "PortNumber": swap16(LockdownPort)}, 2, nil},
		{"unknown MessageType", map[string]any{"MessageType": "Frobnicate"}, 1, nil},
		{"SavePairRecord no data", map[string]any{"MessageType": "SavePairRecord", "PairRecordID": "x"}, 22, nil},
		{"DeletePairRecord", map[string]any{"MessageType": "DeletePairRecord", "PairRecordID": "x"}, 0, nil},
		{"ListListeners", map[string]any{"MessageType": "ListListeners"}, -1, func(t *testing.T, d map[string]any) {
			if _, ok := d["ListenerList"].([]any); !ok {
				t.Errorf("no ListenerList: %v", d)
			}
		}},
	}
	m := dialMux(t, srv) // one connection for all: usbmuxd keeps serving after each answer
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m.t = t
			d := m.request(tc.msg)
			if tc.result >= 0 {
				if n := resultNumber(t, d); n != uint64(tc.result) {
					t.Errorf("Result %d, want %d (%v)", n, tc.result, d)
				}
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
	st := srv.Stats()
	if st.Requests["Connect"] != 5 || st.Requests["ReadBUID"] != 1 || st.Requests["unknown"] != 1 || st.Connections != 1 {
		t.Errorf("stats: %+v", st)
	}
}

func TestPairRecordSaveReadDelete(t *testing.T) {
	srv := startBuiltin(t, "untrusted")
	m := dialMux(t, srv)
	udid := PhoneA().UDID
	if n := resultNumber(t, m.request(map[string]any{"MessageType": "ReadPairRecord", "PairRecordID": udid})); n != 2 {
		t.Fatalf("untrusted phone has a pair record (result %d)", n)
	}
	rec := []byte("<plist><dict/></plist>")
	if n := resultNumber(t, m.request(map[string]any{"MessageType": "SavePairRecord", "PairRecordID": udid, "PairRecordData": rec})); n != 0 {
		t.Fatalf("SavePairRecord result %d", n)
	}
	d := m.request(map[string]any{"MessageType": "ReadPairRecord", "PairRecordID": udid})
	if got, _ := d["PairRecordData"].([]byte); string(got) != string(rec) {
		t.Fatalf("read back %q", got)
	}
	if n := resultNumber(t, m.request(map[string]any{"MessageType": "DeletePairRecord", "PairRecordID": udid})); n != 0 {
		t.Fatalf("DeletePairRecord result %d", n)
	}
	if n := resultNumber(t, m.request(map[string]any{"MessageType": "ReadPairRecord", "PairRecordID": udid})); n != 2 {
		t.Fatalf("record still there after delete (result %d)", n)
	}
}

func TestMalformedClientInput(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		// closed: the server hangs up; otherwise want a reply with this result and version.
		closed  bool
		version uint32
		result  uint32
	}{
		{name: "not a plist", frame: AppendMuxFrame(nil, 1, muxMsgPlist, 7, []byte("hello")), closed: true},
		{name: "plist without MessageType", frame: mustMux(t, 7, map[string]any{"Foo": "bar"}), closed: true},
		{name: "plist array", frame: AppendMuxFrame(nil, 1, muxMsgPlist, 7, []byte(`<plist><array/></plist>`)), closed: true},
		{name: "absurd length", frame: []byte{0xF0, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0}, closed: true},
		{name: "length under header", frame: []byte{4, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0}, closed: true},
		{name: "bad version", frame: AppendMuxFrame(nil, 9, muxMsgPlist, 7, nil), version: 1, result: muxResultBadVersion},
		{name: "binary listen", frame: AppendMuxFrame(nil, 0, muxMsgListen, 7, nil), version: 0, result: muxResultBadCommand},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := startBuiltin(t, "healthy")
			m := dialMux(t, srv)
			m.writeRaw(tc.frame)
			if tc.closed {
				m.expectClosed()
				return
			}
			_ = m.c.SetReadDeadline(time.Now().Add(ioTimeout))
			h, payload, err := ReadMuxFrame(m.c)
			if err != nil {
				t.Fatal(err)
			}
			if h.Tag != 7 || h.Version != tc.version {
				t.Fatalf("header %+v", h)
			}
			var got uint32
			if h.Message == muxMsgResult && len(payload) == 4 {
				got = uint32(payload[0]) | uint32(payload[1])<<8 | uint32(payload[2])<<16 | uint32(payload[3])<<24
			} else {
				d, err := DecodeDict(payload)
				if err != nil {
					t.Fatal(err)
				}
				got = uint32(resultNumber(t, d))
			}
			if got != tc.result {
				t.Errorf("result %d, want %d", got, tc.result)
			}
			// The connection still serves.
			if n := len(deviceList(t, m)); n != 1 {
				t.Errorf("after the bad frame: %d devices", n)
			}
		})
	}
}

func mustMux(t *testing.T, tag uint32, v any) []byte {
	t.Helper()
	f, err := EncodeMuxPlist(tag, v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestBinaryPlistRequest(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	m := dialMux(t, srv)
	body, err := plist.Marshal(map[string]any{"MessageType": "ListDevices", "ProgName": "bin"}, plist.BinaryFormat)
	if err != nil {
		t.Fatal(err)
	}
	m.writeRaw(AppendMuxFrame(nil, 1, muxMsgPlist, 42, body))
	h, d := m.recv()
	if h.Tag != 42 {
		t.Errorf("tag %d", h.Tag)
	}
	if l, _ := d["DeviceList"].([]any); len(l) != 1 {
		t.Errorf("binary-plist ListDevices: %v", d)
	}
}

func TestListenAttachDetach(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	m := dialMux(t, srv)
	if n := resultNumber(t, m.request(map[string]any{"MessageType": "Listen"})); n != 0 {
		t.Fatalf("Listen result %d", n)
	}
	// Like usbmuxd, the listener first gets an Attached for every present device.
	_, d := m.recv()
	if str(d, "MessageType") != "Attached" || str(props(t, d), "SerialNumber") != PhoneA().UDID {
		t.Fatalf("first event %v", d)
	}
	// A recovery-mode phone is not announced; phone B is.
	rec := PhoneA()
	rec.UDID, rec.Mode = "00008110-0000000000000001", mode.Recovery
	srv.Attach(rec)
	idB := srv.Attach(PhoneB())
	h, d := m.recv()
	if h.Tag != 0 || str(d, "MessageType") != "Attached" || str(props(t, d), "SerialNumber") != PhoneB().UDID {
		t.Fatalf("attach event %+v %v", h, d)
	}
	if got, _ := uintVal(d, "DeviceID"); int(got) != idB {
		t.Errorf("attached DeviceID %d, Attach returned %d", got, idB)
	}
	if !srv.Detach(idB) {
		t.Fatal("Detach returned false")
	}
	_, d = m.recv()
	if got, _ := uintVal(d, "DeviceID"); str(d, "MessageType") != "Detached" || int(got) != idB {
		t.Fatalf("detach event %v", d)
	}
	if srv.Detach(idB) {
		t.Error("second Detach returned true")
	}
	if st := srv.Stats(); st.Attaches != 3 || st.Detaches != 1 || st.Requests["Listen"] != 1 {
		t.Errorf("stats %+v", st)
	}
	if n := len(srv.Phones()); n != 2 {
		t.Errorf("Phones() = %d after detach", n)
	}
	// The host keeps the pair record of a detached trusted phone, as usbmuxd does on disk.
	d = dialMux(t, srv).request(map[string]any{"MessageType": "ReadPairRecord", "PairRecordID": PhoneB().UDID})
	if _, ok := d["PairRecordData"]; !ok {
		t.Errorf("pair record gone with the phone: %v", d)
	}
}

func TestAttachKeepsRequestedDeviceID(t *testing.T) {
	srv := startSim(t, Scenario{})
	p := PhoneA()
	p.DeviceID = 40
	if id := srv.Attach(p); id != 40 {
		t.Errorf("DeviceID %d, want 40", id)
	}
	p2 := PhoneB()
	p2.DeviceID = 40 // taken
	if id := srv.Attach(p2); id == 40 || id == 0 {
		t.Errorf("duplicate DeviceID %d", id)
	}
}

func TestFlapping(t *testing.T) {
	sc, _ := Builtin("flapping")
	sc.FlapInterval = 30 * time.Millisecond
	srv := startSim(t, sc)
	m := dialMux(t, srv)
	if n := resultNumber(t, m.request(map[string]any{"MessageType": "Listen"})); n != 0 {
		t.Fatalf("Listen result %d", n)
	}
	var kinds []string
	var ids []uint64
	var locs []uint64
	for len(kinds) < 5 {
		_, d := m.recv()
		kinds = append(kinds, str(d, "MessageType"))
		id, _ := uintVal(d, "DeviceID")
		ids = append(ids, id)
		if str(d, "MessageType") == "Attached" {
			l, _ := uintVal(props(t, d), "LocationID")
			locs = append(locs, l)
		}
	}
	// The initial Attached may race with the first detach; after the first
	// Detached the stream must alternate.
	i := slices.Index(kinds, "Detached")
	if i < 0 || i > 1 {
		t.Fatalf("no early Detached: %v", kinds)
	}
	for j := i; j+1 < len(kinds); j += 2 {
		if kinds[j] != "Detached" || kinds[j+1] != "Attached" {
			t.Fatalf("events do not alternate: %v", kinds)
		}
		if ids[j+1] == ids[j] {
			t.Errorf("re-attach kept DeviceID %d: want a new one, as usbmuxd assigns", ids[j])
		}
	}
	if len(locs) >= 2 && locs[0] == locs[1] {
		t.Errorf("re-enumeration kept LocationID %#x (the USB address changes)", locs[0])
	}
	// The USB view follows: the phone disappears at some poll.
	deadline := time.Now().Add(ioTimeout)
	sawEmpty := false
	for time.Now().Before(deadline) && !sawEmpty {
		devs, err := srv.USBSource().Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sawEmpty = len(devs) == 0
		time.Sleep(5 * time.Millisecond)
	}
	if !sawEmpty {
		t.Error("USB view never lost the flapping phone")
	}
}

func TestCloseWithBusyConnections(t *testing.T) {
	for _, name := range []string{"healthy", "hung", "slow-lockdown"} {
		t.Run(name, func(t *testing.T) {
			sc, _ := Builtin(name)
			sc.LockdownLatency = time.Hour // a pending lockdown answer must not hold Close
			dir, err := os.MkdirTemp("", "rdsim")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			srv, err := Start(context.Background(), LocalAddress(dir), sc, testLog(t))
			if err != nil {
				t.Fatal(err)
			}
			listen := dialMux(t, srv)
			listen.send(map[string]any{"MessageType": "Listen"})
			idle := dialMux(t, srv)
			_ = idle
			if name != "hung" {
				tun := lockdownTo(t, srv, firstDeviceID(t, srv))
				tun.ldSend(map[string]any{"Request": "QueryType"})
			}
			done := make(chan error, 1)
			go func() { done <- srv.Close() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Close: %v", err)
				}
			case <-time.After(ioTimeout):
				t.Fatal("Close did not return")
			}
			if sock := srv.SocketPath(); sock != "" {
				if _, err := os.Lstat(sock); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("socket still there after Close: %v", err)
				}
			}
			if err := srv.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			listen.expectClosed()
		})
	}
}

func TestStartContextCancelCloses(t *testing.T) {
	skipWithoutUnixSockets(t)
	dir, err := os.MkdirTemp("", "rdsim")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s.sock")
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, "unix:"+sock, Scenario{Phones: []Phone{PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(ioTimeout)
	for {
		if _, err := os.Lstat(sock); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("socket not removed after ctx cancel")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestStartSocketChecks(t *testing.T) {
	skipWithoutUnixSockets(t)
	dir, err := os.MkdirTemp("", "rdsim")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// A stale socket (nobody accepts) is replaced.
	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	_ = ln.Close()
	srv, err := Start(ctx, stale, Scenario{}, nil)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	// A live one is refused.
	if s2, err := Start(ctx, stale, Scenario{}, nil); err == nil {
		_ = s2.Close()
		t.Error("second server on a live socket: no error")
	}
	_ = srv.Close()

	// A regular file is not touched.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s3, err := Start(ctx, file, Scenario{}, nil); err == nil {
		_ = s3.Close()
		t.Error("Start over a regular file: no error")
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("regular file removed: %v", err)
	}
	// Bad scenario and bad address.
	if _, err := Start(ctx, "unix://"+filepath.Join(dir, "x.sock"), Scenario{Garbage: "zzz"}, nil); err == nil {
		t.Error("bad scenario accepted")
	}
	if _, err := Start(ctx, "nonsense", Scenario{}, nil); err == nil {
		t.Error("bad address accepted")
	}
}

func TestTCPListen(t *testing.T) {
	srv, err := Start(context.Background(), "tcp://127.0.0.1:0", Scenario{Phones: []Phone{PhoneA()}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") || srv.LibimobiledeviceAddr() != srv.Addr() || srv.SocketPath() != "" {
		t.Fatalf("Addr %q", srv.Addr())
	}
	if n := len(deviceList(t, dialMux(t, srv))); n != 1 {
		t.Errorf("%d devices over TCP", n)
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, network, address string
		bad                  bool
	}{
		{in: "unix:///var/run/usbmuxd", network: "unix", address: "/var/run/usbmuxd"},
		{in: "UNIX:///tmp/x", network: "unix", address: "/tmp/x"},
		{in: "unix:/tmp/x", network: "unix", address: "/tmp/x"},
		{in: "UNIX:/tmp/x", network: "unix", address: "/tmp/x"},
		{in: "/tmp/x", network: "unix", address: "/tmp/x"},
		{in: "./x.sock", network: "unix", address: "./x.sock"},
		{in: "127.0.0.1:27015", network: "tcp", address: "127.0.0.1:27015"},
		{in: "tcp://127.0.0.1:0", network: "tcp", address: "127.0.0.1:0"},
		{in: "[::1]:27015", network: "tcp", address: "[::1]:27015"},
		{in: "", bad: true},
		{in: "unix://", bad: true},
		{in: "tcp://nohostport", bad: true},
		{in: "usbmuxd", bad: true},
	}
	for _, tc := range tests {
		n, a, err := ParseAddress(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseAddress(%q) = %s %s, want error", tc.in, n, a)
			}
			continue
		}
		if err != nil || n != tc.network || a != tc.address {
			t.Errorf("ParseAddress(%q) = %q %q %v, want %q %q", tc.in, n, a, err, tc.network, tc.address)
		}
	}
}

func TestHungNeverAnswers(t *testing.T) {
	srv := startBuiltin(t, "hung")
	m := dialMux(t, srv)
	m.send(map[string]any{"MessageType": "ListDevices"})
	_, _, err := m.recvErr(300 * time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("hung server: want a read timeout, got %v", err)
	}
	if st := srv.Stats(); st.Connections != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestGarbage(t *testing.T) {
	t.Run("bad-length", func(t *testing.T) {
		srv := startBuiltin(t, "garbage")
		m := dialMux(t, srv)
		tag := m.send(map[string]any{"MessageType": "ListDevices"})
		_, _, err := m.recvErr(ioTimeout)
		if !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("want ErrFrameTooLarge, got %v", err)
		}
		// Raw bytes: exactly the 16-byte header with length 0xFFFFFFF0 and the tag.
		m2 := dialMux(t, srv)
		m2.tag = tag + 10
		m2.send(map[string]any{"MessageType": "ListDevices"})
		var b [16]byte
		_ = m2.c.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := m2.c.Read(b[:]); err != nil {
			t.Fatal(err)
		}
		want := []byte{0xF0, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0, 8, 0, 0, 0, byte(tag + 11), 0, 0, 0}
		if string(b[:]) != string(want) {
			t.Errorf("header % x, want % x", b, want)
		}
	})
	t.Run("not-plist", func(t *testing.T) {
		srv := startBuiltin(t, "garbage-not-plist")
		m := dialMux(t, srv)
		tag := m.send(map[string]any{"MessageType": "ListDevices"})
		_ = m.c.SetReadDeadline(time.Now().Add(ioTimeout))
		h, payload, err := ReadMuxFrame(m.c)
		if err != nil {
			t.Fatalf("header should be valid: %v", err)
		}
		if h.Tag != tag || h.Message != muxMsgPlist || len(payload) == 0 {
			t.Errorf("header %+v, payload %d bytes", h, len(payload))
		}
		if _, err := DecodeDict(payload); err == nil {
			t.Error("payload decoded as a plist dictionary")
		}
	})
}

// TestLaggingListenerIsDropped: a Listen client that stops reading must not
// stall Attach/Detach; the simulator hangs up on it instead.
func TestLaggingListenerIsDropped(t *testing.T) {
	srv := startSim(t, Scenario{})
	lazy := dialMux(t, srv)
	if n := resultNumber(t, lazy.request(map[string]any{"MessageType": "Listen"})); n != 0 {
		t.Fatalf("Listen result %d", n)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3000 {
			srv.Detach(srv.Attach(PhoneA()))
		}
	}()
	select {
	case <-done:
	case <-time.After(ioTimeout):
		t.Fatal("Attach/Detach blocked behind a client that does not read")
	}
	if n := len(deviceList(t, dialMux(t, srv))); n != 0 {
		t.Errorf("%d devices after the flood", n)
	}
	lazy.expectClosed()
}

// FuzzParseAddress: any listen address string yields a usable pair or an
// error, never a panic or an empty network with a nil error.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"", "unix:///tmp/x", "UNIX:/tmp/x", "/tmp/x", "127.0.0.1:0", "tcp://127.0.0.1:0", "tcp://", "unix://", ":::", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		network, address, err := ParseAddress(s)
		if err == nil && (network == "" || address == "") {
			t.Fatalf("ParseAddress(%q) = %q, %q with no error", s, network, address)
		}
	})
}

func TestLocalAddress(t *testing.T) {
	for _, tc := range []struct{ goos, want string }{
		{"linux", "unix:///run/demo/usbmuxd.sock"},
		{"darwin", "unix:///run/demo/usbmuxd.sock"},
		{"windows", "tcp://127.0.0.1:0"},
	} {
		got := localAddressFor(tc.goos, "/run/demo")
		if tc.goos != "windows" {
			tc.want = "unix://" + filepath.Join("/run/demo", "usbmuxd.sock") // the host's separator
		}
		if got != tc.want {
			t.Errorf("localAddressFor(%s) = %q, want %q", tc.goos, got, tc.want)
		}
		if _, _, err := ParseAddress(got); err != nil {
			t.Errorf("ParseAddress(%q): %v", got, err)
		}
	}
}

// skipWithoutUnixSockets skips tests of unix socket files on Windows, where
// the simulator listens on TCP loopback (LocalAddress).
func skipWithoutUnixSockets(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("unix socket files: on Windows the simulator uses TCP loopback")
	}
}
