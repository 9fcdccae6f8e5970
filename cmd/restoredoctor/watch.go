package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/restoredoctor/restoredoctor/internal/safefile"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
)

const watchUsage = `Usage: restoredoctor watch [options]

Prints one line per device event (USB attach/detach/mode change, usbmuxd
attach/detach) and, after a phone attaches, one line with the verdict of a
quick check. Stops on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --json                   print JSON lines instead of text
  --usbmuxd ADDRESS        usbmuxd address (as for check)
  --interval DURATION      USB polling interval (default 500ms)
  --no-checks              do not run the quick check after an attach
  --for DURATION           stop after this long (default: until interrupted)
  --include-identifiers    print UDIDs and serials instead of their redacted form
  -v, --verbose            log what happens on stderr

Exit status: 0 stopped normally, 1 could not start, 2 bad usage.
`

type watchOptions struct {
	json, noChecks, includeIDs, verbose bool
	usbmuxd                             string
	interval, dur                       time.Duration
}

func parseWatchArgs(args []string) (watchOptions, error) {
	var wo watchOptions
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	interval := durationFlag{d: 500 * time.Millisecond}
	var dur durationFlag
	fs.BoolVar(&wo.json, "json", false, "")
	fs.StringVar(&wo.usbmuxd, "usbmuxd", "", "")
	fs.Var(&interval, "interval", "")
	fs.BoolVar(&wo.noChecks, "no-checks", false, "")
	fs.Var(&dur, "for", "")
	fs.BoolVar(&wo.includeIDs, "include-identifiers", false, "")
	fs.BoolVar(&wo.verbose, "v", false, "")
	fs.BoolVar(&wo.verbose, "verbose", false, "")
	if err := parseArgs(fs, args); err != nil {
		return wo, err
	}
	if interval.d < 50*time.Millisecond {
		return wo, fmt.Errorf("--interval %v: want at least 50ms", interval.d)
	}
	wo.interval, wo.dur = interval.d, dur.d
	if _, err := usbmux.ResolveAddress(wo.usbmuxd); err != nil {
		return wo, fmt.Errorf("--usbmuxd: %v", err)
	}
	return wo, nil
}

// watchLine is one output line (also the JSON-lines schema).
type watchLine struct {
	Time     time.Time `json:"time"`
	Source   string    `json:"source"` // usb | usbmux | check
	Kind     string    `json:"kind"`   // attach | detach | mode-change | connected | disconnected | summary | error
	Mode     string    `json:"mode,omitempty"`
	PrevMode string    `json:"prev_mode,omitempty"`
	Model    string    `json:"model,omitempty"`
	Location string    `json:"location,omitempty"`
	UDID     string    `json:"udid,omitempty"`
	// Reenumeration marks a USB re-attach in the same mode at the same port.
	Reenumeration bool `json:"reenumeration,omitempty"`
	// Check summary fields.
	PrimaryStep *int     `json:"primary_step,omitempty"`
	Findings    []string `json:"findings,omitempty"`
	Summary     string   `json:"summary,omitempty"`
	Error       string   `json:"error,omitempty"`
}

// watcher prints lines; it is shared by the event loop and the check runner.
type watchPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
	ids  bool
	// models remembers model names learnt from quick checks, by normalised
	// serial and by USB location, to name phones in later event lines.
	models map[string]string
}

func (p *watchPrinter) id(s string) string {
	if s == "" || p.ids {
		return s
	}
	return report.HashID(s)
}

func (p *watchPrinter) print(l watchLine) {
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
		fmt.Fprintf(p.w, "%s %-6s %s\n", ts, l.Source, l.Summary)
		return
	case "error", "disconnected", "connected":
		msg := l.Kind
		if l.Error != "" {
			msg += ": " + l.Error
		}
		fmt.Fprintf(p.w, "%s %-6s %s\n", ts, l.Source, msg)
		return
	}
	m := l.Mode
	if l.PrevMode != "" {
		m = l.PrevMode + "→" + l.Mode
	}
	kind := l.Kind
	if l.Reenumeration {
		kind += " (again)"
	}
	fields := []string{ts, fmt.Sprintf("%-6s", l.Source), fmt.Sprintf("%-16s", kind), fmt.Sprintf("%-9s", m)}
	if l.Model != "" {
		fields = append(fields, l.Model)
	}
	if l.Location != "" {
		fields = append(fields, "at "+l.Location)
	}
	if l.UDID != "" {
		fields = append(fields, l.UDID)
	}
	fmt.Fprintln(p.w, strings.Join(fields, " "))
}

func (p *watchPrinter) modelFor(keys ...string) string {
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

func (p *watchPrinter) learn(key, name string) {
	if key == "" || name == "" || strings.HasPrefix(name, "Unknown") {
		return
	}
	p.mu.Lock()
	p.models[key] = name
	p.mu.Unlock()
}

func runWatch(args []string, stdout, stderr io.Writer) int {
	wo, err := parseWatchArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, watchUsage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor watch: %v (run \"restoredoctor watch --help\")\n", err)
		return exitUsage
	}
	log := newCLILogger(stderr, wo.verbose)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A failed write to stdout (/dev/full, a closed pipe) ends the watch with exit 1.
	ctx, outFailed := context.WithCancelCause(ctx)
	out := &safefile.StickyWriter{W: stdout, OnError: outFailed}
	stdout = out
	if wo.dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wo.dur)
		defer cancel()
	}
	addr, _ := usbmux.ResolveAddress(wo.usbmuxd)
	pr := &watchPrinter{w: stdout, json: wo.json, ids: wo.includeIDs, models: map[string]string{}}

	var src usb.Source
	scanner, serr := usb.NewScanner(usb.ScannerOptions{Logger: log})
	if serr != nil {
		pr.print(watchLine{Time: time.Now(), Source: "usb", Kind: "error", Error: serr.Error()})
	} else {
		defer scanner.Close()
		src = scanner
	}
	client := usbmux.NewClient(addr, usbmux.Options{Logger: log})
	engine := diagnostics.NewEngine(diagnostics.Config{USB: src, Logger: log, ToolVersion: version})
	if src == nil {
		// The engine opens (and reports) libusb itself.
		engine = diagnostics.NewEngine(diagnostics.Config{Logger: log, ToolVersion: version})
	}
	defer engine.Close()

	// Quick checks run one at a time; attaches during a check ask for one more.
	checkReq := make(chan struct{}, 1)
	var wg sync.WaitGroup
	if !wo.noChecks {
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
				quickCheck(ctx, engine, addr.String(), pr)
			}
		}()
	}
	requestCheck := func() {
		if wo.noChecks {
			return
		}
		select {
		case checkReq <- struct{}{}:
		default:
		}
	}

	var usbCh <-chan usb.Event
	var usbW *usb.Watcher
	if src != nil {
		usbW = usb.NewWatcher(src, usb.WatcherOptions{Interval: wo.interval, Logger: log})
		usbCh = usbW.Run(ctx)
	}
	muxCh := client.Listen(ctx)
	usbErrShown := ""
	errTick := time.NewTicker(2 * time.Second)
	defer errTick.Stop()
	ctxDone := ctx.Done()
	for usbCh != nil || muxCh != nil {
		select {
		case ev, ok := <-usbCh:
			if !ok {
				usbCh = nil
				continue
			}
			d := ev.Device
			l := watchLine{Time: ev.Time, Source: "usb", Kind: string(ev.Kind), Mode: string(d.Mode), Location: d.Location(), Reenumeration: ev.Reenumeration}
			if ev.Kind == usb.ModeChange {
				l.PrevMode = string(ev.PrevMode)
			}
			serial := ""
			if !d.Mode.IsLowLevel() {
				serial = usb.NormalizeSerial(d.Serial)
			}
			if d.Recovery != nil {
				l.Model = model.ByChipHex(d.Recovery.CPID, d.Recovery.BDID).Name
				l.UDID = pr.id(d.Recovery.ECID)
			} else {
				l.Model = pr.modelFor(serial, d.Location())
				l.UDID = pr.id(serial)
			}
			pr.print(l)
			if ev.Kind != usb.Detached {
				requestCheck()
			}
		case ev, ok := <-muxCh:
			if !ok {
				muxCh = nil
				continue
			}
			l := watchLine{Time: ev.Time, Source: "usbmux", Kind: string(ev.Kind)}
			switch ev.Kind {
			case usbmux.EventConnected, usbmux.EventDisconnected:
				if ev.Err != nil {
					l.Error = ev.Err.Error()
				}
				pr.print(l)
				continue
			}
			e := ev.Entry
			l.Mode = string(mode.FromProductID(uint16(e.ProductID)))
			serial := usb.NormalizeSerial(e.UDID)
			l.Model = pr.modelFor(serial)
			l.UDID = pr.id(e.UDID)
			pr.print(l)
			if ev.Kind == usbmux.EventAttach {
				requestCheck()
			}
		case <-errTick.C:
			if usbW == nil {
				continue
			}
			if err := usbW.Err(); err != nil && err.Error() != usbErrShown {
				usbErrShown = err.Error()
				pr.print(watchLine{Time: time.Now(), Source: "usb", Kind: "error", Error: usbErrShown})
			} else if err == nil {
				usbErrShown = ""
			}
		case <-ctxDone:
			// Both channels close once their goroutines see ctx; keep
			// draining them, without spinning on ctx.
			ctxDone = nil
		}
	}
	wg.Wait()
	if err := out.Err(); err != nil {
		fmt.Fprintf(stderr, "restoredoctor watch: writing to stdout: %v\n", err)
		return exitFail
	}
	return exitOK
}

// quickCheck runs a one-pass check without network and prints its verdict
// in one line.
func quickCheck(ctx context.Context, engine *diagnostics.Engine, addr string, pr *watchPrinter) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := engine.Run(cctx, diagnostics.Options{UsbmuxdAddress: addr, NoNetwork: true, IncludeIdentifiers: true, LockdownRequests: 3}, nil)
	if ctx.Err() != nil {
		return
	}
	l := watchLine{Time: time.Now(), Source: "check", Kind: "summary"}
	if err != nil {
		l.Kind, l.Error, l.Summary = "error", err.Error(), "check failed: "+err.Error()
		pr.print(l)
		return
	}
	for _, d := range rep.Devices {
		pr.learn(usb.NormalizeSerial(d.Key), d.Model.Name)
		if d.USB.Present && len(d.USB.PortPath) > 0 {
			pr.learn(usb.Device{Bus: d.USB.Bus, PortPath: d.USB.PortPath}.Location(), d.Model.Name)
		}
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
		what = append(what, fmt.Sprintf("%s %s", d.Model.Name, d.Mode))
	}
	if len(what) == 0 {
		what = []string{"no phone"}
	}
	// A quick check is one pass: it cannot see drops over time, which the
	// attach/detach lines above show. Say so rather than "all good".
	verdict := "no fault found in a one-pass check (run 'restoredoctor check' to watch the link)"
	if rep.PrimaryStep != nil {
		verdict = fmt.Sprintf("try step %d first", *rep.PrimaryStep)
	}
	if len(l.Findings) > 0 {
		verdict += " (" + strings.Join(l.Findings, ", ") + ")"
	}
	l.Summary = strings.Join(what, ", ") + ": " + verdict
	pr.print(l)
}
