package sim

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

// withDefaults fills zero fields: identity from Phone A, USB ids by mode,
// LocationID as Linux usbmuxd computes it ((bus << 16) | address, usb.c
// usb_get_location) and ConnectionSpeed from SpeedMbps.
func (p Phone) withDefaults() Phone {
	a := PhoneA()
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&p.UDID, a.UDID)
	def(&p.ProductType, a.ProductType)
	def(&p.ProductVersion, a.ProductVersion)
	def(&p.BuildVersion, a.BuildVersion)
	def(&p.DeviceName, a.DeviceName)
	def(&p.DeviceClass, a.DeviceClass)
	def(&p.HardwareModel, a.HardwareModel)
	def(&p.SerialNumber, a.SerialNumber)
	def(&p.Trust, TrustTrusted)
	if p.Mode == "" {
		p.Mode = mode.Normal
	}
	if p.CPID == 0 || p.ECID == 0 {
		cpid, ecid, ok := splitNewUDID(p.UDID)
		if ok {
			if p.CPID == 0 {
				p.CPID = cpid
			}
			if p.ECID == 0 {
				p.ECID = ecid
			}
		}
	}
	if p.ProductID == 0 {
		switch p.Mode {
		case mode.Recovery:
			p.ProductID = 0x1281
		case mode.DFU:
			p.ProductID = 0x1227
		case mode.WTF:
			p.ProductID = 0x1222
		case mode.PortDFU:
			p.ProductID = 0xF014
		default:
			p.ProductID = 0x12A8
		}
	}
	if p.Bus == 0 {
		p.Bus = 1
	}
	if p.Address == 0 {
		p.Address = a.Address
	}
	if len(p.PortPath) == 0 {
		p.PortPath = slices.Clone(a.PortPath)
	} else {
		p.PortPath = slices.Clone(p.PortPath)
	}
	if len(p.PortPath) > 1 {
		p.BehindHub = true
	}
	if p.SpeedMbps == 0 {
		p.SpeedMbps = 480
	}
	if p.ConnectionSpeed == 0 {
		p.ConnectionSpeed = int(p.SpeedMbps * 1e6)
	}
	if p.LocationID == 0 {
		p.LocationID = defaultLocation(p.Bus, p.Address)
	}
	if p.RecoverySerial == "" && p.Mode.IsLowLevel() {
		p.RecoverySerial = recoverySerial(p)
	}
	return p
}

func defaultLocation(bus, address int) uint32 { return uint32(bus)<<16 | uint32(address)&0xFFFF }

// reenumerated is the phone as it comes back after a flap: the host assigns a
// new USB address (and so a new LocationID) and usbmuxd a new DeviceID.
func (p Phone) reenumerated() Phone {
	old := p.Address
	p.Address = old%127 + 1
	if p.LocationID == defaultLocation(p.Bus, old) {
		p.LocationID = defaultLocation(p.Bus, p.Address)
	}
	p.DeviceID = 0
	return p
}

func (p Phone) clone() Phone {
	p.PortPath = slices.Clone(p.PortPath)
	p.Interfaces = slices.Clone(p.Interfaces)
	return p
}

// splitNewUDID parses a new-style UDID "0000CPID-ECID16HEX".
func splitNewUDID(udid string) (cpid uint32, ecid uint64, ok bool) {
	a, b, found := strings.Cut(udid, "-")
	if !found || len(a) != 8 || len(b) != 16 {
		return 0, 0, false
	}
	c, err1 := strconv.ParseUint(a, 16, 32)
	e, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uint32(c), e, true
}

// recoverySerial is the iBoot / SecureROM serial-number string of the phone in recovery or DFU.
func recoverySerial(p Phone) string {
	srtg := "iBoot-10151.120.3"
	if p.Mode != mode.Recovery {
		srtg = "iBoot-6723.0.0.0.2" // SecureROM
	}
	return fmt.Sprintf("SDOM:01 CPID:%04X CPRV:11 CPFM:03 SCEP:01 BDID:%02X ECID:%016X IBFL:3C SRTG:[%s]",
		p.CPID, p.BDID, p.ECID, srtg)
}

// usbSerial is the serial-number string descriptor: the UDID without dash in
// normal and restore mode, the iBoot string in recovery/DFU.
func (p Phone) usbSerial() string {
	if p.Mode.IsLowLevel() {
		return p.RecoverySerial
	}
	return strings.ReplaceAll(p.UDID, "-", "")
}

func hostIDFor(udid string) string {
	sum := sha256.Sum256([]byte("restoredoctor-sim host " + normUDID(udid)))
	h := strings.ToUpper(fmt.Sprintf("%x", sum[:16]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func wifiAddress(udid string) string {
	sum := sha256.Sum256([]byte("wifi " + normUDID(udid)))
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", sum[0]&0xFE|0x02, sum[1], sum[2], sum[3], sum[4], sum[5])
}

// devicePublicKeyPEM is what lockdownd reports as DevicePublicKey: a real
// 2048-bit RSA public key (PKCS#1 PEM), since libimobiledevice parses it to
// build a pair record before it sends Pair. Its private half was discarded;
// the simulator never does TLS. A constant, so no request pays for key generation.
const devicePublicKeyPEM = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAqLYTiQ/4CJT0npZQJ1oCNQA3dfemZO/BXZU78a6Pr3ubUS4/NsIN
GFUnOEgGJgnQ3X6amSxauXLVrQMgrwhmZiSwfoEFiVVvf/CvMpjRnBJCy7ex7E03
c9pEWMPu3b0n9yqM+j4cKyVP6hQBZiZlsNU+oDmDEzg5B6V+MaiPXtrmCiKH5hjI
NQHQNWoLK9+Xfes4VyXddXVTJ/BMHoaFcwsHY+3gGh8M2LRoZf8dJaD+Rr6T8d8V
rkdT8DND+Fbimn/KyINzNUODPcfv9CaJTU1J6mNUyDOHcGpTM1OnLlz7hylU+QkC
hDOUW2OSM4+fGu/p+ISPUn/re5ihpgUKOQIDAQAB
-----END RSA PUBLIC KEY-----
`

func devicePublicKey() []byte { return []byte(devicePublicKeyPEM) }

func plistMarshalXML(v any) ([]byte, error) { return plist.Marshal(v, plist.XMLFormat) }

// publicValues are the lockdownd values a host may read without a session
// (unpaired or before StartSession), the set real lockdownd answers there.
func (p Phone) publicValues() map[string]any {
	arch := "arm64e"
	if p.CPID != 0 && p.CPID < 0x8020 && p.CPID != 0x8006 {
		arch = "arm64"
	}
	return map[string]any{
		"BasebandCertId":                    3840149528,
		"BoardId":                           p.BDID,
		"BuildVersion":                      p.BuildVersion,
		"CPUArchitecture":                   arch,
		"ChipID":                            p.CPID,
		"DeviceClass":                       p.DeviceClass,
		"DeviceColor":                       "1",
		"DevicePublicKey":                   devicePublicKey(),
		"DeviceName":                        p.DeviceName,
		"DieID":                             p.ECID ^ 0x0F0F0F0F,
		"HardwareModel":                     p.HardwareModel,
		"HasSiDP":                           true,
		"HumanReadableProductVersionString": p.ProductVersion,
		"PartitionType":                     "GUID_partition_scheme",
		"ProductName":                       "iPhone OS",
		"ProductType":                       p.ProductType,
		"ProductVersion":                    p.ProductVersion,
		"ProductionSOC":                     true,
		"ProtocolVersion":                   "2",
		"SupportedDeviceFamilies":           []int{1},
		"TelephonyCapability":               true,
		"UniqueChipID":                      p.ECID,
		"UniqueDeviceID":                    p.UDID,
		"WiFiAddress":                       wifiAddress(p.UDID),
	}
}

// allValues are the values readable inside a session (trusted host).
func (p Phone) allValues() map[string]any {
	v := p.publicValues()
	v["SerialNumber"] = p.SerialNumber
	v["ActivationState"] = "Activated"
	v["ActivationStateAcknowledged"] = true
	v["BluetoothAddress"] = wifiAddress(p.UDID + "bt")
	v["FirmwareVersion"] = "iBoot-10151.120.3"
	v["HostAttached"] = true
	v["TrustedHostAttached"] = true
	v["PasswordProtected"] = false
	v["ModelNumber"] = "MLL63"
	v["RegionInfo"] = "ZD/A"
	v["TimeZone"] = "Europe/Berlin"
	v["Uses24HourClock"] = true
	return v
}

// restoreValues are what restored answers to QueryValue in restore mode.
func (p Phone) restoreValues() map[string]any {
	return map[string]any{
		"HardwareModel":  p.HardwareModel,
		"ProductType":    p.ProductType,
		"SerialNumber":   p.SerialNumber,
		"UniqueChipID":   p.ECID,
		"UniqueDeviceID": p.UDID,
		"ChipID":         p.CPID,
		"BoardId":        p.BDID,
	}
}
