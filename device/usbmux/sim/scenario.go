package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

// Trust states of a simulated phone towards this computer.
const (
	// TrustTrusted: usbmuxd holds a pair record, ValidatePair and StartSession succeed.
	TrustTrusted = "trusted"
	// TrustUntrusted: no pair record; ValidatePair/StartSession answer InvalidHostID,
	// Pair answers PairingDialogResponsePending (the phone shows "Trust This Computer?").
	TrustUntrusted = "untrusted"
	// TrustPending: like untrusted, but the Trust dialog is already up and
	// ValidatePair answers PairingDialogResponsePending too.
	TrustPending = "pending"
	// TrustDenied: the user tapped "Don't Trust": Pair answers UserDeniedPairing.
	TrustDenied = "denied"
)

// Garbage kinds for Scenario.Garbage.
const (
	// GarbageBadLength answers every request with a header claiming 0xFFFFFFF0 bytes.
	GarbageBadLength = "bad-length"
	// GarbageNotPlist answers every request with a valid header and a payload that is no plist.
	GarbageNotPlist = "not-plist"
	// GarbageBombLockdown answers lockdownd GetValue with a 400-byte binary
	// plist whose Value expands, through shared references, to 2^70 strings.
	GarbageBombLockdown = "bomb-lockdown"
	// GarbageBombListen sends the same bomb (under the key "Bomb" of an
	// Attached message) on every Listen stream after the initial attaches.
	GarbageBombListen = "bomb-listen"
	// GarbageBombSession answers every lockdownd request inside a session
	// (after StartSession, so inside TLS, the default) with the bomb.
	GarbageBombSession = "bomb-session"
	// GarbageBombRelay answers every diagnostics relay request with the bomb.
	GarbageBombRelay = "bomb-relay"
)

// BombLevels is how many times the bomb doubles: 2^70 strings once expanded.
const BombLevels = 70

// Phone is one simulated iPhone: its lockdownd identity, how usbmuxd lists it
// and how it looks on USB (for USBSource). Zero fields get defaults from Phone A
// of the shared identities (see PhoneA) when the phone is attached.
type Phone struct {
	UDID           string `json:",omitempty"`
	ProductType    string `json:",omitempty"`
	ProductVersion string `json:",omitempty"`
	BuildVersion   string `json:",omitempty"`
	DeviceName     string `json:",omitempty"`
	DeviceClass    string `json:",omitempty"`
	HardwareModel  string `json:",omitempty"`
	// SerialNumber is the Apple serial number (a private lockdown value, only in a session).
	SerialNumber string `json:",omitempty"`
	// CPID, BDID and ECID are the chip id, board id and unique chip id (lockdown
	// ChipID, BoardId, UniqueChipID; also the recovery serial string). Zero: derived
	// from a new-style UDID ("0000CPID-ECID") where possible.
	CPID uint32 `json:",omitempty"`
	BDID uint32 `json:",omitempty"`
	ECID uint64 `json:",omitempty"`

	// DeviceID is the usbmuxd device id; assigned by the server when 0 or taken.
	DeviceID int `json:",omitempty"`
	// ProductID is the USB product id; default by mode (0x12A8 normal/restore, 0x1281 recovery, 0x1227 DFU).
	ProductID int `json:",omitempty"`
	// LocationID is what usbmuxd reports; default (Bus << 16) | Address as Linux usbmuxd computes it (usb.c, usb_get_location).
	LocationID uint32 `json:",omitempty"`
	// ConnectionSpeed in bits/s as usbmuxd reports it; default SpeedMbps * 1e6.
	ConnectionSpeed int `json:",omitempty"`
	// Trust is TrustTrusted (default), TrustUntrusted, TrustPending or TrustDenied.
	Trust string `json:",omitempty"`
	// Mode is normal (default), restore (listed; QueryType answers com.apple.mobile.restored),
	// recovery or dfu (not listed by usbmuxd, only visible through USBSource).
	Mode mode.Mode `json:",omitempty"`

	// USB view (USBSource).
	Bus      int   `json:",omitempty"`
	Address  int   `json:",omitempty"`
	PortPath []int `json:",omitempty"`
	// SpeedMbps is the negotiated USB speed: 480 high speed (default), 12 full speed.
	SpeedMbps float64 `json:",omitempty"`
	BehindHub bool    `json:",omitempty"`
	// RecoverySerial is the iBoot serial string in recovery/DFU; default built from CPID, BDID, ECID.
	RecoverySerial string `json:",omitempty"`
	// Unlisted keeps a normal or restore-mode phone out of usbmuxd's list
	// and Listen stream (on USB, not for the computer's service); OffUSB keeps
	// it out of the USB view (listed, not on the bus). A trace replay
	// (replay.go) sets them as its events say.
	Unlisted bool `json:",omitempty"`
	OffUSB   bool `json:",omitempty"`
	// Configurations, Interfaces and Product are the USB view's cached
	// descriptor facts (usb.Device's), as a replayed trace recorded them.
	Configurations int      `json:",omitempty"`
	Interfaces     []string `json:",omitempty"`
	Product        string   `json:",omitempty"`
	// EnterRecoveryWithoutSession makes lockdownd accept EnterRecovery
	// without a session, as older iOS versions do; current ones answer
	// SessionInactive and need a paired session first.
	EnterRecoveryWithoutSession bool `json:",omitempty"`
	// CloudBackup is whether iCloud Backup is on: lockdownd's
	// CloudBackupEnabled in the com.apple.mobile.backup domain, answered
	// inside a paired session only (BackupDomain).
	CloudBackup bool `json:",omitempty"`
}

// Scenario is a set of phones plus the faults the simulator injects.
type Scenario struct {
	Name   string  `json:",omitempty"`
	Phones []Phone `json:",omitempty"`
	// LockdownLatency delays every lockdownd answer; LockdownJitter adds a random 0..jitter on top.
	LockdownLatency time.Duration `json:",omitempty"`
	LockdownJitter  time.Duration `json:",omitempty"`
	// LockdownDropAfter > 0 closes a lockdown tunnel right after its K-th answer.
	LockdownDropAfter int `json:",omitempty"`
	// FlapInterval > 0 detaches every scenario phone, then re-attaches it, alternating
	// every interval (a re-attach gets a new DeviceID and USB address, as a real re-enumeration).
	FlapInterval time.Duration `json:",omitempty"`
	// Hung makes usbmuxd accept connections and read requests but never answer.
	Hung bool `json:",omitempty"`
	// Garbage is "", GarbageBadLength, GarbageNotPlist, GarbageBombLockdown,
	// GarbageBombListen, GarbageBombSession or GarbageBombRelay.
	Garbage string `json:",omitempty"`
	// RebootDelay is how long a phone stays off the bus while it reboots
	// (EnterRecovery, diagnostics Restart, iBoot "reboot"); 0 = DefaultRebootDelay.
	RebootDelay time.Duration `json:",omitempty"`
	// PlaintextSession keeps lockdown sessions and services in the clear
	// after StartSession (EnableSessionSSL/EnableServiceSSL false), which no
	// current iOS does. By default (false) the phone switches to TLS, as real
	// phones do, and the pair record carries real certificates (generated per
	// server); only a scenario that asks for plaintext gets it.
	PlaintextSession bool `json:",omitempty"`
	// QueryTypeAnswer, when set, replaces lockdownd's answer to QueryType
	// (normal mode): "Error:X" answers with Error X, anything else is sent as
	// the Type (an unknown service type). Restore-mode phones are not affected.
	QueryTypeAnswer string `json:",omitempty"`
	// StartSessionError, when set, is lockdownd's Error for every StartSession.
	StartSessionError string `json:",omitempty"`
	// IOSFails makes iOS fail to start: a phone leaving recovery mode (iBoot
	// "reboot" after auto-boot was saved) comes back in recovery mode.
	IOSFails bool `json:",omitempty"`
	// IdleTimeout closes a client connection (usbmuxd requests, a lockdown
	// tunnel, a service) that sends no complete request for this long, also
	// in the middle of a frame; 0 = DefaultIdleTimeout. Listen streams,
	// where the client only reads, are not closed for idleness.
	IdleTimeout time.Duration `json:",omitempty"`
}

// DefaultIdleTimeout is Scenario.IdleTimeout when zero.
const DefaultIdleTimeout = 30 * time.Second

// sessionTLS reports whether StartSession switches the session to TLS.
func (sc Scenario) sessionTLS() bool { return !sc.PlaintextSession }

// idleTimeout is IdleTimeout or its default.
func (sc Scenario) idleTimeout() time.Duration {
	if sc.IdleTimeout > 0 {
		return sc.IdleTimeout
	}
	return DefaultIdleTimeout
}

// DefaultRebootDelay is Scenario.RebootDelay when zero: short enough for a
// demo, long enough to be seen as a departure and a return.
const DefaultRebootDelay = 3 * time.Second

// PhoneA is the shared test identity "Phone A" (iPhone 13 Pro Max, iOS 17.5.1, bus 1 address 5, port 2).
func PhoneA() Phone {
	return Phone{
		UDID:           "00008110-001A2B3C4D5E6F70",
		ProductType:    "iPhone14,3",
		ProductVersion: "17.5.1",
		BuildVersion:   "21F90",
		DeviceName:     "Test iPhone",
		DeviceClass:    "iPhone",
		HardwareModel:  "D64AP",
		SerialNumber:   "F2LXK0QJPLJM",
		CPID:           0x8110,
		BDID:           0x0E,
		ECID:           0x001A2B3C4D5E6F70,
		Trust:          TrustTrusted,
		Mode:           mode.Normal,
		Bus:            1,
		Address:        5,
		PortPath:       []int{2},
		SpeedMbps:      480,
	}
}

// PhoneB is the shared test identity "Phone B" (iPhone 8, iOS 16.7.8, bus 1 address 9, behind a hub at 1-1, port path [1 3]).
func PhoneB() Phone {
	return Phone{
		UDID:           "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		ProductType:    "iPhone10,4",
		ProductVersion: "16.7.8",
		BuildVersion:   "20H343",
		DeviceName:     "Second iPhone",
		DeviceClass:    "iPhone",
		HardwareModel:  "D201AP",
		SerialNumber:   "C39VK1ABJC6D",
		CPID:           0x8015,
		BDID:           0x0A,
		ECID:           0x000012345678ABCD,
		Trust:          TrustTrusted,
		Mode:           mode.Normal,
		Bus:            1,
		Address:        9,
		PortPath:       []int{1, 3},
		SpeedMbps:      480,
		BehindHub:      true,
	}
}

// Multi returns a scenario of n healthy phones (n < 1 counts as 1): Phone A, Phone B,
// then variants of Phone A with distinct UDIDs, ECIDs, names, addresses and ports.
func Multi(n int) Scenario {
	if n < 1 {
		n = 1
	}
	sc := Scenario{Name: "multi"}
	for i := range n {
		switch i {
		case 0:
			sc.Phones = append(sc.Phones, PhoneA())
		case 1:
			sc.Phones = append(sc.Phones, PhoneB())
		default:
			p := PhoneA()
			p.ECID = 0x001A2B3C4D5E0000 + uint64(i)
			p.UDID = fmt.Sprintf("%08X-%016X", p.CPID, p.ECID)
			p.DeviceName = fmt.Sprintf("Test iPhone %d", i+1)
			p.SerialNumber = fmt.Sprintf("F2LXK0QJP%03d", i)
			p.Bus = 2 + (i-2)/100
			p.Address = 10 + (i-2)%100
			p.PortPath = []int{1 + (i-2)%100}
			sc.Phones = append(sc.Phones, p)
		}
	}
	return sc
}

var builtins = map[string]func() Scenario{
	"healthy": func() Scenario { return Scenario{Phones: []Phone{PhoneA()}} },
	"none":    func() Scenario { return Scenario{} },
	"flapping": func() Scenario {
		return Scenario{Phones: []Phone{PhoneA()}, FlapInterval: 1500 * time.Millisecond}
	},
	"slow-lockdown": func() Scenario {
		return Scenario{Phones: []Phone{PhoneA()}, LockdownLatency: 800 * time.Millisecond, LockdownJitter: 400 * time.Millisecond}
	},
	"lockdown-drops": func() Scenario { return Scenario{Phones: []Phone{PhoneA()}, LockdownDropAfter: 2} },
	"untrusted": func() Scenario {
		p := PhoneA()
		p.Trust = TrustUntrusted
		return Scenario{Phones: []Phone{p}}
	},
	"hung":              func() Scenario { return Scenario{Phones: []Phone{PhoneA()}, Hung: true} },
	"garbage":           func() Scenario { return Scenario{Phones: []Phone{PhoneA()}, Garbage: GarbageBadLength} },
	"garbage-not-plist": func() Scenario { return Scenario{Phones: []Phone{PhoneA()}, Garbage: GarbageNotPlist} },
	"bomb-lockdown":     func() Scenario { return Scenario{Phones: []Phone{PhoneA()}, Garbage: GarbageBombLockdown} },
	"bomb-listen":       func() Scenario { return Scenario{Phones: []Phone{PhoneA()}, Garbage: GarbageBombListen} },
	"multi":             func() Scenario { return Multi(4) },
	"full-speed": func() Scenario {
		p := PhoneA()
		p.SpeedMbps = 12
		return Scenario{Phones: []Phone{p}}
	},
	"recovery": func() Scenario {
		p := PhoneA()
		p.Mode = mode.Recovery
		p.ProductID = 0x1281
		return Scenario{Phones: []Phone{p}}
	},
	"recovery-stuck": func() Scenario {
		p := PhoneA()
		p.Mode = mode.Recovery
		p.ProductID = 0x1281
		return Scenario{Phones: []Phone{p}, IOSFails: true}
	},
	"dfu": func() Scenario {
		p := PhoneA()
		p.Mode = mode.DFU
		p.ProductID = 0x1227
		return Scenario{Phones: []Phone{p}}
	},
	"restore": func() Scenario {
		p := PhoneA()
		p.Mode = mode.Restore
		return Scenario{Phones: []Phone{p}}
	},
	"behind-hub": func() Scenario { return Scenario{Phones: []Phone{PhoneB()}} },
	// icloud-backup: healthy, with iCloud Backup on (healthy has it off).
	"icloud-backup": func() Scenario {
		p := PhoneA()
		p.CloudBackup = true
		return Scenario{Phones: []Phone{p}}
	},
}

// BuiltinNames lists the built-in scenario names, sorted.
func BuiltinNames() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ErrUnknownScenario is returned (wrapped) by Builtin for a name it does not know.
var ErrUnknownScenario = errors.New("unknown scenario")

// Builtin returns the named built-in scenario (see BuiltinNames).
func Builtin(name string) (Scenario, error) {
	f, ok := builtins[name]
	if !ok {
		return Scenario{}, fmt.Errorf("sim: %w %q (known: %s)", ErrUnknownScenario, name, strings.Join(BuiltinNames(), ", "))
	}
	sc := f()
	sc.Name = name
	return sc, nil
}

// scenarioFile is the JSON form: every field of Scenario, durations as
// strings ("800ms"). TestScenarioFileRoundTrip fails when a field of
// Scenario is missing here.
type scenarioFile struct {
	Name              string  `json:",omitempty"`
	Phones            []Phone `json:",omitempty"`
	LockdownLatency   string  `json:",omitempty"`
	LockdownJitter    string  `json:",omitempty"`
	LockdownDropAfter int     `json:",omitempty"`
	FlapInterval      string  `json:",omitempty"`
	Hung              bool    `json:",omitempty"`
	Garbage           string  `json:",omitempty"`
	RebootDelay       string  `json:",omitempty"`
	PlaintextSession  bool    `json:",omitempty"`
	IOSFails          bool    `json:",omitempty"`
	IdleTimeout       string  `json:",omitempty"`
	QueryTypeAnswer   string  `json:",omitempty"`
	StartSessionError string  `json:",omitempty"`
}

// durationString is d in the file's form ("" for zero).
func durationString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// EncodeScenario is sc in the JSON form LoadScenario reads.
func EncodeScenario(sc Scenario) ([]byte, error) {
	f := scenarioFile{Name: sc.Name, Phones: sc.Phones, LockdownLatency: durationString(sc.LockdownLatency),
		LockdownJitter: durationString(sc.LockdownJitter), LockdownDropAfter: sc.LockdownDropAfter,
		FlapInterval: durationString(sc.FlapInterval), Hung: sc.Hung, Garbage: sc.Garbage,
		RebootDelay: durationString(sc.RebootDelay), PlaintextSession: sc.PlaintextSession, IOSFails: sc.IOSFails,
		QueryTypeAnswer: sc.QueryTypeAnswer, StartSessionError: sc.StartSessionError,
		IdleTimeout: durationString(sc.IdleTimeout)}
	return json.MarshalIndent(f, "", "  ")
}

// LoadScenario reads a scenario from a JSON file with the fields of Scenario
// (durations as Go duration strings, e.g. "800ms"). Unknown fields are an error.
func LoadScenario(path string) (Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("sim: load scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxScenarioFile+1))
	if err != nil {
		return Scenario{}, fmt.Errorf("sim: load scenario %s: %w", path, err)
	}
	if len(data) > maxScenarioFile {
		return Scenario{}, fmt.Errorf("sim: load scenario %s: larger than %d KiB; a scenario is a small JSON object", path, maxScenarioFile>>10)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return Scenario{}, fmt.Errorf("sim: load scenario %s: %w", path, err)
	}
	return sc, nil
}

// maxScenarioFile caps what LoadScenario reads: scenarios are a few KiB.
const maxScenarioFile = 1 << 20

// ParseScenario decodes a scenario from JSON (see LoadScenario) and validates it.
func ParseScenario(data []byte) (Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f scenarioFile
	if err := dec.Decode(&f); err != nil {
		return Scenario{}, fmt.Errorf("bad scenario JSON: %w", err)
	}
	// dec.More reports false before a stray '}' or ']': check the rest instead.
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return Scenario{}, errors.New("bad scenario JSON: trailing data after the object")
	}
	sc := Scenario{Name: f.Name, Phones: f.Phones, LockdownDropAfter: f.LockdownDropAfter, Hung: f.Hung, Garbage: f.Garbage,
		PlaintextSession: f.PlaintextSession, IOSFails: f.IOSFails,
		QueryTypeAnswer: f.QueryTypeAnswer, StartSessionError: f.StartSessionError}
	for _, d := range []struct {
		name string
		in   string
		out  *time.Duration
	}{
		{"LockdownLatency", f.LockdownLatency, &sc.LockdownLatency},
		{"LockdownJitter", f.LockdownJitter, &sc.LockdownJitter},
		{"FlapInterval", f.FlapInterval, &sc.FlapInterval},
		{"RebootDelay", f.RebootDelay, &sc.RebootDelay},
		{"IdleTimeout", f.IdleTimeout, &sc.IdleTimeout},
	} {
		if d.in == "" {
			continue
		}
		v, err := time.ParseDuration(d.in)
		if err != nil {
			return Scenario{}, fmt.Errorf("bad scenario JSON: %s: %w", d.name, err)
		}
		*d.out = v
	}
	if err := sc.Validate(); err != nil {
		return Scenario{}, err
	}
	return sc, nil
}

// Validate reports the first inconsistent field of the scenario.
func (sc Scenario) Validate() error {
	switch sc.Garbage {
	case "", GarbageBadLength, GarbageNotPlist, GarbageBombLockdown, GarbageBombListen, GarbageBombSession, GarbageBombRelay:
	default:
		return fmt.Errorf("scenario %q: Garbage %q: want %q, %q, %q, %q, %q or %q", sc.Name, sc.Garbage,
			GarbageBadLength, GarbageNotPlist, GarbageBombLockdown, GarbageBombListen, GarbageBombSession, GarbageBombRelay)
	}
	if sc.LockdownLatency < 0 || sc.LockdownJitter < 0 || sc.FlapInterval < 0 || sc.LockdownDropAfter < 0 ||
		sc.RebootDelay < 0 || sc.IdleTimeout < 0 {
		return fmt.Errorf("scenario %q: negative latency, jitter, flap interval, drop count, reboot delay or idle timeout", sc.Name)
	}
	if sc.FlapInterval > 0 && sc.FlapInterval < 10*time.Millisecond {
		return fmt.Errorf("scenario %q: FlapInterval %v is below 10ms", sc.Name, sc.FlapInterval)
	}
	seen := map[string]bool{}
	for i, p := range sc.Phones {
		switch p.Trust {
		case "", TrustTrusted, TrustUntrusted, TrustPending, TrustDenied:
		default:
			return fmt.Errorf("scenario %q: phone %d: Trust %q: want trusted, untrusted, pending or denied", sc.Name, i, p.Trust)
		}
		switch p.Mode {
		case "", mode.Normal, mode.Restore, mode.Recovery, mode.DFU, mode.WTF, mode.PortDFU:
		default:
			return fmt.Errorf("scenario %q: phone %d: Mode %q not simulated", sc.Name, i, p.Mode)
		}
		if p.Bus < 0 || p.Bus > 255 || p.Address < 0 || p.Address > 127 || p.SpeedMbps < 0 ||
			p.ProductID < 0 || p.ProductID > 0xFFFF || p.DeviceID < 0 || p.ConnectionSpeed < 0 {
			return fmt.Errorf("scenario %q: phone %d: Bus 0..255, Address 0..127, ProductID 0..0xFFFF; no negative DeviceID or speed", sc.Name, i)
		}
		if len(p.PortPath) > 7 || slices.ContainsFunc(p.PortPath, func(n int) bool { return n < 1 || n > 255 }) {
			return fmt.Errorf("scenario %q: phone %d: PortPath %v: up to 7 ports, each 1..255", sc.Name, i, p.PortPath)
		}
		if p.UDID != "" {
			k := normUDID(p.UDID)
			if seen[k] {
				return fmt.Errorf("scenario %q: phone %d: duplicate UDID %s", sc.Name, i, p.UDID)
			}
			seen[k] = true
		}
	}
	return nil
}

func normUDID(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "")) }
