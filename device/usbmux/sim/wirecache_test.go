package sim

import (
	"testing"
)

// TestReplyCacheFollowsSessionAndPhone: cached answers are the phone's own
// and follow the session state; every request is still counted.
func TestReplyCacheFollowsSessionAndPhone(t *testing.T) {
	a := PhoneA()
	srv := startSim(t, Scenario{Phones: []Phone{a}, PlaintextSession: true}) // the session's answers read in the clear
	id := firstDeviceID(t, srv)
	m := lockdownTo(t, srv, id)
	get := func(key string) map[string]any {
		t.Helper()
		return m.ld(map[string]any{"Request": "GetValue", "Key": key})
	}
	for i := range 3 {
		if r := get("ProductVersion"); str(r, "Value") != a.ProductVersion || str(r, "Key") != "ProductVersion" {
			t.Fatalf("GetValue #%d = %v, want %s", i, r, a.ProductVersion)
		}
		// SerialNumber needs a session: refused before it, answered in it.
		if r := get("SerialNumber"); str(r, "Error") != "MissingValue" {
			t.Fatalf("GetValue SerialNumber without a session #%d = %v, want MissingValue", i, r)
		}
	}
	if r := m.ld(map[string]any{"Request": "StartSession", "HostID": hostIDFor(a.UDID), "SystemBUID": srv.buid}); str(r, "SessionID") == "" {
		t.Fatalf("StartSession = %v", r)
	}
	if r := get("SerialNumber"); str(r, "Value") != a.SerialNumber {
		t.Fatalf("GetValue SerialNumber in a session = %v, want %s", r, a.SerialNumber)
	}
	if r := m.ld(map[string]any{"Request": "StopSession"}); str(r, "Error") != "" {
		t.Fatalf("StopSession = %v", r)
	}
	if r := get("SerialNumber"); str(r, "Error") != "MissingValue" {
		t.Fatalf("GetValue SerialNumber after StopSession = %v, want MissingValue", r)
	}
	if n := srv.Stats().Requests["lockdown:GetValue"]; n != 8 {
		t.Errorf("lockdown:GetValue counted %d times, want 8", n)
	}

	// Another phone re-attached under the same DeviceID answers for itself.
	if !srv.Detach(id) {
		t.Fatal("Detach failed")
	}
	b := PhoneB()
	b.DeviceID = id
	if got := srv.Attach(b); got != id {
		t.Fatalf("re-attach got DeviceID %d, want %d", got, id)
	}
	m2 := lockdownTo(t, srv, id)
	if r := m2.ld(map[string]any{"Request": "GetValue", "Key": "ProductVersion"}); str(r, "Value") != b.ProductVersion || b.ProductVersion == a.ProductVersion {
		t.Fatalf("GetValue after re-attach = %v, want %s (not %s)", r, b.ProductVersion, a.ProductVersion)
	}
}

// TestRequestCacheStillRefusesBadFrames: a payload that once decoded is
// served from the cache, one that does not is refused every time.
func TestRequestCacheStillRefusesBadFrames(t *testing.T) {
	var c requestCache
	good := []byte(`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>Request</key><string>QueryType</string></dict></plist>`)
	for range 2 {
		d, err := c.decode(good)
		if err != nil || str(d, "Request") != "QueryType" {
			t.Fatalf("decode(good) = %v, %v", d, err)
		}
	}
	bad := []byte(`<?xml version="1.0"?><plist version="1.0"><array><string>x</string></array></plist>`)
	for range 2 {
		if _, err := c.decode(bad); err == nil {
			t.Fatal("decode(not a dictionary) succeeded")
		}
	}
	for i := range maxCachedRequests + 5 {
		p := []byte(`<plist version="1.0"><dict><key>N</key><integer>` + string(rune('0'+i%10)) + `</integer><key>I</key><string>` + string(rune(0x4e00+i)) + `</string></dict></plist>`)
		if _, err := c.decode(p); err != nil {
			t.Fatalf("decode #%d: %v", i, err)
		}
	}
	if len(c.m) > maxCachedRequests {
		t.Errorf("request cache holds %d entries, bound %d", len(c.m), maxCachedRequests)
	}
}
