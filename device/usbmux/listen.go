package usbmux

import (
	"context"
	"errors"
	"slices"
	"time"
)

// EventKind is what a Listen event reports.
type EventKind string

// Listen event kinds: device attach/detach, and the state of the usbmuxd
// connection itself (so callers can show "usbmuxd went away / came back").
const (
	EventAttach       EventKind = "attach"
	EventDetach       EventKind = "detach"
	EventConnected    EventKind = "connected"
	EventDisconnected EventKind = "disconnected"
)

// Event is one notification from Listen.
type Event struct {
	Kind EventKind
	// Time is when the event was received (or, for Reconciled events, noticed).
	Time time.Time
	// DeviceID is usbmuxd's handle (attach/detach).
	DeviceID int
	// Entry is the device (attach/detach; for a detach, as it was when attached).
	Entry Entry
	// Reconciled marks an attach/detach derived from the device list taken on
	// (re)connecting rather than from a live notification: the device was
	// already there when listening began, or came or went while usbmuxd was away.
	Reconciled bool
	// Devices is the device list taken on connecting (connected events).
	Devices []Entry
	// Err is why the connection was lost or could not be made (disconnected events).
	Err error
	// Attempt counts consecutive failed connection attempts (disconnected events).
	Attempt int
}

// Listen follows usbmuxd's device notifications until ctx ends, then closes
// the channel. On each (re)connection it lists the devices, emits a connected
// event and reconciles with what it knew (Reconciled attach/detach), then
// sends Listen and forwards live Attached/Detached notifications. When the
// connection fails it emits one disconnected event and retries with backoff
// (BackoffMin doubling up to BackoffMax). A device that detaches between the
// list and the Listen request on reconnect is missed until the next reconnect.
func (c *Client) Listen(ctx context.Context) <-chan Event {
	ch := make(chan Event, 64)
	go c.listenLoop(ctx, ch)
	return ch
}

type listenState struct {
	c     *Client
	ctx   context.Context
	ch    chan<- Event
	known map[int]Entry // by DeviceID, as last known
}

func (c *Client) listenLoop(ctx context.Context, ch chan Event) {
	defer close(ch)
	ls := &listenState{c: c, ctx: ctx, ch: ch, known: map[int]Entry{}}
	backoff := c.opts.BackoffMin
	attempt := 0
	up := true // so the first failure is reported
	for ctx.Err() == nil {
		connected, err := ls.session()
		if ctx.Err() != nil {
			return
		}
		// A stream that ends in a refused frame (garbage, a plist bomb) keeps
		// backing off: it would fail the same way at once.
		if connected && !errors.Is(err, ErrProtocol) {
			backoff = c.opts.BackoffMin
			attempt = 0
		}
		attempt++
		if connected || up {
			c.log.Debug("usbmuxd listen connection lost", "err", err, "attempt", attempt)
			if !ls.emit(Event{Kind: EventDisconnected, Time: time.Now(), Err: err, Attempt: attempt}) {
				return
			}
		}
		up = false
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, c.opts.BackoffMax)
	}
}

func (ls *listenState) emit(e Event) bool {
	select {
	case ls.ch <- e:
		return true
	case <-ls.ctx.Done():
		return false
	}
}

// session runs one connection: list, reconcile, Listen, forward. It reports
// whether it got as far as connected, and why it ended.
func (ls *listenState) session() (connected bool, err error) {
	c := ls.c
	devs, err := c.List(ls.ctx)
	if err != nil {
		return false, err
	}
	s, err := c.open(ls.ctx, "listen")
	if err != nil {
		return false, err
	}
	defer s.close()
	if err := s.arm(); err != nil {
		return false, err
	}
	next, err := s.mux.Listen()
	if err != nil {
		return false, s.muxFail("Listen", err)
	}
	s.disarm()

	now := time.Now()
	if !ls.emit(Event{Kind: EventConnected, Time: now, Devices: devs}) {
		return true, ls.ctx.Err()
	}
	// Reconcile: what went while we were away, what is there now.
	current := map[int]Entry{}
	byUDID := map[string]Entry{}
	for _, d := range devs {
		current[d.DeviceID] = d
		byUDID[d.UDID+"\x00"+d.ConnectionType] = d
	}
	// Build the new known set apart from the old one: re-keying a phone
	// under its new handle inside the loop over the old map could overwrite
	// an entry not visited yet and lose its detach (map order is random).
	previous := ls.known
	ls.known = make(map[int]Entry, len(devs))
	var gone []Event
	for id, old := range previous {
		if cur, ok := current[id]; ok && cur.UDID == old.UDID {
			ls.known[id] = cur
			continue
		}
		if cur, ok := byUDID[old.UDID+"\x00"+old.ConnectionType]; ok {
			// Same phone, new handle (usbmuxd restarted): not a detach.
			ls.known[cur.DeviceID] = cur
			continue
		}
		gone = append(gone, Event{Kind: EventDetach, Time: now, DeviceID: id, Entry: old, Reconciled: true})
	}
	slices.SortFunc(gone, func(a, b Event) int { return a.DeviceID - b.DeviceID })
	for _, e := range gone {
		if !ls.emit(e) {
			return true, ls.ctx.Err()
		}
	}
	for _, d := range devs {
		if _, ok := ls.known[d.DeviceID]; ok {
			continue
		}
		ls.known[d.DeviceID] = d
		if !ls.emit(Event{Kind: EventAttach, Time: now, DeviceID: d.DeviceID, Entry: d, Reconciled: true}) {
			return true, ls.ctx.Err()
		}
	}

	for {
		msg, err := next()
		if err != nil {
			return true, s.fail(err)
		}
		now := time.Now()
		switch msg.MessageType {
		case "Attached":
			e := entryFrom(msg.DeviceID, msg.Properties)
			if old, ok := ls.known[e.DeviceID]; ok && old.UDID == e.UDID {
				continue // usbmuxd's initial burst repeats what the list said
			}
			// The same phone known under another handle: it left and came back
			// between our device list and the Listen request, and its Detached
			// was never sent to us. Report the missed detach first, so every
			// attach a consumer sees follows a detach of the same phone.
			for id, old := range ls.known {
				if id != e.DeviceID && e.UDID != "" && old.UDID == e.UDID && old.ConnectionType == e.ConnectionType {
					delete(ls.known, id)
					if !ls.emit(Event{Kind: EventDetach, Time: now, DeviceID: id, Entry: old, Reconciled: true}) {
						return true, ls.ctx.Err()
					}
				}
			}
			ls.known[e.DeviceID] = e
			if !ls.emit(Event{Kind: EventAttach, Time: now, DeviceID: e.DeviceID, Entry: e}) {
				return true, ls.ctx.Err()
			}
		case "Detached":
			old, ok := ls.known[msg.DeviceID]
			if !ok {
				// A handle we never reported (it came and went between our
				// device list and the Listen request): nothing to undo.
				c.log.Debug("usbmuxd detached an unknown device", "device_id", msg.DeviceID)
				continue
			}
			delete(ls.known, msg.DeviceID)
			if !ls.emit(Event{Kind: EventDetach, Time: now, DeviceID: msg.DeviceID, Entry: old}) {
				return true, ls.ctx.Err()
			}
		default:
			// Paired and other notifications carry nothing we track.
			c.log.Debug("usbmuxd notification ignored", "type", msg.MessageType)
		}
	}
}
