package sim

import (
	"crypto/tls"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"
)

// startSession opens a lockdown tunnel and starts a session with the pair
// record the simulator issued; it returns the tunnel and the answer.
func startSession(t *testing.T, srv *Server) (*muxClient, map[string]any) {
	t.Helper()
	p := srv.Phones()[0]
	m := lockdownTo(t, srv, p.DeviceID)
	return m, m.ld(map[string]any{"Request": "StartSession", "HostID": hostIDFor(p.UDID), "SystemBUID": srv.buid})
}

// TestSessionsUseTLSByDefault: every built-in scenario with a trusted phone
// in normal mode switches its lockdown session to TLS, as real iOS does
// (issue 18, item 9); the session then answers inside TLS. Plaintext only
// when a scenario asks.
func TestSessionsUseTLSByDefault(t *testing.T) {
	for _, name := range BuiltinNames() {
		sc, _ := Builtin(name)
		if len(sc.Phones) == 0 || sc.Hung || sc.Garbage != "" || sc.LockdownDropAfter > 0 || sc.FlapInterval > 0 {
			continue
		}
		p := sc.Phones[0]
		if (p.Mode != "" && p.Mode != "normal") || (p.Trust != "" && p.Trust != TrustTrusted) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			sc.LockdownLatency, sc.LockdownJitter = 0, 0
			srv := startSim(t, sc)
			m, d := startSession(t, srv)
			if d["EnableSessionSSL"] != true || str(d, "Error") != "" {
				t.Fatalf("StartSession answered %v, want EnableSessionSSL true", d)
			}
			tc := tls.Client(m.c, &tls.Config{InsecureSkipVerify: true}) // the pair record's device certificate
			_ = tc.SetDeadline(time.Now().Add(ioTimeout))
			if err := tc.Handshake(); err != nil {
				t.Fatalf("TLS after StartSession: %v", err)
			}
			m.c = tc
			if v := m.ld(map[string]any{"Request": "GetValue", "Key": "SerialNumber"}); v["Value"] != p.SerialNumber {
				t.Errorf("in the TLS session: %v", v)
			}
		})
	}
	sc, _ := Builtin("healthy")
	sc.PlaintextSession = true
	srv := startSim(t, sc)
	if _, d := startSession(t, srv); d["EnableSessionSSL"] != false {
		t.Errorf("PlaintextSession: StartSession answered %v", d)
	}
}

// TestStartSessionChecksHost: a HostID or SystemBUID that is not the pair
// record's is refused with InvalidHostID, as lockdownd does.
func TestStartSessionChecksHost(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	p := srv.Phones()[0]
	for _, tc := range []struct{ host, buid string }{
		{"00000000-0000-0000-0000-000000000000", srv.buid},
		{hostIDFor(p.UDID), "not-the-buid"},
		{"", ""},
	} {
		m := lockdownTo(t, srv, p.DeviceID)
		d := m.ld(map[string]any{"Request": "StartSession", "HostID": tc.host, "SystemBUID": tc.buid})
		if str(d, "Error") != "InvalidHostID" {
			t.Errorf("HostID %q SystemBUID %q: %v, want InvalidHostID", tc.host, tc.buid, d)
		}
	}
}

// TestScenarioFileRoundTrip: every field of Scenario survives a scenario
// file (EncodeScenario, then ParseScenario), so --scenario-file takes all
// the fields --help promises.
func TestScenarioFileRoundTrip(t *testing.T) {
	var sc Scenario
	v := reflect.ValueOf(&sc).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch name := v.Type().Field(i).Name; {
		case name == "Name":
			f.SetString("every-field")
		case name == "Garbage":
			f.SetString(GarbageNotPlist)
		case name == "Phones":
			f.Set(reflect.ValueOf([]Phone{PhoneA(), PhoneB()}))
		case name == "FlapInterval":
			f.SetInt(int64(1500 * time.Millisecond))
		case f.Type() == reflect.TypeOf(time.Duration(0)):
			f.SetInt(int64(time.Duration(i+1) * 100 * time.Millisecond))
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Kind() == reflect.Int:
			f.SetInt(int64(i + 1))
		default:
			t.Fatalf("field %s (%s): teach this test its value", name, f.Type())
		}
	}
	data, err := EncodeScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseScenario(data)
	if err != nil {
		t.Fatalf("ParseScenario: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, sc) {
		t.Errorf("round trip lost fields:\n got %+v\nwant %+v\nfile %s", back, sc, data)
	}
	// The names the file uses are the struct's own.
	for _, name := range []string{"SessionTLS"} {
		if _, err := ParseScenario([]byte(`{"` + name + `": true}`)); err == nil {
			t.Errorf("%s: accepted, but it is not a field of Scenario", name)
		}
	}
	for _, field := range []string{"PlaintextSession", "RebootDelay", "IOSFails", "IdleTimeout"} {
		if !strings.Contains(string(data), field) {
			t.Errorf("the file lacks %s", field)
		}
	}
}

// TestRestartWithoutWaitForDisconnect: the diagnostics relay restarts the
// phone right after answering Restart; only with WaitForDisconnect does it
// wait for the client to leave.
func TestRestartWithoutWaitForDisconnect(t *testing.T) {
	for _, wait := range []bool{false, true} {
		sc, _ := Builtin("healthy")
		sc.PlaintextSession = true // read the relay's answers in the clear
		sc.RebootDelay = time.Hour
		srv := startSim(t, sc)
		m, d := startSession(t, srv)
		p := srv.Phones()[0]
		if str(d, "Error") != "" {
			t.Fatal(d)
		}
		if d := m.ld(map[string]any{"Request": "StartService", "Service": DiagnosticsRelayService}); str(d, "Error") != "" {
			t.Fatal(d)
		}
		relay := dialMux(t, srv)
		if n := relay.connect(p.DeviceID, DiagnosticsRelayPort); n != 0 {
			t.Fatalf("connect to the relay: %d", n)
		}
		req := map[string]any{"Request": "Restart"}
		if wait {
			req["WaitForDisconnect"] = true
		}
		if d := relay.ld(req); str(d, "Status") != "Success" {
			t.Fatal(d)
		}
		// The client stays connected: without WaitForDisconnect the phone
		// leaves the bus anyway.
		deadline := time.Now().Add(ioTimeout)
		for len(srv.Phones()) > 0 && time.Now().Before(deadline) && !wait {
			time.Sleep(5 * time.Millisecond)
		}
		gone := len(srv.Phones()) == 0
		if gone == wait {
			t.Errorf("WaitForDisconnect %v: phone gone while the client is connected: %v", wait, gone)
		}
		if wait {
			_ = relay.c.Close()
			deadline := time.Now().Add(ioTimeout)
			for len(srv.Phones()) > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if len(srv.Phones()) != 0 {
				t.Error("WaitForDisconnect: the phone did not restart after the client left")
			}
		}
	}
}

// TestIdleConnectionsClosed: connections that send nothing, or half a
// frame, are closed after IdleTimeout, so a client holding many idle
// connections does not hold as many of the simulator's descriptors.
func TestIdleConnectionsClosed(t *testing.T) {
	sc, _ := Builtin("healthy")
	sc.IdleTimeout = 200 * time.Millisecond
	srv := startSim(t, sc)
	network, address, err := ParseAddress(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range n {
		c, err := net.DialTimeout(network, address, ioTimeout)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if i%2 == 1 {
			_, _ = c.Write([]byte{0xFF, 0, 0, 0, 1}) // half a header
		}
	}
	// A Listen stream is idle by nature and stays.
	listen := dialMux(t, srv)
	if n := resultNumber(t, listen.request(map[string]any{"MessageType": "Listen"})); n != 0 {
		t.Fatalf("Listen: %d", n)
	}
	deadline := time.Now().Add(20 * sc.IdleTimeout)
	for srv.openConns() > 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := srv.openConns(); got != 1 {
		t.Fatalf("%d connections still open after %v idle, want only the Listen stream", got, 20*sc.IdleTimeout)
	}
	// Every idle client sees its connection closed.
	for _, c := range conns[:10] {
		_ = c.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("an idle connection is still served")
		}
	}
}
