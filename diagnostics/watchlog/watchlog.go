// Package watchlog is the `restoredoctor watch` stream: one line per live
// event of a diagnostics session (USB and usbmuxd attach, detach and mode
// change, with the phone's one key and the drop count device.Monitor
// keeps) and, after a phone attaches, the verdict of a quick one-pass check.
// Lines are text for people or JSON lines for scripts (Line is the schema).
package watchlog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/devlist"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/diagnostics/session"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// kindWord is an event kind (attach, detach, mode-change, connected,
// disconnected, error) in the current language.
func kindWord(kind string) string {
	if id := "cli.watch.kind." + strings.ReplaceAll(kind, "-", "_"); i18n.Has(id) {
		return i18n.T(id)
	}
	return kind
}

// sourceWord is a line's source column in the current language: "check"
// is a word the user reads; usb and usbmux are technical names and stay as
// typed (the JSON's source field keeps all three).
func sourceWord(source string) string {
	if id := "cli.watch.source." + source; i18n.Has(id) {
		return i18n.T(id)
	}
	return source
}

// modeWord is a phone mode in the current language, as the report says it.
func modeWord(m string) string {
	if id := "report.mode." + strings.ReplaceAll(m, "-", "_"); m != "" && i18n.Has(id) {
		return i18n.T(id)
	}
	return m
}

// padRight pads s with spaces to width runes.
func padRight(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// Run prints the session's live events until ctx ends, with a quick check
// (against usbmuxd at addr) after each attach or mode change, unless
// noChecks: one at a time, and attaches during a check ask for one more. It
// returns Watch's error.
func (pr *Printer) Run(ctx context.Context, sess *session.Session, addr string, noChecks bool) error {
	// Quick checks run one at a time; attaches during a check ask for one more.
	checkReq := make(chan struct{}, 1)
	var wg sync.WaitGroup
	if !noChecks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-checkReq:
				}
				// Let a phone that just attached settle (usbmuxd lists it a
				// moment after USB sees it).
				select {
				case <-ctx.Done():
					return
				case <-time.After(700 * time.Millisecond):
				}
				pr.QuickCheck(ctx, sess, addr)
			}
		}()
	}
	requestCheck := func() {
		if noChecks {
			return
		}
		select {
		case checkReq <- struct{}{}:
		default:
		}
	}

	err := sess.Watch(ctx, func(ev session.Event) {
		if l, ok := pr.LineOf(ev); ok {
			pr.Print(l)
		}
		if ev.Kind == session.Attach || ev.Kind == session.ModeChange {
			requestCheck()
		}
	})
	wg.Wait()
	return err
}

// Error prints an error line of source ("usb", "usbmux").
func (p *Printer) Error(source string, err error) {
	p.Print(Line{Time: time.Now(), Source: source, Kind: "error", Error: devlist.USBErrorText(err)})
}

// NewPrinter returns a printer to w: JSON lines or text, identifiers
// redacted unless includeIDs.
func NewPrinter(w io.Writer, jsonLines, includeIDs bool) *Printer {
	return &Printer{w: w, json: jsonLines, ids: includeIDs, models: map[string]string{}}
}

// Line is one output line (also the JSON-lines schema).
type Line struct {
	Time     time.Time `json:"time"`
	Source   string    `json:"source"` // usb | usbmux | check
	Kind     string    `json:"kind"`   // attach | detach | mode-change | connected | disconnected | summary | error
	Mode     string    `json:"mode,omitempty"`
	PrevMode string    `json:"prev_mode,omitempty"`
	Model    string    `json:"model,omitempty"`
	Location string    `json:"location,omitempty"`
	UDID     string    `json:"udid,omitempty"`
	// Phone is the phone's key (one per phone in every mode; redacted
	// unless --include-identifiers) and Drops its drop count so far, as the
	// window and the report count them.
	Phone string `json:"phone,omitempty"`
	Drops *int   `json:"drops,omitempty"`
	// Reenumeration marks a return in the same mode after a drop (a flap).
	Reenumeration bool `json:"reenumeration,omitempty"`
	// Check summary fields.
	PrimaryStep *int     `json:"primary_step,omitempty"`
	Findings    []string `json:"findings,omitempty"`
	Summary     string   `json:"summary,omitempty"`
	Error       string   `json:"error,omitempty"`
}

// Printer prints lines; it is shared by the event loop and the check
// runner, and safe for concurrent use.
type Printer struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
	ids  bool
	// models remembers model names learnt from quick checks, by phone key,
	// to name phones in later event lines.
	models map[string]string
}

func (p *Printer) id(s string) string {
	if s == "" || p.ids {
		return s
	}
	return report.HashID(s)
}

// Print writes one line.
func (p *Printer) Print(l Line) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.json {
		b, err := json.Marshal(l)
		if err != nil {
			return
		}
		p.w.Write(append(b, '\n'))
		return
	}
	ts := l.Time.Local().Format("15:04:05.000")
	switch l.Kind {
	case "summary":
		fmt.Fprintf(p.w, "%s %s %s\n", ts, padRight(sourceWord(l.Source), 6), l.Summary)
		return
	case "error", "disconnected", "connected":
		msg := kindWord(l.Kind)
		if l.Error != "" {
			msg = i18n.T("cli.watch.kind_error", i18n.Args{"Kind": msg, "Error": l.Error})
		}
		fmt.Fprintf(p.w, "%s %s %s\n", ts, padRight(sourceWord(l.Source), 6), msg)
		return
	}
	m := modeWord(l.Mode)
	if l.PrevMode != "" {
		m = modeWord(l.PrevMode) + "→" + modeWord(l.Mode)
	}
	kind := kindWord(l.Kind)
	if l.Reenumeration {
		kind = i18n.T("cli.watch.again", i18n.Args{"Kind": kind})
	}
	fields := []string{ts, padRight(sourceWord(l.Source), 6), padRight(kind, 16), padRight(m, 9)}
	if l.Model != "" {
		fields = append(fields, report.ModelDisplayName(l.Model)) // the JSON keeps the name as data
	}
	if l.Location != "" {
		fields = append(fields, i18n.T("cli.watch.at", i18n.Args{"Location": l.Location}))
	}
	if l.UDID != "" {
		fields = append(fields, l.UDID)
	}
	if l.Drops != nil {
		fields = append(fields, i18n.T("cli.watch.drops", i18n.Args{"Drops": *l.Drops}))
	}
	fmt.Fprintln(p.w, strings.Join(fields, " "))
}

func (p *Printer) modelFor(keys ...string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		if k == "" {
			continue
		}
		if m, ok := p.models[k]; ok {
			return m
		}
	}
	return ""
}

func (p *Printer) learn(key, name string) {
	if key == "" || name == "" || strings.HasPrefix(name, model.UnknownName) {
		return
	}
	p.mu.Lock()
	p.models[key] = name
	p.mu.Unlock()
}

// LineOf is the line of one session event (ok false for events watch
// does not print: lockdown descriptions and latency samples).
func (pr *Printer) LineOf(ev session.Event) (Line, bool) {
	l := Line{Time: ev.Time, Source: string(ev.Source)}
	switch ev.Kind {
	case session.UsbmuxConnected, session.UsbmuxDisconnected:
		l.Source, l.Kind = "usbmux", "connected"
		if ev.Kind == session.UsbmuxDisconnected {
			l.Kind = "disconnected"
		}
		if ev.Err != nil {
			l.Error = ev.Err.Error()
		}
		return l, true
	case session.USBError:
		if ev.Err == nil {
			return l, false
		}
		l.Source, l.Kind, l.Error = "usb", "error", devlist.USBErrorText(ev.Err)
		return l, true
	case session.Attach, session.Detach, session.ModeChange:
		l.Kind = string(ev.Kind)
	default:
		return l, false
	}
	key := ev.Phone.Key
	drops := ev.Stability.Drops()
	l.Phone, l.Drops, l.Reenumeration = pr.id(key), &drops, ev.Flap
	if ev.Kind == session.ModeChange {
		l.PrevMode = string(ev.PrevMode)
	}
	switch {
	case ev.USB != nil:
		d := ev.USB
		l.Mode, l.Location = string(d.Mode), d.Location()
		if ev.Kind == session.ModeChange && ev.Phone.Mode != "" {
			l.Mode = string(ev.Phone.Mode) // restore mode shares normal's product ids
		}
		if d.Recovery != nil {
			l.Model = model.ByChipHex(d.Recovery.CPID, d.Recovery.BDID).Name
			l.UDID = pr.id(d.Recovery.ECID)
		} else {
			l.Model = pr.modelFor(key)
			if !d.Mode.IsLowLevel() {
				l.UDID = pr.id(usb.NormalizeSerial(d.Serial))
			}
		}
	case ev.Entry != nil:
		l.Mode = string(mode.FromProductID(uint16(ev.Entry.ProductID)))
		if ev.Kind == session.ModeChange && ev.Phone.Mode != "" {
			l.Mode = string(ev.Phone.Mode)
		}
		l.Model = pr.modelFor(key)
		l.UDID = pr.id(ev.Entry.UDID)
	}
	return l, true
}

// QuickCheck runs a one-pass check without network and prints its verdict
// in one line.
func (pr *Printer) QuickCheck(ctx context.Context, sess *session.Session, addr string) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := sess.Check(cctx, diagnostics.Options{UsbmuxdAddress: addr, NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 3}, nil)
	if ctx.Err() != nil {
		return
	}
	l := Line{Time: time.Now(), Source: "check", Kind: "summary"}
	if err != nil {
		l.Kind, l.Error, l.Summary = "error", err.Error(), i18n.T("findings.watch.check_failed", i18n.Args{"Error": err.Error()})
		pr.Print(l)
		return
	}
	for _, d := range rep.Devices {
		pr.learn(d.Key, d.Model.Name) // the report's key is the live one
	}
	if !pr.ids {
		red := report.Redact(*rep)
		rep = &red
	}
	for _, f := range rep.Findings {
		if !slices.Contains(l.Findings, f.ID) {
			l.Findings = append(l.Findings, f.ID)
		}
	}
	l.PrimaryStep = rep.PrimaryStep
	var what []string
	for _, d := range rep.Devices {
		what = append(what, i18n.T("cli.watch.phone", i18n.Args{"Model": report.ModelDisplayName(d.Model.Name), "Mode": modeWord(d.Mode)}))
	}
	if len(what) == 0 {
		what = []string{i18n.T("findings.watch.no_phone")}
	}
	verdict := quickVerdict(rep)
	if len(l.Findings) > 0 {
		verdict += " (" + strings.Join(l.Findings, ", ") + ")"
	}
	l.Summary = i18n.T("cli.watch.summary", i18n.Args{"Phones": strings.Join(what, ", "), "Verdict": verdict})
	pr.Print(l)
}

// quickVerdict words a quick check's verdict. Whether "no fault found" may
// be said is the one completeness rule's (diagnostics.NoFaultFound), as in
// check and the window; a quick check is one pass and cannot see drops over
// time (the attach/detach lines show them), so even then it says so.
func quickVerdict(rep *report.Report) string {
	switch {
	case !rep.Complete || rep.Incomplete():
		args := i18n.Args{"Reasons": strings.Join(rep.IncompleteReasons, i18n.T("findings.incomplete.separator"))}
		if rep.PrimaryStep != nil {
			args["Step"] = *rep.PrimaryStep
			return i18n.T("findings.watch.incomplete_step", args)
		}
		return i18n.T("findings.watch.incomplete", args)
	case rep.PrimaryStep != nil:
		return i18n.T("findings.watch.try_step", i18n.Args{"Step": *rep.PrimaryStep})
	case diagnostics.NoFaultFound(rep):
		return i18n.T("findings.watch.no_fault")
	default:
		return rep.Summary
	}
}
