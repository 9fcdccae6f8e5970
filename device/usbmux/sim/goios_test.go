package sim

import (
	"net"
	"testing"
	"time"

	"github.com/danielpaulus/go-ios/ios"
)

// go-ios is the second outside client (the one device/usbmux builds on): its
// usbmuxd and lockdownd code must understand the simulator. go-ios sets no
// deadlines, so every connection here is dialled by the test with one.
func goiosConn(t *testing.T, srv *Server) *ios.UsbMuxConnection {
	t.Helper()
	network, address, err := ParseAddress(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout(network, address, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	t.Cleanup(func() { _ = c.Close() })
	return ios.NewUsbMuxConnection(ios.NewDeviceConnectionWithConn(c))
}

func TestGoIOSClient(t *testing.T) {
	srv := startBuiltin(t, "healthy")
	a := PhoneA()

	list, err := goiosConn(t, srv).ListDevices()
	if err != nil {
		t.Fatal(err)
	}
	if len(list.DeviceList) != 1 {
		t.Fatalf("go-ios ListDevices: %+v", list)
	}
	dev := list.DeviceList[0]
	pr := dev.Properties
	if pr.SerialNumber != a.UDID || pr.ConnectionType != "USB" || pr.LocationID != 0x10005 || pr.ProductID != 0x12A8 ||
		pr.ConnectionSpeed != 480000000 || dev.DeviceID != pr.DeviceID || dev.DeviceID == 0 {
		t.Errorf("go-ios device entry %+v", dev)
	}

	buid, err := goiosConn(t, srv).ReadBuid()
	if err != nil || len(buid) != 36 {
		t.Errorf("ReadBuid %q %v", buid, err)
	}
	rec, err := goiosConn(t, srv).ReadPair(a.UDID)
	if err != nil || rec.HostID == "" || rec.SystemBUID != buid {
		t.Errorf("ReadPair %+v %v", rec, err)
	}

	// Listen: Attached for the present phone, then a new one.
	lc := goiosConn(t, srv)
	next, err := lc.Listen()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := next()
	if err != nil || !msg.DeviceAttached() || msg.Properties.SerialNumber != a.UDID {
		t.Fatalf("first Listen message %+v %v", msg, err)
	}
	idB := srv.Attach(PhoneB())
	msg, err = next()
	if err != nil || !msg.DeviceAttached() || msg.DeviceID != idB {
		t.Fatalf("attach message %+v %v", msg, err)
	}
	srv.Detach(idB)
	msg, err = next()
	if err != nil || !msg.DeviceDetached() || msg.DeviceID != idB {
		t.Fatalf("detach message %+v %v", msg, err)
	}

	// Lockdown without a session, then with one (no TLS in the simulator).
	ld, err := goiosConn(t, srv).ConnectLockdown(dev.DeviceID)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ld.GetProductVersion(); err != nil || v != a.ProductVersion {
		t.Errorf("GetProductVersion %q %v", v, err)
	}
	all, err := ld.GetValues()
	if err != nil {
		t.Fatal(err)
	}
	v := all.Value
	if v.ProductType != a.ProductType || v.DeviceName != a.DeviceName || v.UniqueDeviceID != a.UDID ||
		v.HardwareModel != a.HardwareModel || v.ChipID != 0x8110 || v.UniqueChipID != a.ECID || v.SerialNumber != "" {
		t.Errorf("GetValues %+v", v)
	}
	resp, err := ld.StartSession(rec)
	if err != nil || resp.SessionID == "" || !resp.EnableSessionSSL { // TLS, as on a real phone
		t.Fatalf("StartSession %+v %v", resp, err)
	}
	if sn, err := ld.GetValue("SerialNumber"); err != nil || sn != a.SerialNumber {
		t.Errorf("SerialNumber in session: %v %v", sn, err)
	}
	ld.Close() // StopSession + close

	// Connect to a port nobody listens on.
	if err := goiosConn(t, srv).Connect(dev.DeviceID, 1234); err == nil {
		t.Error("Connect to port 1234 succeeded")
	}
	if st := srv.Stats(); st.Requests["lockdown:StopSession"] != 1 || st.Requests["Connect"] != 2 {
		t.Errorf("stats %+v", st.Requests)
	}
}

func TestGoIOSUntrusted(t *testing.T) {
	srv := startBuiltin(t, "untrusted")
	if _, err := goiosConn(t, srv).ReadPair(PhoneA().UDID); err == nil {
		t.Error("ReadPair on an untrusted phone succeeded")
	}
	ld, err := goiosConn(t, srv).ConnectLockdown(firstDeviceID(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ld.StartSession(ios.PairRecord{HostID: "x"}); err == nil {
		t.Error("StartSession on an untrusted phone succeeded")
	}
	if v, err := ld.GetProductVersion(); err != nil || v != "17.5.1" {
		t.Errorf("unpaired ProductVersion %q %v", v, err)
	}
}
