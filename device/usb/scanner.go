//go:build cgo

package usb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/gousb"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
)

// Scanner lists Apple devices through gousb (libusb). It is a Source. Each new
// enumeration of an Apple device is opened once to read its serial string
// (and so its iBoot fields in recovery/DFU); later snapshots reuse that, so
// polling costs one libusb device-list walk. Non-Apple devices are never opened.
// A Scanner is safe for concurrent use and must be closed.
type Scanner struct {
	opts ScannerOptions
	log  *slog.Logger

	mu    sync.Mutex
	ctx   *gousb.Context
	cache map[cacheKey]cacheEntry
}

type cacheKey struct {
	bus, addr int
	pid       uint16
	loc       string
}

type cacheEntry struct {
	serial   string
	product  string
	recovery *RecoveryInfo
	err      error
	at       time.Time
}

// NewScanner initialises libusb. It returns an *UnavailableError (errors.Is
// ErrUnavailable) when libusb cannot be initialised on this computer.
func NewScanner(opts ScannerOptions) (s *Scanner, err error) {
	if opts.ControlTimeout <= 0 {
		opts.ControlTimeout = time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, err := newGousbContext()
	if err != nil {
		return nil, err
	}
	return &Scanner{opts: opts, log: opts.Logger, ctx: ctx, cache: make(map[cacheKey]cacheEntry)}, nil
}

// newGousbContext turns gousb's panic on a failed libusb_init into an error.
func newGousbContext() (ctx *gousb.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			perr, ok := r.(error)
			if !ok {
				perr = fmt.Errorf("%v", r)
			}
			ctx, err = nil, &UnavailableError{Op: "init", Err: perr}
		}
	}()
	return gousb.NewContext(), nil
}

// Close releases libusb. Every ControlDevice from Open must be closed first.
func (s *Scanner) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return nil
	}
	err := s.ctx.Close()
	if err != nil {
		return fmt.Errorf("usb: close libusb context: %w", err)
	}
	s.ctx = nil
	return nil
}

var errClosed = errors.New("usb: scanner is closed")

// Snapshot lists every Apple device on the bus. Devices that cannot be
// opened are still listed, with the reason in Device.OpenErr; the error
// return is for failures of the whole scan (closed scanner, libusb unusable,
// ctx done).
func (s *Scanner) Snapshot(ctx context.Context) ([]Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return nil, errClosed
	}
	var devs []Device
	calls := 0
	opened, err := s.ctx.OpenDevices(func(desc *gousb.DeviceDesc) bool {
		calls++
		if uint16(desc.Vendor) == mode.AppleVendorID {
			devs = append(devs, fromDesc(desc))
		}
		return false // never open here: opening is per device below
	})
	for _, d := range opened { // none, the callback says no; be safe
		d.Close()
	}
	if err != nil {
		if calls == 0 {
			return nil, &UnavailableError{Op: "list devices", Err: err}
		}
		s.log.Debug("usb: a device descriptor could not be read", "err", err)
	}
	sortDevices(devs)

	now := time.Now()
	seen := make(map[cacheKey]bool, len(devs))
	for i := range devs {
		d := &devs[i]
		key := cacheKey{bus: d.Bus, addr: d.Address, pid: d.ProductID, loc: d.Location()}
		seen[key] = true
		if s.opts.SkipStrings || d.Mode == mode.Unknown {
			continue // keyboards, trackpads…: nothing to learn, so never opened
		}
		e, ok := s.cache[key]
		if !ok || (e.err != nil && now.Sub(e.at) >= s.opts.RetryAfter) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if s.opts.Passive {
				e = cachedStrings(*d)
			} else {
				e = s.readStrings(ctx, *d)
			}
			e.at = now
			s.cache[key] = e
		}
		d.Serial, d.Recovery, d.OpenErr, d.Product = e.serial, e.recovery, e.err, e.product
	}
	for k := range s.cache {
		if !seen[k] {
			delete(s.cache, k)
		}
	}
	if devs == nil {
		devs = []Device{}
	}
	return devs, nil
}

// maxSerial caps a serial string descriptor kept from a device: iBoot's
// recovery string with both nonces is about 300 bytes.
const maxSerial = 1024

func (s *Scanner) readStrings(ctx context.Context, d Device) cacheEntry {
	cd, err := s.openLocked(d)
	if err != nil {
		s.log.Debug("usb: open failed", "device", d.Location(), "err", err)
		return cacheEntry{err: err}
	}
	defer cd.Close()
	serial, err := ReadSerial(ctx, cd, d)
	// The descriptor is whatever the device says: no control characters past here.
	serial = textsafe.Clean(serial, maxSerial)
	e := cacheEntry{serial: serial, err: err}
	if serial != "" && d.Mode.IsLowLevel() {
		if info, perr := ParseRecoverySerial(serial); perr == nil {
			e.recovery = &info
		}
	}
	if err != nil {
		s.log.Debug("usb: reading the serial string failed", "device", d.Location(), "err", err)
	}
	return e
}

// cachedStrings is readStrings without opening the device: the serial
// string the OS read at enumeration, parsed like a read one. A device
// without a cached copy has no serial and no OpenErr (nothing was tried).
func cachedStrings(d Device) cacheEntry {
	serial, err := cachedSerial(d)
	if err != nil {
		return cacheEntry{}
	}
	serial = textsafe.Clean(serial, maxSerial)
	e := cacheEntry{serial: serial}
	if product, err := cachedAttr(d, "product"); err == nil {
		e.product = textsafe.Clean(product, maxSerial)
	}
	if serial != "" && d.Mode.IsLowLevel() {
		if info, perr := ParseRecoverySerial(serial); perr == nil {
			e.recovery = &info
		}
	}
	return e
}

// Open opens dev (as found by Snapshot: same bus, address, vendor and
// product) for control transfers. The caller must Close it.
func (s *Scanner) Open(ctx context.Context, dev Device) (ControlDevice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return nil, errClosed
	}
	return s.openLocked(dev)
}

var errNotOnBus = errors.New("no longer on the bus")

func (s *Scanner) openLocked(dev Device) (*gousbControl, error) {
	devs, err := s.ctx.OpenDevices(func(desc *gousb.DeviceDesc) bool {
		return desc.Bus == dev.Bus && desc.Address == dev.Address &&
			uint16(desc.Vendor) == dev.VendorID && uint16(desc.Product) == dev.ProductID
	})
	if len(devs) == 0 {
		if err == nil {
			err = errNotOnBus
			return nil, &DisconnectedError{Location: dev.Location(), Op: "open", Err: err}
		}
		return nil, classify("open", dev, err)
	}
	for _, extra := range devs[1:] {
		extra.Close()
	}
	return &gousbControl{d: devs[0], def: s.opts.ControlTimeout}, nil
}

// gousbControl is the ControlDevice of a device opened through gousb.
type gousbControl struct {
	d   *gousb.Device
	def time.Duration
}

// Control makes one control transfer, bounded by the sooner of ctx's deadline
// and the transfer timeout: the one ctx carries (WithTransferTimeout), else
// the scanner's ControlTimeout. libusb cannot be interrupted otherwise.
func (g *gousbControl) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	t := g.def
	if tt, ok := transferTimeout(ctx); ok {
		t = tt
	}
	if dl, ok := ctx.Deadline(); ok {
		if r := time.Until(dl); r < t {
			t = r
		}
	}
	if t < time.Millisecond { // libusb would read 0 ms as "no timeout"
		return 0, context.DeadlineExceeded
	}
	g.d.ControlTimeout = t
	return g.d.Control(rType, request, value, index, data)
}

func (g *gousbControl) Close() error { return g.d.Close() }

// fromDesc classifies one gousb device descriptor.
func fromDesc(desc *gousb.DeviceDesc) Device {
	d := Device{
		VendorID:   uint16(desc.Vendor),
		ProductID:  uint16(desc.Product),
		Bus:        desc.Bus,
		Address:    desc.Address,
		PortPath:   slices.Clone(desc.Path),
		SpeedMbps:  speedMbps(desc.Speed),
		USBVersion: bcdString(uint16(desc.Spec)),
		// gousb fills Configs from libusb_get_config_descriptor: the copy
		// the OS cached at enumeration (Linux: sysfs/usbfs), no transfer.
		Configurations: len(desc.Configs),
		Interfaces:     interfaces(desc.Configs),
	}
	d.Mode = mode.FromProductID(d.ProductID)
	if len(d.PortPath) > 1 { // the root hub is not in the path
		d.HubDepth = len(d.PortPath) - 1
		d.BehindHub = true
	}
	return d
}

// MaxInterfaces bounds Device.Interfaces (a phone in normal mode has about a dozen).
const MaxInterfaces = 32

// interfaces lists the interfaces of every configuration, by configuration
// number, as "config.interface:cc/ss/pp" (alternate setting 0).
func interfaces(cfgs map[int]gousb.ConfigDesc) []string {
	nums := make([]int, 0, len(cfgs))
	for n := range cfgs {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var out []string
	for _, n := range nums {
		for _, in := range cfgs[n].Interfaces {
			if len(in.AltSettings) == 0 || len(out) == MaxInterfaces {
				continue
			}
			a := in.AltSettings[0]
			b := strconv.AppendInt(make([]byte, 0, 16), int64(n), 10)
			b = append(b, '.')
			b = strconv.AppendInt(b, int64(in.Number), 10)
			b = append(b, ':')
			b = appendHex2(b, uint8(a.Class))
			b = append(b, '/')
			b = appendHex2(b, uint8(a.SubClass))
			b = append(b, '/')
			b = appendHex2(b, uint8(a.Protocol))
			out = append(out, string(b))
		}
	}
	return out
}

func appendHex2(b []byte, v uint8) []byte {
	const hexdigits = "0123456789abcdef"
	return append(b, hexdigits[v>>4], hexdigits[v&0xF])
}

// bcdString formats a binary-coded decimal version as gousb's BCD.String
// does ("2.00", "3.20"), without fmt: it runs for every device on every poll.
func bcdString(v uint16) string {
	major := 10*(v>>12) + (v>>8)&0xF
	b := strconv.AppendUint(make([]byte, 0, 6), uint64(major), 10)
	return string(append(b, '.', byte('0'+(v>>4)&0xF), byte('0'+v&0xF)))
}

// speedMbps maps libusb's speed codes to Mbit/s (5 is libusb's SUPER_PLUS).
func speedMbps(s gousb.Speed) float64 {
	switch s {
	case gousb.SpeedLow:
		return 1.5
	case gousb.SpeedFull:
		return 12
	case gousb.SpeedHigh:
		return 480
	case gousb.SpeedSuper:
		return 5000
	case gousb.Speed(5):
		return 10000
	}
	return 0
}

// sortDevices puts a snapshot in its stable order: bus, port path, address.
func sortDevices(devs []Device) {
	slices.SortFunc(devs, func(a, b Device) int {
		if a.Bus != b.Bus {
			return a.Bus - b.Bus
		}
		if c := slices.Compare(a.PortPath, b.PortPath); c != 0 {
			return c
		}
		return a.Address - b.Address
	})
}
