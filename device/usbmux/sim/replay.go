package sim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
)

// Replay plays a restore trace through s, from now, speed times faster than
// it was recorded: every phone of the trace attaches, changes and detaches
// on the simulator's USB view (USBSource) and in usbmuxd's list and Listen
// stream when the trace says, and usbmux.down / usbmux.up stop and restart
// the simulated usbmuxd (connections refused meanwhile). A recorder watching
// s sees the trace again, within its poll interval.
//
// A trace's phone key becomes the simulated phone's UDID: an ECID key gives
// that ECID, a redacted or port key a made-up ECID of its own, so the phones
// of a redacted trace replay as distinct phones. Replay returns when the
// trace ends (nil) or ctx does (its error); the phones stay as the trace left them.
func Replay(ctx context.Context, s *Server, tr *restoretrace.Trace, speed float64) error {
	if speed <= 0 {
		return fmt.Errorf("sim: replay speed %v: want > 0", speed)
	}
	r := &replayer{s: s, ids: map[string]int{}}
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for _, e := range tr.Events {
		at := start.Add(time.Duration(float64(e.TimeMS) * float64(time.Millisecond) / speed))
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		} else if err := ctx.Err(); err != nil {
			return err
		}
		r.apply(e)
		if e.Kind == restoretrace.RecordStop {
			break
		}
	}
	return nil
}

type replayer struct {
	s   *Server
	ids map[string]int // trace key → DeviceID of the phone attached for it
}

func (r *replayer) apply(e restoretrace.Event) {
	id, has := r.ids[e.Key]
	switch e.Kind {
	case restoretrace.USBAttach, restoretrace.USBChange:
		if has && r.s.updatePhone(id, func(p *Phone) { setUSBFacts(p, e.Key, e.USB); p.OffUSB = false }) {
			return
		}
		p := Phone{Unlisted: true}
		setUSBFacts(&p, e.Key, e.USB)
		r.ids[e.Key] = r.s.Attach(p)
	case restoretrace.USBDetach:
		// Off the bus; a listed phone stays listed until usbmuxd says otherwise.
		if has && r.s.updatePhone(id, func(p *Phone) { p.OffUSB = true }) {
			r.dropIfGone(e.Key)
		}
	case restoretrace.MuxAttach:
		if has && r.s.updatePhone(id, func(p *Phone) { p.Unlisted = false }) {
			return
		}
		p := Phone{OffUSB: true, UDID: udidForKey(e.Key, 0)}
		if e.Mux != nil && e.Mux.ProductID != 0 {
			p.ProductID = int(e.Mux.ProductID)
		}
		r.ids[e.Key] = r.s.Attach(p)
	case restoretrace.MuxDetach:
		if has && r.s.updatePhone(id, func(p *Phone) { p.Unlisted = true }) {
			r.dropIfGone(e.Key)
		}
	case restoretrace.MuxDown:
		r.s.setDown(true)
	case restoretrace.MuxUp:
		r.s.setDown(false)
	}
}

// dropIfGone detaches the phone of key once it is neither on USB nor listed.
func (r *replayer) dropIfGone(key string) {
	id, ok := r.ids[key]
	if !ok {
		return
	}
	if p, ok := r.s.phoneByID(id); !ok || (p.OffUSB && p.Unlisted) {
		r.s.Detach(id)
		delete(r.ids, key)
	}
}

// setUSBFacts makes p look on USB as f says.
func setUSBFacts(p *Phone, key string, f *restoretrace.USBFacts) {
	if f == nil {
		return
	}
	cpid := uint32(0x8110)
	if v, err := strconv.ParseUint(f.IBoot["CPID"], 16, 32); err == nil && v != 0 {
		cpid = uint32(v)
	}
	p.UDID = udidForKey(key, cpid)
	_, ecid, _ := splitNewUDID(p.UDID)
	p.CPID, p.ECID = cpid, ecid
	p.Mode = mode.Mode(f.Mode)
	if p.Mode == "" || p.Mode == mode.Unknown {
		p.Mode = mode.FromProductID(f.ProductID)
	}
	p.ProductID = int(f.ProductID)
	p.Bus, p.Address, p.PortPath, p.SpeedMbps = f.Bus, f.Address, slices.Clone(f.PortPath), f.SpeedMbps
	p.BehindHub = len(f.PortPath) > 1
	p.Configurations, p.Interfaces, p.Product = f.Configurations, slices.Clone(f.Interfaces), f.Product
	p.LocationID, p.ConnectionSpeed = 0, 0 // recomputed from the new address and speed
	p.RecoverySerial = ""
	if p.Mode.IsLowLevel() && len(f.IBoot) > 0 {
		p.RecoverySerial = ibootString(f.IBoot, ecid)
	}
}

// udidForKey is the UDID a replayed phone gets for a trace key: the ECID of
// an "ecid:" key, the UDID of a "udid:" key, else an ECID made from the key.
func udidForKey(key string, cpid uint32) string {
	if cpid == 0 {
		cpid = 0x8110
	}
	if v, ok := strings.CutPrefix(key, "udid:"); ok && v != "" {
		return v
	}
	if v, ok := strings.CutPrefix(key, "ecid:"); ok {
		if e, err := strconv.ParseUint(v, 16, 64); err == nil && e != 0 {
			return fmt.Sprintf("%08X-%016X", cpid, e)
		}
	}
	sum := sha256.Sum256([]byte("replay " + key))
	e := binary.BigEndian.Uint64(sum[:8])&0x00FFFFFFFFFFFFFF | 1
	return fmt.Sprintf("%08X-%016X", cpid, e)
}

// ibootOrder is the order iBoot writes its serial-string fields in.
var ibootOrder = []string{"SDOM", "CPID", "CPRV", "CPFM", "SCEP", "BDID", "ECID", "IBFL", "SRNM", "IMEI", "NONC", "SNON", "SRTG"}

// ibootString rebuilds an iBoot serial string from a trace's fields, with
// the replayed phone's ECID (a redacted trace has only its hash).
func ibootString(f map[string]string, ecid uint64) string {
	var parts []string
	add := func(k, v string) {
		if v == "" {
			return
		}
		if strings.ContainsAny(v, " ") && !strings.HasPrefix(v, "[") {
			v = "[" + v + "]"
		}
		parts = append(parts, k+":"+v)
	}
	for _, k := range ibootOrder {
		if k == "ECID" {
			add(k, fmt.Sprintf("%016X", ecid))
			continue
		}
		add(k, f[k])
	}
	for _, k := range slices.Sorted(maps.Keys(f)) {
		if !slices.Contains(ibootOrder, k) {
			add(k, f[k])
		}
	}
	return strings.Join(parts, " ")
}

// updatePhone changes the attached phone id in place, as a re-enumeration
// or a change of listing shows it, and tells Listen clients when usbmuxd's
// listing of it changes. It reports whether such a phone is attached.
func (s *Server) updatePhone(id int, change func(*Phone)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.phones, func(p Phone) bool { return p.DeviceID == id })
	if i < 0 {
		return false
	}
	old := s.phones[i]
	p := old.clone()
	change(&p)
	p = p.withDefaults()
	s.phones[i] = p
	switch was, is := old.listed(), p.listed(); {
	case !was && is:
		s.broadcastLocked(0, attachedMsg(p))
	case was && !is:
		s.broadcastLocked(0, map[string]any{"MessageType": "Detached", "DeviceID": p.DeviceID})
	}
	return true
}

// setDown stops (true) or restarts (false) the simulated usbmuxd as
// Finder, iTunes and a restore restart it: while down, every connection is
// closed and new ones are closed as soon as they are accepted.
func (s *Server) setDown(down bool) {
	if s.down.Swap(down) == down || !down {
		return
	}
	s.mu.Lock()
	conns := slices.Collect(maps.Keys(s.conns))
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}
