package sim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/usb"
)

// DiagnosticsRelayService is the lockdown service name of the diagnostics
// relay; StartService hands out DiagnosticsRelayPort for it.
const (
	DiagnosticsRelayService = "com.apple.mobile.diagnostics_relay"
	DiagnosticsRelayPort    = 49171
)

// nvram is the part of iBoot's environment the simulator models.
type nvram struct {
	autoBoot      bool // set by "setenv auto-boot true"
	savedAutoBoot bool // persisted by "saveenv"
}

func (s *Server) startService(deviceID int) {
	s.mu.Lock()
	s.services[deviceID] = true
	s.mu.Unlock()
}

func (s *Server) serviceStarted(deviceID int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.services[deviceID]
}

func (s *Server) rebootDelay() time.Duration {
	if s.sc.RebootDelay > 0 {
		return s.sc.RebootDelay
	}
	return DefaultRebootDelay
}

// reboot takes the phone off the bus and, after the scenario's RebootDelay,
// brings it back in mode to with a new DeviceID and USB address, as a real
// reboot re-enumerates. It reports whether the phone was attached.
func (s *Server) reboot(deviceID int, to mode.Mode) bool {
	s.mu.Lock()
	if s.ctx.Err() != nil {
		s.mu.Unlock()
		return false
	}
	s.wg.Add(1) // under mu: a Close that cancelled ctx before this lock is seen above; one after it waits for this
	s.mu.Unlock()
	p, ok := s.detach(deviceID)
	if !ok {
		s.wg.Done()
		return false
	}
	s.mu.Lock()
	delete(s.services, deviceID)
	s.mu.Unlock()
	s.log.Debug("phone rebooting", "udid", p.UDID, "from", p.Mode, "to", to)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(s.rebootDelay())
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.ctx.Done():
			return
		}
		p.Mode, p.ProductID, p.RecoverySerial = to, 0, ""
		s.Attach(p.reenumerated())
	}()
	return true
}

// serveDiagnostics answers the diagnostics relay on a service connection
// (same framing as lockdownd): Restart is acknowledged, and the phone
// restarts right after the answer, or with WaitForDisconnect once the
// client leaves (or says Goodbye), as diagnostics_relay does.
func (s *Server) serveDiagnostics(c net.Conn, p Phone, log *slog.Logger) {
	if s.sc.sessionTLS() {
		tc, err := s.serverTLS(c)
		if err != nil {
			log.Debug("diagnostics TLS", "err", err)
			return
		}
		c = tc
	}
	restart, now := false, false
	defer func() {
		if restart {
			s.reboot(p.DeviceID, p.Mode)
		}
	}()
	for {
		s.idle(c)
		payload, err := ReadLockdownFrame(c)
		if err != nil {
			if !errors.Is(err, io.EOF) && s.ctx.Err() == nil {
				log.Debug("diagnostics read", "err", err)
			}
			return
		}
		req, err := s.requests.decode(payload)
		if err != nil {
			s.count("diagnostics:invalid")
			return
		}
		name := str(req, "Request")
		s.count("diagnostics:" + name)
		var resp map[string]any
		switch name {
		case "Restart", "Shutdown", "Sleep":
			resp = map[string]any{"Status": "Success"}
			if name == "Restart" {
				if wait, _ := req["WaitForDisconnect"].(bool); wait {
					restart = true // once the client leaves
				} else {
					now = true // right after the answer, as the phone does
				}
			}
		case "Goodbye":
			resp = map[string]any{"Status": "Success"}
		default:
			resp = map[string]any{"Status": "UnknownRequest"}
		}
		frame, err := EncodeLockdownPlist(resp)
		if err != nil {
			return
		}
		if err := s.write(c, frame); err != nil || name == "Goodbye" {
			return
		}
		if now {
			restart = true
			return
		}
	}
}

// USBOpener returns a usb.Opener for the phones of USBSource: a phone in
// recovery mode takes iBoot commands (vendor control-OUT 0x40/0, data =
// command + NUL) as iBoot does: "setenv auto-boot true", "saveenv", and
// "reboot", which reboots it into iOS when auto-boot was saved (back into
// recovery when the scenario says iOS fails, or auto-boot was not saved).
// Any other request stalls, as do commands to a phone in another mode.
func (s *Server) USBOpener() usb.Opener { return usbOpener{s} }

type usbOpener struct{ s *Server }

func (o usbOpener) Open(ctx context.Context, dev usb.Device) (usb.ControlDevice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, ok := o.s.phoneAt(dev)
	if !ok {
		return nil, &usb.DisconnectedError{Location: dev.Location(), Op: "open", Err: errors.New("no longer on the bus")}
	}
	return &simControl{s: o.s, deviceID: p.DeviceID}, nil
}

// phoneAt finds the attached phone at dev's bus, address and port path.
func (s *Server) phoneAt(dev usb.Device) (Phone, bool) {
	for _, p := range s.Phones() {
		if p.Bus == dev.Bus && p.Address == dev.Address && slices.Equal(p.PortPath, dev.PortPath) {
			return p, true
		}
	}
	return Phone{}, false
}

type simControl struct {
	s        *Server
	deviceID int
}

func (c *simControl) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	p, ok := c.s.phoneByID(c.deviceID)
	if !ok {
		return 0, usb.ErrDisconnected
	}
	if p.Mode != mode.Recovery || rType != usb.IBootRequestType || request != usb.IBootRequest || value != 0 || index != 0 {
		return 0, usb.ErrStall
	}
	cmd, _, terminated := strings.Cut(string(data), "\x00")
	if !terminated {
		return 0, usb.ErrStall
	}
	c.s.count("iboot:" + cmd)
	udid := normUDID(p.UDID)
	c.s.mu.Lock()
	env := c.s.nvram[udid]
	switch cmd {
	case "setenv auto-boot true":
		env.autoBoot = true
	case "setenv auto-boot false":
		env.autoBoot = false
	case "saveenv":
		env.savedAutoBoot = env.autoBoot
	}
	c.s.nvram[udid] = env
	c.s.mu.Unlock()
	if cmd == "reboot" {
		to := mode.Normal
		if !env.savedAutoBoot || c.s.sc.IOSFails {
			to = mode.Recovery
		}
		c.s.reboot(c.deviceID, to)
	}
	return len(data), nil
}

func (c *simControl) Close() error { return nil }
