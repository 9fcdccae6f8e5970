package usbmux_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
)

// TestQueryLockdownOneGetValue: against the simulator the query asks
// QueryType, one GetValue without a Key and ValidatePair, on one usbmuxd
// connection that first reads the pair record.
func TestQueryLockdownOneGetValue(t *testing.T) {
	srv := startSim(t, "healthy")
	c := clientFor(t, srv.Addr(), 3*time.Second)
	e := listOne(t, c)
	before := srv.Stats()
	info, err := c.QueryLockdown(ctxT(t, 10*time.Second), e)
	if err != nil || info.ProductVersion != "17.5.1" || info.DeviceName == "" || info.Trust != usbmux.TrustTrusted || len(info.Refused) != 0 {
		t.Fatalf("QueryLockdown = %+v, %v", info, err)
	}
	after := srv.Stats()
	if n := after.Requests["lockdown:GetValue"] - before.Requests["lockdown:GetValue"]; n != 1 {
		t.Errorf("%d GetValue requests, want 1", n)
	}
	if n := after.Connections - before.Connections; n != 1 {
		t.Errorf("%d usbmuxd connections, want 1 (pair record and tunnel on the same one)", n)
	}
}

// TestQueryLockdownKeyByKey: a lockdownd that refuses GetValue without a Key
// is asked key by key, and each refusal is kept with its reason.
func TestQueryLockdownKeyByKey(t *testing.T) {
	addr := fakeLockdownd(t, func(req map[string]any) map[string]any {
		key, _ := req["Key"].(string)
		switch req["Request"] {
		case "QueryType":
			return map[string]any{"Request": "QueryType", "Type": usbmux.TypeLockdown}
		case "GetValue":
			switch key {
			case "":
				return map[string]any{"Request": "GetValue", "Error": "GetProhibited"}
			case "DeviceName":
				return map[string]any{"Request": "GetValue", "Key": key, "Error": "MissingValue"}
			}
			return map[string]any{"Request": "GetValue", "Key": key, "Value": "v-" + key}
		case "ValidatePair":
			return map[string]any{"Request": "ValidatePair", "Error": "InvalidHostID"}
		}
		return map[string]any{"Error": "UnknownRequest"}
	})
	c := clientFor(t, addr, 3*time.Second)
	info, err := c.QueryLockdown(ctxT(t, 10*time.Second), usbmux.Entry{UDID: "fake", DeviceID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if info.ProductVersion != "v-ProductVersion" || info.UniqueDeviceID != "v-UniqueDeviceID" {
		t.Errorf("values %+v, want each key's own answer", info.Values)
	}
	if info.Refused["DeviceName"] != "MissingValue" || len(info.Refused) != 1 {
		t.Errorf("refused %v, want DeviceName: MissingValue", info.Refused)
	}
	if info.Trust != usbmux.TrustNotTrusted {
		t.Errorf("trust %q (%s), want not_trusted", info.Trust, info.TrustDetail)
	}
}

// fakeLockdownd is a usbmuxd with one phone whose lockdownd answers with
// answer; it has no pair record. It returns the usbmuxd address.
func fakeLockdownd(t *testing.T, answer func(req map[string]any) map[string]any) string {
	t.Helper()
	return fakeUsbmuxd(t, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		for {
			h, payload, err := sim.ReadMuxFrame(c)
			if err != nil {
				return
			}
			req, err := sim.DecodeDict(payload)
			if err != nil {
				return
			}
			result := 2 // no pair record
			if req["MessageType"] == "Connect" {
				result = 0
			}
			f, _ := sim.EncodeMuxPlist(h.Tag, map[string]any{"MessageType": "Result", "Number": result})
			if _, err := c.Write(f); err != nil || result == 0 {
				break
			}
		}
		for {
			payload, err := sim.ReadLockdownFrame(c)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Logf("fake lockdownd: %v", err)
				}
				return
			}
			req, err := sim.DecodeDict(payload)
			if err != nil {
				return
			}
			f, _ := sim.EncodeLockdownPlist(answer(req))
			if _, err := c.Write(f); err != nil {
				return
			}
		}
	})
}
