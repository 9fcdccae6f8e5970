package sim

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

func TestLockdownTrusted(t *testing.T) {
	sc, _ := Builtin("healthy")
	sc.PlaintextSession = true // to read the session's answers without TLS
	srv := startSim(t, sc)
	m := lockdownTo(t, srv, firstDeviceID(t, srv))
	a := PhoneA()
	host, buid := hostIDFor(a.UDID), srv.buid
	steps := []struct {
		req  map[string]any
		want map[string]any // exact values expected in the reply
		err  string         // expected Error, "" for none
	}{
		{req: map[string]any{"Request": "QueryType"}, want: map[string]any{"Request": "QueryType", "Type": "com.apple.mobile.lockdown"}},
		{req: map[string]any{"Request": "GetValue", "Key": "ProductType"}, want: map[string]any{"Request": "GetValue", "Key": "ProductType", "Value": a.ProductType}},
		{req: map[string]any{"Request": "GetValue", "Key": "ProductVersion"}, want: map[string]any{"Value": a.ProductVersion}},
		{req: map[string]any{"Request": "GetValue", "Key": "BuildVersion"}, want: map[string]any{"Value": a.BuildVersion}},
		{req: map[string]any{"Request": "GetValue", "Key": "DeviceName"}, want: map[string]any{"Value": a.DeviceName}},
		{req: map[string]any{"Request": "GetValue", "Key": "DeviceClass"}, want: map[string]any{"Value": "iPhone"}},
		{req: map[string]any{"Request": "GetValue", "Key": "HardwareModel"}, want: map[string]any{"Value": a.HardwareModel}},
		{req: map[string]any{"Request": "GetValue", "Key": "UniqueDeviceID"}, want: map[string]any{"Value": a.UDID}},
		{req: map[string]any{"Request": "GetValue", "Key": "UniqueChipID"}, want: map[string]any{"Value": a.ECID}},
		{req: map[string]any{"Request": "GetValue", "Key": "ChipID"}, want: map[string]any{"Value": uint64(0x8110)}},
		// Private before a session.
		{req: map[string]any{"Request": "GetValue", "Key": "SerialNumber"}, err: "MissingValue"},
		{req: map[string]any{"Request": "GetValue", "Key": "NoSuchKey"}, err: "MissingValue"},
		{req: map[string]any{"Request": "GetValue", "Domain": "com.apple.disk_usage"}, err: "MissingValue"},
		{req: map[string]any{"Request": "StartService", "Service": "com.apple.afc"}, err: "SessionInactive"},
		{req: map[string]any{"Request": "StopSession"}, err: "SessionInactive"},
		{req: map[string]any{"Request": "ValidatePair"}, want: map[string]any{"Request": "ValidatePair"}},
		{req: map[string]any{"Request": "StartSession", "HostID": "x", "SystemBUID": buid}, err: "InvalidHostID"},
		{req: map[string]any{"Request": "StartSession", "HostID": host, "SystemBUID": "other"}, err: "InvalidHostID"},
		{req: map[string]any{"Request": "StartSession"}, err: "InvalidHostID"},
		{req: map[string]any{"Request": "StartSession", "HostID": host, "SystemBUID": buid}, want: map[string]any{"Request": "StartSession", "EnableSessionSSL": false}},
		{req: map[string]any{"Request": "StartSession", "HostID": host, "SystemBUID": buid}, err: "SessionActive"},
		{req: map[string]any{"Request": "GetValue", "Key": "SerialNumber"}, want: map[string]any{"Value": a.SerialNumber}},
		{req: map[string]any{"Request": "StartService", "Service": "com.apple.afc"}, err: "InvalidService"},
		{req: map[string]any{"Request": "SetValue", "Key": "DeviceName", "Value": "x"}, err: "SetProhibited"},
		{req: map[string]any{"Request": "StopSession"}, want: map[string]any{"Request": "StopSession"}},
		{req: map[string]any{"Request": "Frobnicate"}, want: map[string]any{"Request": "Frobnicate"}, err: "UnknownRequest"},
		{req: map[string]any{"Request": "Goodbye"}, want: map[string]any{"Request": "Goodbye", "Result": "Success"}},
	}
	for i, st := range steps {
		d := m.ld(st.req)
		for k, v := range st.want {
			got := d[k]
			if u, ok := got.(uint64); ok {
				if w, ok := v.(uint64); ok && u == w {
					continue
				}
			}
			if got != v {
				t.Errorf("step %d %v: %s = %#v, want %#v (reply %v)", i, st.req, k, got, v, d)
			}
		}
		if e := str(d, "Error"); e != st.err {
			t.Errorf("step %d %v: Error %q, want %q (reply %v)", i, st.req, e, st.err, d)
		}
	}
	m.expectClosed() // after Goodbye
	st := srv.Stats()
	if st.Requests["lockdown:GetValue"] != 13 || st.Requests["lockdown:unknown"] != 1 || st.Requests["lockdown:Goodbye"] != 1 || st.Tunnels != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestLockdownAllValuesUnpaired(t *testing.T) {
	srv := startBuiltin(t, "untrusted")
	m := lockdownTo(t, srv, firstDeviceID(t, srv))
	d := m.ld(map[string]any{"Request": "GetValue"})
	v, ok := d["Value"].(map[string]any)
	if !ok {
		t.Fatalf("GetValue without key: %v", d)
	}
	for _, k := range []string{"ProductType", "ProductVersion", "BuildVersion", "DeviceName", "DeviceClass", "HardwareModel", "UniqueDeviceID"} {
		if str(v, k) == "" {
			t.Errorf("unpaired GetValue lacks %s", k)
		}
	}
	for _, k := range []string{"SerialNumber", "ActivationState"} {
		if _, ok := v[k]; ok {
			t.Errorf("unpaired GetValue reveals %s", k)
		}
	}
}

func TestLockdownTrustStates(t *testing.T) {
	tests := []struct {
		trust                           string
		validate, pair, session, record string // Errors; record: pair record result ("" = present)
	}{
		{trust: TrustTrusted},
		{trust: TrustUntrusted, validate: "InvalidHostID", pair: "PairingDialogResponsePending", session: "InvalidHostID", record: "absent"},
		{trust: TrustPending, validate: "PairingDialogResponsePending", pair: "PairingDialogResponsePending", session: "InvalidHostID", record: "absent"},
		{trust: TrustDenied, validate: "InvalidHostID", pair: "UserDeniedPairing", session: "InvalidHostID", record: "absent"},
	}
	for _, tc := range tests {
		t.Run(tc.trust, func(t *testing.T) {
			p := PhoneA()
			p.Trust = tc.trust
			srv := startSim(t, Scenario{Phones: []Phone{p}, PlaintextSession: true}) // QueryType after the session, in the clear
			mux := dialMux(t, srv)
			d := mux.request(map[string]any{"MessageType": "ReadPairRecord", "PairRecordID": p.UDID})
			_, hasRecord := d["PairRecordData"]
			if hasRecord != (tc.record == "") {
				t.Errorf("pair record present = %v (%v)", hasRecord, d)
			}
			m := lockdownTo(t, srv, firstDeviceID(t, srv))
			for _, step := range []struct{ req, want string }{
				{"ValidatePair", tc.validate}, {"Pair", tc.pair}, {"StartSession", tc.session},
			} {
				req := map[string]any{"Request": step.req}
				if step.req == "StartSession" {
					req["HostID"], req["SystemBUID"] = hostIDFor(p.UDID), srv.buid
				}
				d := m.ld(req)
				if e := str(d, "Error"); e != step.want {
					t.Errorf("%s: Error %q, want %q", step.req, e, step.want)
				}
				if str(d, "Request") != step.req {
					t.Errorf("%s: reply Request %q", step.req, str(d, "Request"))
				}
			}
			// QueryType works whatever the trust.
			if d := m.ld(map[string]any{"Request": "QueryType"}); str(d, "Type") != "com.apple.mobile.lockdown" {
				t.Errorf("QueryType: %v", d)
			}
		})
	}
}

func TestLockdownRestoreMode(t *testing.T) {
	srv := startBuiltin(t, "restore")
	if srv.Phones()[0].Mode != mode.Restore {
		t.Fatal("restore scenario phone not in restore mode")
	}
	m := lockdownTo(t, srv, firstDeviceID(t, srv))
	if d := m.ld(map[string]any{"Request": "QueryType"}); str(d, "Type") != "com.apple.mobile.restored" {
		t.Fatalf("QueryType: %v", d)
	}
	if d := m.ld(map[string]any{"Request": "QueryValue", "QueryKey": "HardwareModel"}); str(d, "HardwareModel") != "D64AP" {
		t.Errorf("QueryValue: %v", d)
	}
	if d := m.ld(map[string]any{"Request": "GetValue", "Key": "ProductVersion"}); str(d, "Error") == "" {
		t.Errorf("restored answered GetValue: %v", d)
	}
}

func TestLockdownDrops(t *testing.T) {
	srv := startBuiltin(t, "lockdown-drops")
	k := srv.Scenario().LockdownDropAfter
	if k < 1 {
		t.Fatalf("LockdownDropAfter %d", k)
	}
	for range 2 { // per tunnel
		m := lockdownTo(t, srv, firstDeviceID(t, srv))
		for i := range k {
			if d := m.ld(map[string]any{"Request": "GetValue", "Key": "ProductVersion"}); str(d, "Value") != "17.5.1" {
				t.Fatalf("answer %d: %v", i, d)
			}
		}
		m.expectClosed()
	}
	// usbmuxd itself keeps working.
	if n := len(deviceList(t, dialMux(t, srv))); n != 1 {
		t.Errorf("%d devices after drops", n)
	}
}

func TestLockdownSlow(t *testing.T) {
	sc, _ := Builtin("slow-lockdown")
	sc.LockdownLatency, sc.LockdownJitter = 200*time.Millisecond, 50*time.Millisecond
	srv := startSim(t, sc)
	m := lockdownTo(t, srv, firstDeviceID(t, srv))
	// A client with a short deadline times out…
	start := time.Now()
	m.ldSend(map[string]any{"Request": "QueryType"})
	if _, err := m.ldRecvErr(20 * time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("want a timeout before the latency, got %v", err)
	}
	// …a patient one gets the answer, never before the configured latency.
	d, err := m.ldRecvErr(ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < sc.LockdownLatency {
		t.Errorf("answered after %v, latency is %v", el, sc.LockdownLatency)
	}
	if str(d, "Type") != "com.apple.mobile.lockdown" {
		t.Errorf("answer %v", d)
	}
	if st := srv.Stats(); st.Requests["lockdown:QueryType"] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestDetachClosesTunnel(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	id := firstDeviceID(t, srv)
	m := lockdownTo(t, srv, id)
	if d := m.ld(map[string]any{"Request": "QueryType"}); str(d, "Type") == "" {
		t.Fatal(d)
	}
	srv.Detach(id)
	m.expectClosed()
	if n := dialMux(t, srv).connect(id, LockdownPort); n != muxResultBadDev {
		t.Errorf("Connect to a detached phone: result %d", n)
	}
}

func TestLockdownMalformed(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	id := firstDeviceID(t, srv)
	for name, raw := range map[string][]byte{
		"absurd length": {0xFF, 0xFF, 0xFF, 0xF0},
		"not a plist":   {0, 0, 0, 3, 'a', 'b', 'c'},
	} {
		t.Run(name, func(t *testing.T) {
			m := lockdownTo(t, srv, id)
			m.writeRaw(raw)
			m.expectClosed()
		})
	}
}
