package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/restorewatch"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// recordOptions are the parsed flags of `record`.
type recordOptions struct {
	json, includeIDs, verbose bool
	trace, usbmuxd, replay    string
	poll, dur                 time.Duration
	speed                     float64
}

func parseRecordArgs(args []string) (recordOptions, error) {
	var o recordOptions
	fs := cliflags.NewFlagSet("record")
	fs.BoolVar(&o.json, "json", false, "")
	fs.StringVar(&o.trace, "trace", "", "")
	cliflags.DurationVar(fs, &o.poll, "poll", restorewatch.DefaultPoll)
	cliflags.DurationVar(fs, &o.dur, "for", 0)
	fs.StringVar(&o.usbmuxd, "usbmuxd", "", "")
	fs.BoolVar(&o.includeIDs, "include-identifiers", false, "")
	fs.StringVar(&o.replay, "replay", "", "")
	fs.Float64Var(&o.speed, "speed", 1, "")
	cliflags.VerboseVar(fs, &o.verbose)
	if err := cliflags.Parse(fs, args); err != nil {
		return o, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case o.poll < 10*time.Millisecond || o.poll > time.Minute:
		return o, errors.New(i18n.T("restore.record.bad_poll", i18n.Args{"Poll": o.poll.String()}))
	case set["speed"] && o.replay == "":
		return o, errors.New(i18n.T("restore.record.speed_alone"))
	case !(o.speed > 0 && o.speed <= 10000):
		return o, errors.New(i18n.T("restore.record.bad_speed", i18n.Args{"Speed": fmt.Sprint(o.speed)}))
	case o.replay != "" && set["usbmuxd"]:
		return o, errors.New(i18n.T("restore.record.replay_usbmuxd"))
	case set["trace"] && strings.TrimSpace(o.trace) == "":
		return o, errors.New(i18n.T("restore.record.empty_trace"))
	}
	if o.replay != "" && !set["poll"] {
		// Poll every DefaultPoll of the trace's own time, as a recording of
		// it would have: a faster replay polled every 500 ms of real time
		// would miss whole stages.
		o.poll = max(10*time.Millisecond, time.Duration(float64(restorewatch.DefaultPoll)/o.speed))
	}
	return o, nil
}

func runRecord(args []string, stdout, stderr io.Writer) int {
	o, err := parseRecordArgs(args)
	if errors.Is(err, cliflags.ErrHelp) {
		fmt.Fprint(stdout, usageText("record"))
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, i18n.T("restore.record.usage_error", i18n.Args{"Err": err.Error()}))
		return exitUsage
	}
	sig, stopSig := cliflags.SignalContext()
	defer stopSig()
	log := cliflags.Logger(stderr, o.verbose)
	rec, err := openRecording(sig, o, log, stderr)
	if err != nil {
		fmt.Fprintln(stderr, i18n.T("restore.record.cannot_start", i18n.Args{"Err": err.Error()}))
		return exitFail
	}
	defer rec.close()
	fmt.Fprintln(stderr, i18n.T("restore.record.writing", i18n.Args{"Path": rec.w.Path()}))
	if !o.json {
		fmt.Fprintln(stdout, i18n.T("restore.record.start"))
	}
	if err := rec.record(sig, stdout); err != nil {
		fmt.Fprintln(stderr, i18n.T("restore.record.stopped_error", i18n.Args{"Err": err.Error()}))
		return exitFail
	}
	fmt.Fprintln(stderr, i18n.T("restore.record.trace_is", i18n.Args{"Path": rec.w.Path()}))
	return exitOK
}

// recording is one run of `record`: its sources, trace file and timeline.
type recording struct {
	o       recordOptions
	log     *slog.Logger
	stderr  io.Writer
	start   time.Time
	header  restoretrace.Header
	w       *restoretrace.Writer
	usb     usb.Source
	mux     *usbmux.Client
	srv     *sim.Server         // --replay
	trace   *restoretrace.Trace // --replay
	closers []func()

	// clock is the recording's time: real time, or with --replay the trace's
	// (real time × --speed), so stage times and the verdict are the trace's.
	clock func() time.Time

	mu  sync.Mutex // the timeline and the output, shared by the events and the ticker
	tl  *restore.Timeline
	err error // the first trace write error
}

func openRecording(ctx context.Context, o recordOptions, log *slog.Logger, stderr io.Writer) (_ *recording, err error) {
	r := &recording{o: o, log: log, stderr: stderr, start: time.Now()}
	r.clock = time.Now
	pollMS := o.poll.Milliseconds()
	if o.replay != "" && o.speed != 1 {
		r.clock = func() time.Time { return r.start.Add(time.Duration(float64(time.Since(r.start)) * o.speed)) }
		pollMS = int64(float64(pollMS) * o.speed)
	}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	source := recordSource
	addr := o.usbmuxd
	if o.replay != "" {
		if r.trace, err = readReplay(o.replay); err != nil {
			return nil, err
		}
		srv, stop, err := sim.StartDemo(ctx, sim.Scenario{Name: "replay"}, log)
		if err != nil {
			return nil, err
		}
		r.closers = append(r.closers, stop)
		r.srv, r.usb, addr, source = srv, srv.USBSource(), srv.Addr(), "replay:"+filepath.Base(o.replay)
	} else {
		src, closeUSB, uerr := recordUSBSource(log)
		r.closers = append(r.closers, closeUSB)
		if uerr != nil {
			// usbmuxd alone still shows the handovers it lists: say so, record on.
			log.Warn("USB not usable; recording usbmuxd only", "err", uerr)
			fmt.Fprintln(stderr, i18n.T("restore.record.no_usb", i18n.Args{"Err": uerr.Error()}))
		}
		r.usb = src
	}
	maddr, err := usbmux.ResolveAddress(addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", i18n.T("restore.record.usbmuxd_address"), err)
	}
	r.mux = usbmux.NewClient(maddr, usbmux.Options{Logger: log})
	path := o.trace
	if path == "" {
		if path, err = defaultTracePath(r.start); err != nil {
			return nil, err
		}
	}
	r.header = restoretrace.Header{
		StartedAt: r.start.UTC().Format(time.RFC3339Nano), ToolVersion: version, OS: runtime.GOOS,
		PollMS: int(pollMS), Redacted: !o.includeIDs, Source: source,
	}
	if r.w, err = restoretrace.Create(path, r.header); err != nil {
		return nil, err
	}
	r.closers = append(r.closers, func() { _ = r.w.Close() })
	r.tl = restore.New(r.header, restore.DefaultConfig())
	return r, nil
}

func (r *recording) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// readReplay reads the trace to replay: a file, or the name of a demo trace
// (restore.DemoNames: "success", "lost-after-handover", …).
func readReplay(name string) (*restoretrace.Trace, error) {
	if _, err := os.Stat(name); err != nil && slices.Contains(restore.DemoNames(), name) {
		return restore.DemoTrace(name)
	}
	return restoretrace.ReadFile(name)
}

// defaultTracePath is a new file under the user's cache directory.
func defaultTracePath(start time.Time) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "restoredoctor", "traces")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("%s: %w", i18n.T("restore.record.trace_dir"), err)
	}
	return filepath.Join(dir, "restore-"+start.Format("20060102-150405")+".jsonl"), nil
}

// record runs the recorder until ctx ends (Ctrl-C: interrupted), --for
// passes or a replay is over (done), then prints the verdict.
func (r *recording) record(sig context.Context, out io.Writer) error {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stop := context.AfterFunc(sig, func() { cancel(errInterrupted) })
	defer stop()
	if r.o.dur > 0 {
		t := time.AfterFunc(r.o.dur, func() { cancel(restorewatch.ErrDone) })
		defer t.Stop()
	}
	if r.trace != nil {
		go func() {
			if sim.Replay(ctx, r.srv, r.trace, r.o.speed) == nil {
				// Let the recorder see the last change before it stops.
				t := time.NewTimer(3 * r.o.poll)
				defer t.Stop()
				select {
				case <-t.C:
					cancel(restorewatch.ErrDone)
				case <-ctx.Done():
				}
			}
		}()
	}
	tick := newStatusTicker(r, out)
	go tick.run(ctx)
	var mux restorewatch.MuxListener = r.mux
	opts := restorewatch.Options{USB: r.usb, Mux: mux, Poll: r.o.poll, Start: r.start, Now: r.clock, Logger: r.log}
	if r.trace != nil {
		// A replay's clock runs --speed times faster than the poll timer:
		// scheduling jitter would read as sleep. The trace's own gaps are its own.
		opts.GapAfter = 24 * time.Hour
	}
	restorewatch.Run(ctx, opts,
		func(e restoretrace.Event) { r.event(e, out) })
	tick.wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.w.Close(); err != nil && r.err == nil {
		r.err = err
	}
	v := r.tl.Decide(restore.Inputs{})
	if r.o.json {
		b, err := json.Marshal(map[string]any{"restore_timeline": r.tl.ToReport(v, 0)})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n", b)
	} else {
		printVerdict(out, v)
	}
	return r.err
}

var errInterrupted = errors.New("interrupted")

// event writes e to the trace, applies it to the timeline and prints it.
func (r *recording) event(e restoretrace.Event, out io.Writer) {
	if !r.o.includeIDs {
		e = restoretrace.Redact(e)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.w.Write(e); err != nil && r.err == nil {
		r.err = err
		fmt.Fprintln(r.stderr, i18n.T("restore.record.write_failed", i18n.Args{"Err": err.Error()}))
	}
	r.tl.Apply(e)
	if r.o.json {
		b, err := json.Marshal(e)
		if err == nil {
			fmt.Fprintf(out, "%s\n", b)
		}
		return
	}
	st := r.tl.Status(e.TimeMS)
	fmt.Fprintf(out, "%s %s %s · %s · %s\n", r.start.Add(time.Duration(e.TimeMS)*time.Millisecond).Format("15:04:05"),
		elapsed(e.TimeMS), describeEvent(e), st.Stage.Words(), st.Next)
}

// elapsed is "+m:ss" (or "+h:mm:ss") since the recording started.
func elapsed(ms int64) string {
	s := ms / 1000
	if s >= 3600 {
		return fmt.Sprintf("+%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("+%d:%02d", s/60, s%60)
}

// describeEvent says what one event observed, in a few words.
func describeEvent(e restoretrace.Event) string {
	switch e.Kind {
	case restoretrace.RecordStart:
		return i18n.T("restore.event.start")
	case restoretrace.RecordStop:
		reason := e.Reason
		if reason == "done" || reason == "interrupted" { // the recorder's own two; others are its error text
			reason = i18n.T("restore.stop." + reason)
		}
		return i18n.T("restore.event.stop", i18n.Args{"Reason": reason})
	case restoretrace.Gap:
		return i18n.T("restore.event.gap", i18n.Args{"Reason": e.Reason})
	case restoretrace.MuxDown:
		return i18n.T("restore.event.mux_down", i18n.Args{"Reason": e.Reason})
	case restoretrace.MuxUp:
		return i18n.T("restore.event.mux_up")
	case restoretrace.MuxAttach:
		return i18n.T("restore.event.mux_attach")
	case restoretrace.MuxDetach:
		return i18n.T("restore.event.mux_detach")
	}
	u := e.USB
	if u == nil {
		return string(e.Kind)
	}
	id := map[restoretrace.Kind]string{restoretrace.USBAttach: "restore.event.usb_attach", restoretrace.USBDetach: "restore.event.usb_detach",
		restoretrace.USBChange: "restore.event.usb_change"}[e.Kind]
	port := fmt.Sprint(u.Bus, "-", strings.Trim(strings.ReplaceAll(fmt.Sprint(u.PortPath), " ", "."), "[]"))
	s := i18n.T(id, i18n.Args{"Mode": u.Mode, "PID": fmt.Sprintf("%04x", u.ProductID), "Port": port})
	if u.SpeedMbps > 0 {
		s += i18n.T("restore.event.speed", i18n.Args{"Mbps": i18n.Num(u.SpeedMbps, 3)})
	}
	if u.Address > 0 {
		s += i18n.T("restore.event.address", i18n.Args{"Address": u.Address})
	}
	return s
}

// printVerdict prints the verdict for people.
func printVerdict(out io.Writer, v restore.Verdict) {
	fmt.Fprintln(out)
	fmt.Fprintln(out, i18n.T("restore.record.verdict", i18n.Args{"ID": string(v.ID), "Summary": v.Summary}))
	for _, e := range v.Evidence {
		fmt.Fprintf(out, "  - %s\n", e)
	}
	if !v.Complete {
		fmt.Fprintln(out, i18n.T("restore.record.incomplete", i18n.Args{"Reasons": strings.Join(v.IncompleteReasons, "; ")}))
	}
}

// statusTicker prints a line when the stage's timer fires (stalled, lost,
// back in the wrong mode), between events.
type statusTicker struct {
	r    *recording
	out  io.Writer
	done chan struct{}
}

func newStatusTicker(r *recording, out io.Writer) *statusTicker {
	return &statusTicker{r: r, out: out, done: make(chan struct{})}
}

func (t *statusTicker) run(ctx context.Context) {
	defer close(t.done)
	tk := time.NewTicker(time.Second)
	defer tk.Stop()
	last := restore.TimerNone
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
		ms := t.r.clock().Sub(t.r.start).Milliseconds()
		t.r.mu.Lock()
		st := t.r.tl.Status(ms)
		if st.Timer != last && st.Timer != restore.TimerOK && st.Timer != restore.TimerNone && !t.r.o.json {
			fmt.Fprintf(t.out, "%s %s %s · %s\n", time.Now().Format("15:04:05"), elapsed(ms),
				i18n.T("restore.record.timer", i18n.Args{"Stage": st.Stage.Words(), "Since": elapsed(st.SinceMS)[1:],
					"Timer": i18n.T("restore.timer." + string(st.Timer))}), st.Next)
		}
		last = st.Timer
		t.r.mu.Unlock()
	}
}

func (t *statusTicker) wait() { <-t.done }
