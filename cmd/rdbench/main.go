// Command rdbench is the whole-process benchmark behind `make bench`. Against
// the usbmuxd/lockdownd simulator on this machine it measures: how long a
// simulated attach takes to show up in `restoredoctor watch` output; the wall
// time of `restoredoctor check --json --window 0 --no-network` next to
// libimobiledevice's `ideviceinfo -s` on the same simulated phone; lockdown
// round trips as the probe measures them next to a raw loopback
// request/response floor on the same socket type; CPU and RSS of an idle
// `watch` and of the idle GUI in demo mode under Xvfb; and `check` with 1, 8
// and 32 phones. Every figure is the median of several runs. It prints a
// Markdown table and, with -readme, rewrites the README section between
// <!-- bench:start --> and <!-- bench:end -->. It asserts nothing: a goal
// that is not met is reported as such.
//
// It is a developer tool under internal/: it imports device/usbmux and its
// simulator and runs the built binaries; nothing imports it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type config struct {
	bin      string
	runs     int
	attaches int
	idle     time.Duration
	readme   string
	only     map[string]bool
	goBench  string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// sections are the measurements, in table order; -only picks a subset.
var sections = []string{"first", "watch", "check", "rtt", "idle", "scale"}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c config
	var only string
	fs := flag.NewFlagSet("rdbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bin, "bin", "bin", "directory holding the built restoredoctor and restoredoctor-sim")
	fs.IntVar(&c.runs, "runs", 3, "runs per measurement (the table shows medians)")
	fs.IntVar(&c.attaches, "attaches", 50, "simulated attaches per watch-latency run")
	fs.DurationVar(&c.idle, "idle", 30*time.Second, "idle measurement window for watch and the GUI")
	fs.StringVar(&c.readme, "readme", "", "README to rewrite between the bench markers (empty: print only)")
	fs.StringVar(&only, "only", "", "comma-separated subset of: "+strings.Join(sections, ","))
	fs.StringVar(&c.goBench, "gobench", "", "file with `go test -bench` output of the hot paths to summarise in the table")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if c.runs < 1 || c.attaches < 1 || c.idle <= 0 {
		fmt.Fprintln(stderr, "rdbench: -runs, -attaches and -idle must be positive")
		return 2
	}
	if only != "" {
		c.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			c.only[strings.TrimSpace(s)] = true
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	b := &bench{cfg: c, log: log, started: time.Now(), load0: loadAvg()}
	if err := b.preflight(); err != nil {
		fmt.Fprintf(stderr, "rdbench: %v\n", err)
		return 1
	}
	defer b.cleanup()

	steps := map[string]func(context.Context) error{
		"first": b.firstVerdict,
		"watch": b.watchLatency,
		"check": b.checkVsIdeviceinfo,
		"rtt":   b.lockdownRTT,
		"idle":  b.idleUsage,
		"scale": b.scale,
	}
	for _, s := range sections {
		if c.only != nil && !c.only[s] {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		t0 := time.Now()
		log.Info("measuring", "what", s)
		if err := steps[s](ctx); err != nil {
			log.Warn("measurement failed", "what", s, "err", err)
			b.failed = append(b.failed, fmt.Sprintf("%s: %v", s, err))
		}
		log.Info("measured", "what", s, "took", time.Since(t0).Round(time.Second))
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "rdbench: interrupted")
		return 1
	}
	if c.goBench != "" {
		b.hot = parseGoBench(c.goBench)
	}
	table := b.markdown()
	fmt.Fprintln(stdout, table)
	if c.readme != "" {
		if err := rewriteReadme(c.readme, table); err != nil {
			fmt.Fprintf(stderr, "rdbench: %v\n", err)
			return 1
		}
		log.Info("README updated", "path", c.readme)
	}
	if len(b.failed) > 0 {
		return 1
	}
	return 0
}
