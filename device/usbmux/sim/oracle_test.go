package sim

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The outside oracle: libimobiledevice's own tools must list and describe the
// simulated phones. If they disagree with the simulator, the simulator is wrong.
//
// libusbmuxd 2.0.x accepts USBMUXD_SOCKET_ADDRESS only as "UNIX:/path"
// (upper-case, one colon) or "host:port"; "unix:///path" and a bare path
// fall back to /var/run/usbmuxd. Server.LibimobiledeviceAddr gives the right form.

const toolTimeout = 20 * time.Second

func needTool(t *testing.T, name string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skipf("%s: libimobiledevice's tools are checked against the simulator on Linux", name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install libimobiledevice-utils (make deps)", name)
	}
	return p
}

// runTool runs a libimobiledevice tool against the simulator and returns stdout, stderr and the exit code.
func runTool(t *testing.T, addr string, name string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, needTool(t, name), args...)
	cmd.Env = append(os.Environ(), "USBMUXD_SOCKET_ADDRESS="+addr)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v: timed out after %v (stderr %q)", name, args, toolTimeout, errb.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return out.String(), errb.String(), code
}

// keyValues parses ideviceinfo's "Key: value" output.
func keyValues(out string) map[string]string {
	m := map[string]string{}
	for line := range strings.Lines(out) {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\n"), ": ")
		if ok && !strings.HasPrefix(k, " ") {
			m[k] = v
		}
	}
	return m
}

func TestOracleIdeviceID(t *testing.T) {
	tests := []struct {
		scenario string
		want     []string
	}{
		{"healthy", []string{PhoneA().UDID}},
		{"behind-hub", []string{PhoneB().UDID}},
		{"none", nil},
		{"recovery", nil}, // not listed by usbmuxd
		{"multi", []string{PhoneA().UDID, PhoneB().UDID, Multi(4).Phones[2].UDID, Multi(4).Phones[3].UDID}},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			srv := startBuiltin(t, tc.scenario)
			out, stderr, code := runTool(t, srv.LibimobiledeviceAddr(), "idevice_id", "-l")
			if code != 0 {
				t.Fatalf("idevice_id -l: exit %d, stderr %q", code, stderr)
			}
			got := strings.Fields(out)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("idevice_id -l = %q, want %q", got, want)
			}
			// The exact requests: one ListDevices, nothing else.
			st := srv.Stats()
			if st.Requests["ListDevices"] != 1 || len(st.Requests) != 1 {
				t.Errorf("idevice_id -l sent %v, want exactly one ListDevices", st.Requests)
			}
		})
	}
}

func TestOracleAddressForms(t *testing.T) {
	// TCP: libusbmuxd takes host:port as well.
	srv, err := Start(context.Background(), "127.0.0.1:0", Scenario{Phones: []Phone{PhoneA()}}, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out, stderr, code := runTool(t, srv.LibimobiledeviceAddr(), "idevice_id", "-l")
	if code != 0 || strings.TrimSpace(out) != PhoneA().UDID {
		t.Errorf("idevice_id -l over TCP %s: exit %d, out %q, stderr %q", srv.Addr(), code, out, stderr)
	}
}

func TestOracleIdeviceinfoSimple(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		phone    Phone
	}{
		{"healthy", PhoneA()},
		{"untrusted", PhoneA()}, // -s needs no pairing
		{"behind-hub", PhoneB()},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			srv := startBuiltin(t, tc.scenario)
			addr := srv.LibimobiledeviceAddr()
			out, stderr, code := runTool(t, addr, "ideviceinfo", "-s")
			if code != 0 {
				t.Fatalf("ideviceinfo -s: exit %d, stderr %q", code, stderr)
			}
			kv := keyValues(out)
			p := tc.phone
			for k, want := range map[string]string{
				"UniqueDeviceID": p.UDID, "ProductType": p.ProductType, "ProductVersion": p.ProductVersion,
				"BuildVersion": p.BuildVersion, "DeviceName": p.DeviceName, "HardwareModel": p.HardwareModel, "DeviceClass": "iPhone",
			} {
				if kv[k] != want {
					t.Errorf("ideviceinfo -s: %s = %q, want %q", k, kv[k], want)
				}
			}
			if _, ok := kv["SerialNumber"]; ok {
				t.Error("ideviceinfo -s (no session) shows SerialNumber")
			}
			st := srv.Stats()
			want := map[string]int{"ListDevices": 1, "Connect": 1, "lockdown:GetValue": 1}
			if !mapsEqual(st.Requests, want) {
				t.Errorf("ideviceinfo -s sent %v, want %v", st.Requests, want)
			}

			out, stderr, code = runTool(t, addr, "ideviceinfo", "-s", "-k", "ProductVersion")
			if code != 0 || strings.TrimSpace(out) != p.ProductVersion {
				t.Errorf("ideviceinfo -s -k ProductVersion: exit %d, out %q, stderr %q", code, out, stderr)
			}
			out, stderr, code = runTool(t, addr, "ideviceinfo", "-s", "-u", p.UDID, "-k", "DeviceName")
			if code != 0 || strings.TrimSpace(out) != p.DeviceName {
				t.Errorf("ideviceinfo -s -u: exit %d, out %q, stderr %q", code, out, stderr)
			}
			out, _, code = runTool(t, addr, "ideviceinfo", "-s", "-u", "00008110-FFFFFFFFFFFFFFFF")
			if code == 0 || !strings.Contains(out, "not found") {
				t.Errorf("ideviceinfo -s -u <absent>: exit %d, out %q", code, out)
			}
			out, stderr, code = runTool(t, addr, "idevice_id", p.UDID)
			if code != 0 || strings.TrimSpace(out) != p.DeviceName {
				t.Errorf("idevice_id UDID: exit %d, out %q, stderr %q", code, out, stderr)
			}
		})
	}
}

func TestOracleIdeviceinfoMulti(t *testing.T) {
	srv := startBuiltin(t, "multi")
	for _, p := range Multi(4).Phones {
		out, stderr, code := runTool(t, srv.LibimobiledeviceAddr(), "ideviceinfo", "-s", "-u", p.UDID, "-k", "UniqueDeviceID")
		if code != 0 || strings.TrimSpace(out) != p.UDID {
			t.Errorf("ideviceinfo -u %s: exit %d, out %q, stderr %q", p.UDID, code, out, stderr)
		}
	}
}

// TestOracleIdeviceinfoHandshake runs ideviceinfo without -s: QueryType,
// ReadPairRecord, ReadBUID, StartSession (answered without TLS), a private
// value, StopSession. Untrusted phones must make it fail with the pairing error.
func TestOracleIdeviceinfoHandshake(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	out, stderr, code := runTool(t, srv.LibimobiledeviceAddr(), "ideviceinfo", "-k", "SerialNumber")
	if code != 0 || strings.TrimSpace(out) != PhoneA().SerialNumber {
		t.Errorf("ideviceinfo -k SerialNumber (trusted): exit %d, out %q, stderr %q", code, out, stderr)
	}
	for _, k := range []string{"ReadPairRecord", "ReadBUID", "lockdown:QueryType", "lockdown:StartSession"} {
		if srv.Stats().Requests[k] == 0 {
			t.Errorf("handshake did not send %s: %v", k, srv.Stats().Requests)
		}
	}

	un := startBuiltin(t, "untrusted")
	out, stderr, code = runTool(t, un.LibimobiledeviceAddr(), "ideviceinfo", "-k", "SerialNumber")
	if code == 0 || strings.Contains(out, PhoneA().SerialNumber) {
		t.Errorf("ideviceinfo on an untrusted phone succeeded: out %q", out)
	}
	if !strings.Contains(strings.ToLower(stderr+out), "pair") {
		t.Errorf("untrusted: no pairing error in output: out %q, stderr %q", out, stderr)
	}
	if un.Stats().Requests["lockdown:Pair"] == 0 {
		t.Errorf("untrusted: libimobiledevice did not try Pair: %v", un.Stats().Requests)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
