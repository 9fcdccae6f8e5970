package usbmux

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	for _, tc := range []struct {
		in      string
		network string
		addr    string
		str     string
	}{
		{"UNIX:/var/run/usbmuxd", "unix", "/var/run/usbmuxd", "unix:///var/run/usbmuxd"},
		{"unix:/var/run/usbmuxd", "unix", "/var/run/usbmuxd", "unix:///var/run/usbmuxd"},
		{"unix:///var/run/usbmuxd", "unix", "/var/run/usbmuxd", "unix:///var/run/usbmuxd"},
		{"UNIX:///tmp/mux", "unix", "/tmp/mux", "unix:///tmp/mux"},
		{"Unix:/tmp/a b", "unix", "/tmp/a b", "unix:///tmp/a b"},
		{"/var/run/usbmuxd", "unix", "/var/run/usbmuxd", "unix:///var/run/usbmuxd"},
		{"  /tmp/mux\n", "unix", "/tmp/mux", "unix:///tmp/mux"},
		{"./mux.sock", "unix", "./mux.sock", "unix://./mux.sock"},
		{"127.0.0.1:27015", "tcp", "127.0.0.1:27015", "tcp://127.0.0.1:27015"},
		{"localhost:27015", "tcp", "localhost:27015", "tcp://localhost:27015"},
		{"tcp://127.0.0.1:27015", "tcp", "127.0.0.1:27015", "tcp://127.0.0.1:27015"},
		{"TCP://[::1]:27015", "tcp", "[::1]:27015", "tcp://[::1]:27015"},
		{"[::1]:27015", "tcp", "[::1]:27015", "tcp://[::1]:27015"},
		{"tcp:127.0.0.1:27015", "tcp", "127.0.0.1:27015", "tcp://127.0.0.1:27015"},
		{"host:027015", "tcp", "host:27015", "tcp://host:27015"},
		// Windows paths are socket paths, not host:port.
		{`C:\Users\me\AppData\Local\Temp\mux.sock`, "unix", `C:\Users\me\AppData\Local\Temp\mux.sock`, `unix://C:\Users\me\AppData\Local\Temp\mux.sock`},
		{`c:/tmp/mux.sock`, "unix", `c:/tmp/mux.sock`, `unix://c:/tmp/mux.sock`},
		{`\\server\share\mux.sock`, "unix", `\\server\share\mux.sock`, `unix://\\server\share\mux.sock`},
		{`.\mux.sock`, "unix", `.\mux.sock`, `unix://.\mux.sock`},
		{`..\run\mux.sock`, "unix", `..\run\mux.sock`, `unix://..\run\mux.sock`},
		{`unix:C:\mux.sock`, "unix", `C:\mux.sock`, `unix://C:\mux.sock`},
		{`UNIX://D:\mux.sock`, "unix", `D:\mux.sock`, `unix://D:\mux.sock`},
		{"c:27015", "tcp", "c:27015", "tcp://c:27015"}, // a host named c, not a drive
	} {
		a, err := ParseAddress(tc.in)
		if err != nil {
			t.Errorf("ParseAddress(%q): %v", tc.in, err)
			continue
		}
		if a.Network != tc.network || a.Addr != tc.addr || a.String() != tc.str {
			t.Errorf("ParseAddress(%q) = %+v %q, want %s %s %q", tc.in, a, a, tc.network, tc.addr, tc.str)
		}
		// The canonical form parses back to itself.
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Errorf("round trip %q → %+v, %v", a, b, err)
		}
	}
}

func TestParseAddressRejects(t *testing.T) {
	for _, tc := range []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"usbmuxd", "neither"},
		{"unix://", "empty socket path"},
		{"UNIX:", "empty socket path"},
		{"http://localhost:80", "unknown scheme"},
		{"tcp://localhost", "not host:port"},
		{"tcp://:27015", "empty host"},
		{"localhost:0", "bad port"},
		{"localhost:99999", "bad port"},
		{"localhost:http", "bad port"},
		{"a:b:c", "not host:port"},
		{"/tmp/mux\x00", "control character"},
		{"://", "unknown scheme"},
		{"1:", "bad port"},
		{`C:`, "bad port"},
	} {
		_, err := ParseAddress(tc.in)
		var ae *AddressError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("ParseAddress(%q) err = %v, want an AddressError saying %q", tc.in, err, tc.reason)
		}
	}
}

func TestResolveAddress(t *testing.T) {
	for _, tc := range []struct {
		flag, env, goos string
		want            string
		errSays         string
	}{
		{"", "", "linux", "unix:///var/run/usbmuxd", ""},
		{"", "", "darwin", "unix:///var/run/usbmuxd", ""},
		{"", "", "windows", "tcp://127.0.0.1:27015", ""},
		{"", "UNIX:/tmp/env", "linux", "unix:///tmp/env", ""},
		{"/tmp/flag", "UNIX:/tmp/env", "linux", "unix:///tmp/flag", ""},
		{"", "bogus", "linux", "", "$USBMUXD_SOCKET_ADDRESS"},
		{"bogus", "/tmp/env", "linux", "", "--usbmuxd"},
	} {
		a, err := resolveAddress(tc.flag, tc.env, tc.goos)
		if tc.errSays != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errSays) {
				t.Errorf("resolve(%q, %q) err = %v, want it to name %s", tc.flag, tc.env, err, tc.errSays)
			}
			continue
		}
		if err != nil || a.String() != tc.want {
			t.Errorf("resolve(%q, %q, %s) = %q, %v; want %q", tc.flag, tc.env, tc.goos, a, err, tc.want)
		}
	}
	t.Setenv(EnvSocketAddress, "tcp://127.0.0.1:1234")
	if a, err := ResolveAddress(""); err != nil || a.String() != "tcp://127.0.0.1:1234" {
		t.Errorf("ResolveAddress with env = %q, %v", a, err)
	}
}

func TestParseListenAddress(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"tcp://127.0.0.1:0", "tcp://127.0.0.1:0"},
		{"127.0.0.1:0", "tcp://127.0.0.1:0"},
		{"127.0.0.1:27015", "tcp://127.0.0.1:27015"},
		{`C:\Temp\sim.sock`, `unix://C:\Temp\sim.sock`},
		{"/tmp/sim.sock", "unix:///tmp/sim.sock"},
	} {
		a, err := ParseListenAddress(tc.in)
		if err != nil || a.String() != tc.want {
			t.Errorf("ParseListenAddress(%q) = %q, %v, want %q", tc.in, a, err, tc.want)
		}
	}
	var ae *AddressError
	if _, err := ParseListenAddress("localhost:99999"); !errors.As(err, &ae) {
		t.Errorf("ParseListenAddress(port 99999) err = %v, want an AddressError", err)
	}
	// Dialing port 0 makes no sense: ParseAddress still rejects it.
	if _, err := ParseAddress("127.0.0.1:0"); !errors.As(err, &ae) {
		t.Errorf("ParseAddress(port 0) err = %v, want an AddressError", err)
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{`C:\x.sock`, `\\h\s`, `.\x`, "c:1", "UNIX:/var/run/usbmuxd", "unix:///x", "/x", "127.0.0.1:27015", "tcp://[::1]:1", "tcp:h:1", "::", "unix:", "a:b:c", "\x00", "tcp://h:65536"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			if a != (Address{}) {
				t.Fatalf("error with non-zero address %+v", a)
			}
			return
		}
		if a.Network != "unix" && a.Network != "tcp" {
			t.Fatalf("network %q", a.Network)
		}
		if a.Addr == "" {
			t.Fatalf("empty addr for %q", s)
		}
		// The canonical form must be stable and acceptable to go-ios (scheme://address).
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q → %q → %+v, %v", s, a, b, err)
		}
		if !strings.Contains(a.String(), "://") {
			t.Fatalf("String() %q lacks a scheme", a)
		}
	})
}

func TestStartsOnDemand(t *testing.T) {
	tests := []struct {
		goos string
		addr Address
		want bool
	}{
		{"linux", Address{Network: "unix", Addr: "/var/run/usbmuxd"}, true},
		{"linux", Address{Network: "unix", Addr: "/tmp/sim.sock"}, false},
		{"linux", Address{Network: "tcp", Addr: "127.0.0.1:27015"}, false},
		{"darwin", Address{Network: "unix", Addr: "/var/run/usbmuxd"}, false},
		{"windows", Address{Network: "tcp", Addr: "127.0.0.1:27015"}, false},
	}
	for _, tc := range tests {
		if got := startsOnDemandFor(tc.goos, tc.addr); got != tc.want {
			t.Errorf("startsOnDemandFor(%s, %v) = %v, want %v", tc.goos, tc.addr, got, tc.want)
		}
	}
}
