package state

import (
	"slices"
	"time"

	"github.com/restoredoctor/restoredoctor/app/viewmodel"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

// This file holds the reducer's part for the live view: phones coming and
// going, and the iPhone service lost and back.

// device applies one live event of the session.
func (s State) device(ev DeviceEvent) State {
	now := ev.Time
	if now.IsZero() {
		now = s.Now
	}
	s.Now = now
	switch ev.Kind {
	case EventLatency:
		if s.Check.Running {
			s.Check.Samples = append(slices.Clip(s.Check.Samples), viewmodel.LatencySample{Key: ev.Device.Key, Time: now, RTT: ev.RTT, Failed: ev.Failed})
		}
		return s
	case EventServiceLost:
		return s.serviceLost(now)
	case EventServiceBack:
		return s.serviceBack(now)
	}
	key := ev.Device.Key
	s.writePhones()
	p, known := s.Phones[key]
	switch ev.Kind {
	case EventAttach, EventModeChange, EventUpdate:
		newPlug := !known || (!p.GoneAt.IsZero() && now.Sub(p.GoneAt) > ReplugAfter)
		if !known {
			// New since the check started: its drops before do not count.
			p = Phone{Drops: ev.Drops, DropsAtCheck: ev.Drops}
		}
		if ev.Kind != EventUpdate {
			p.Drops = ev.Drops
		}
		absent := p.Device.Key == "" || !p.GoneAt.IsZero()
		p.Device = mergeDevice(p.Device, ev.Device)
		p.Device.Key = key
		p.GoneAt, p.LastSeen = time.Time{}, now
		if newPlug {
			p.CheckedFor = false
		}
		if s.Check.Running && ev.Kind != EventUpdate && (absent || ev.Kind == EventModeChange) {
			kind := viewmodel.MarkAttach
			if ev.Kind == EventModeChange {
				kind = viewmodel.MarkMode
			}
			s.Check.Marks = append(slices.Clip(s.Check.Marks), viewmodel.StripEvent{Time: now, Kind: kind, Key: key})
		}
		if ev.Source == "usbmux" || ev.Source == "lockdown" {
			// The service answers: whatever the probe said before is old.
			s.serviceSeen()
		}
		auto := s.AutoCheck && !s.Busy() && !p.CheckedFor && ev.Kind != EventUpdate
		if auto {
			p.CheckedFor = true
			auto = !now.Before(s.QuietUntil)
		}
		s.Phones[key] = p
		if s.Selected == "" {
			s.Selected = key
		}
		if auto {
			s.startCheck(now)
		}
	case EventDetach:
		if !known || !p.GoneAt.IsZero() {
			return s // already gone: the other source saw it first
		}
		p.GoneAt, p.Drops = now, ev.Drops
		s.Phones[key] = p
		if s.Check.Running {
			s.Check.Marks = append(slices.Clip(s.Check.Marks), viewmodel.StripEvent{Time: now, Kind: viewmodel.MarkDetach, Key: key})
		}
	}
	s.forgetGone(now)
	return s
}

// serviceSeen marks the service as answering.
func (s *State) serviceSeen() {
	s.Service = ServiceUp
	if s.Host.UsbmuxdStatus != report.UsbmuxdOK {
		s.Host.Known, s.Host.UsbmuxdStatus, s.Host.Detail = true, report.UsbmuxdOK, ""
	}
}

// serviceLost forgets every fact only the service could tell (listed,
// trust, iOS version): nothing on the card may say "Connected" or
// "trusted" from before. (The live view may not report the phones it alone
// saw as gone, nor as back when the service returns: the next check's
// report says whether they are there.)
func (s State) serviceLost(now time.Time) State {
	s.Service = ServiceLost
	s.Host.Known = true
	s.Host.UsbmuxdStatus = report.UsbmuxdUnreachable
	s.Host.UsbmuxdOnDemand = false // a phone is (or was) plugged in: its absence is a fault now
	s.writePhones()
	for k, p := range s.Phones {
		p.Device.Listed, p.Device.Trusted, p.Device.IOSVersion = false, nil, ""
		s.Phones[k] = p
	}
	if s.Check.Running {
		s.Check.ServiceLost = true
	}
	return s
}

// serviceBack starts a check when the service returns after it was lost.
func (s State) serviceBack(now time.Time) State {
	was := s.Service
	s.serviceSeen()
	if was == ServiceLost && s.AutoCheck && !s.Busy() {
		s.startCheck(now)
	}
	return s
}

// mergeDevice updates what is known of a phone with a new event's view,
// keeping facts the event does not carry.
func mergeDevice(old, upd viewmodel.Device) viewmodel.Device {
	out := upd
	if out.Name == "" {
		out.Name = old.Name
	}
	if out.ProductType == "" {
		out.ProductType = old.ProductType
	}
	if out.OwnName == "" {
		out.OwnName = old.OwnName
	}
	if out.IOSVersion == "" && out.Mode == old.Mode {
		out.IOSVersion = old.IOSVersion
	}
	if out.Trusted == nil && out.Mode == old.Mode {
		out.Trusted = old.Trusted
	}
	if out.RecoveryFamily == "" {
		out.RecoveryFamily = old.RecoveryFamily
	}
	if !out.OnUSB && old.OnUSB {
		out.OnUSB, out.SpeedMbps, out.BehindHub = true, old.SpeedMbps, old.BehindHub
	}
	out.Listed = out.Listed || (old.Listed && out.Mode == old.Mode)
	return out
}

// forgetGone drops phones gone for a while when another one is present,
// and keeps the selection on a phone of the live view.
func (s *State) forgetGone(now time.Time) {
	present := 0
	for _, p := range s.Phones {
		if p.GoneAt.IsZero() {
			present++
		}
	}
	for k, p := range s.Phones {
		if !p.GoneAt.IsZero() && present > 0 && now.Sub(p.GoneAt) > ForgetAfter {
			s.writePhones()
			delete(s.Phones, k)
		}
	}
	if _, ok := s.Phones[s.Selected]; !ok {
		devs := s.Devices()
		viewmodel.SortDevices(devs)
		s.Selected = ""
		if len(devs) > 0 {
			s.Selected = devs[0].Key
		}
		s.updateView()
	}
}

// followSelection keeps the window on the phone after a reboot: when the
// selected phone is gone and exactly one phone is connected, it is the same
// one back under another identity, so it is selected.
func (s *State) followSelection() {
	if p, ok := s.Phones[s.Selected]; ok && p.GoneAt.IsZero() {
		return
	}
	var connected []string
	for k, p := range s.Phones {
		if p.GoneAt.IsZero() {
			connected = append(connected, k)
		}
	}
	if len(connected) == 1 {
		s.Selected = connected[0]
		s.updateView()
	}
}
