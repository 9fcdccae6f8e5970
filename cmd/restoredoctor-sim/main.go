// Command restoredoctor-sim is a usbmuxd + lockdownd simulator speaking the
// real wire protocol, for tests, demos and benchmarks. It prints
// USBMUXD_SOCKET_ADDRESS=… once listening and runs until SIGINT/SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/restore"
)

func main() {
	// SIGHUP too: a closed terminal must not leave the socket file behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

type options struct {
	scenario, scenarioFile, listen string
	phones                         int
	verbose, allowRemote           bool
	replay                         string
	speed                          float64
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("restoredoctor-sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.scenario, "scenario", "healthy", "built-in scenario: "+strings.Join(sim.BuiltinNames(), ", "))
	fs.StringVar(&o.scenarioFile, "scenario-file", "", "JSON scenario file with the fields of sim.Scenario (Phones, LockdownLatency, LockdownJitter, LockdownDropAfter, FlapInterval, Hung, Garbage, RebootDelay, PlaintextSession, IOSFails, IdleTimeout, QueryTypeAnswer, StartSessionError; durations as \"800ms\"), instead of --scenario")
	fs.StringVar(&o.listen, "listen", "", "address to serve: unix:///path, /path, 127.0.0.1:port, tcp://127.0.0.1:port (default: a unix socket in $XDG_RUNTIME_DIR or /tmp; on Windows tcp://127.0.0.1:0)")
	fs.IntVar(&o.phones, "phones", 0, "number of phones for the multi scenario (default 4)")
	fs.BoolVar(&o.verbose, "v", false, "log every request (slog, to stderr)")
	fs.StringVar(&o.replay, "replay", "", "replay a restore trace (restoredoctor record's file, or a demo trace's name: "+strings.Join(restore.DemoNames(), ", ")+"): its phones come and go on usbmuxd as recorded")
	fs.Float64Var(&o.speed, "speed", 1, "replay speed: 60 plays an hour in a minute")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a --listen address other machines can reach (default: loopback and unix sockets only)")
	fs.Usage = func() {} // parse errors are reported in one line by run
	usage := func() {
		fmt.Fprintln(stderr, "usage: restoredoctor-sim [--scenario NAME | --scenario-file FILE | --replay TRACE [--speed N]] [--listen ADDR] [--phones N] [-v]")
		fmt.Fprintln(stderr, "\nA usbmuxd + lockdownd simulator. Prints USBMUXD_SOCKET_ADDRESS=… once listening;")
		fmt.Fprintln(stderr, "libimobiledevice tools need the UNIX:/path form it also prints. Stops on SIGINT/SIGTERM/SIGHUP.")
		fmt.Fprintln(stderr)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return o, flag.ErrHelp
		}
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	if o.listen != "" && !o.allowRemote {
		if err := sim.CheckLoopback(o.listen); errors.Is(err, sim.ErrNotLoopback) {
			return o, fmt.Errorf("%w: %v (add --allow-remote to mean it)", errUsage, err)
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["scenario"] && set["scenario-file"] {
		return o, fmt.Errorf("%w: --scenario and --scenario-file are exclusive", errUsage)
	}
	if o.replay != "" && (set["scenario"] || set["scenario-file"] || set["phones"]) {
		return o, fmt.Errorf("%w: --replay plays the trace's phones: no --scenario, --scenario-file or --phones with it", errUsage)
	}
	if set["speed"] && o.replay == "" {
		return o, fmt.Errorf("%w: --speed only goes with --replay", errUsage)
	}
	if !(o.speed > 0 && o.speed <= 10000) {
		return o, fmt.Errorf("%w: --speed %v: want a number above 0, at most 10000", errUsage, o.speed)
	}
	if set["phones"] {
		if o.phones < 1 || o.phones > 1000 {
			return o, fmt.Errorf("%w: --phones %d: want 1..1000", errUsage, o.phones)
		}
		if set["scenario"] && o.scenario != "multi" || set["scenario-file"] {
			return o, fmt.Errorf("%w: --phones only goes with --scenario multi", errUsage)
		}
		o.scenario = "multi"
	}
	return o, nil
}

func defaultListen() string {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	if a := sim.LocalAddress(dir); !strings.HasPrefix(a, "unix:") {
		return a // Windows: TCP loopback, a free port (printed at start)
	}
	return "unix://" + filepath.Join(dir, "restoredoctor-sim-"+strconv.Itoa(os.Getpid())+".sock")
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor-sim: %v (see --help)\n", err)
		return 2
	}
	var sc sim.Scenario
	var trace *restoretrace.Trace
	switch {
	case o.replay != "":
		sc = sim.Scenario{Name: "replay"}
		if _, serr := os.Stat(o.replay); serr != nil && slices.Contains(restore.DemoNames(), o.replay) {
			trace, err = restore.DemoTrace(o.replay) // a demo trace by name
		} else {
			trace, err = restoretrace.ReadFile(o.replay)
		}
		if err == nil && trace.Truncated {
			fmt.Fprintf(stderr, "restoredoctor-sim: %s: line %d was cut off (the recorder stopped mid-write); replaying what is before it\n", o.replay, trace.TruncatedLine)
		}
	case o.scenarioFile != "":
		sc, err = sim.LoadScenario(o.scenarioFile)
	case o.phones > 0:
		sc = sim.Multi(o.phones)
	default:
		sc, err = sim.Builtin(o.scenario)
	}
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor-sim: %v\n", err)
		return 2
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	listen := o.listen
	if listen == "" {
		listen = defaultListen()
	}
	srv, err := sim.Start(ctx, listen, sc, log)
	if err != nil {
		fmt.Fprintf(stderr, "restoredoctor-sim: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "USBMUXD_SOCKET_ADDRESS=%s\n", srv.Addr())
	if srv.LibimobiledeviceAddr() != srv.Addr() {
		fmt.Fprintf(stdout, "# for libimobiledevice (idevice_id, ideviceinfo): USBMUXD_SOCKET_ADDRESS=%s\n", srv.LibimobiledeviceAddr())
	}
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	if trace != nil {
		go func() {
			if err := sim.Replay(ctx, srv, trace, o.speed); err == nil {
				fmt.Fprintf(stderr, "restoredoctor-sim: replay of %s done (%d events); serving until stopped\n", o.replay, len(trace.Events))
			}
		}()
	}
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "restoredoctor-sim: %v\n", err)
		return 1
	}
	return 0
}
