package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/stats"
)

// percentile is stats.Percentile (the project's one rule).
func percentile(samples []time.Duration, p float64) time.Duration {
	return stats.Percentile(samples, p)
}

// median is the middle sample (the lower middle for an even count).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

func medianF(fs []float64) float64 {
	if len(fs) == 0 {
		return 0
	}
	s := slices.Clone(fs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// fmtDur prints a duration with three significant figures in µs, ms or s.
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// clockTicks is USER_HZ, the unit of utime/stime in /proc/PID/stat: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// procCPU returns utime+stime of a process.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads fields 14 (utime) and 15 (stime) of /proc/PID/stat;
// the command name (field 2) may contain spaces and parentheses, so fields
// are counted after its last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc/PID/stat")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime is field 14 → f[11], stime f[12].
	if len(f) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad utime/stime in /proc/PID/stat")
	}
	return time.Duration(u+s) * time.Second / clockTicks, nil
}

// procRSS returns VmRSS of a process in MB (MiB).
func procRSS(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusRSS(b)
}

func parseStatusRSS(b []byte) (float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != "VmRSS" {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return 0, err
		}
		return kb / 1024, nil
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "Linux"
	}
	return "Linux " + strings.TrimSpace(string(b))
}

// hotRow is one Go benchmark result.
type hotRow struct {
	name, pkg, nsOp, bOp, allocs string
}

// parseGoBench reads `go test -bench -benchmem` output.
func parseGoBench(path string) []hotRow {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parseGoBenchText(string(b))
}

func parseGoBenchText(s string) []hotRow {
	var out []hotRow
	pkg := ""
	for _, l := range strings.Split(s, "\n") {
		if p, ok := strings.CutPrefix(l, "pkg: "); ok {
			pkg = strings.TrimPrefix(strings.TrimSpace(p), "github.com/restoredoctor/restoredoctor/")
			continue
		}
		if !strings.HasPrefix(l, "Benchmark") {
			continue
		}
		f := strings.Fields(l)
		if len(f) < 4 || f[3] != "ns/op" {
			continue
		}
		h := hotRow{name: trimProcs(f[0]), pkg: pkg, nsOp: f[2], bOp: "", allocs: ""}
		for i := 4; i+1 < len(f); i += 2 {
			switch f[i+1] {
			case "B/op":
				h.bOp = f[i]
			case "allocs/op":
				h.allocs = f[i]
			}
		}
		out = append(out, h)
	}
	return out
}

// trimProcs drops the -GOMAXPROCS suffix go test adds to benchmark names.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

const (
	markStart = "<!-- bench:start -->"
	markEnd   = "<!-- bench:end -->"
)

// rewriteReadme replaces the text between the bench markers with table. When
// the markers are missing, the body of the "## Performance" section (up to
// the next "## " heading) is replaced by an introduction and the markers.
func rewriteReadme(path, table string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read README: %w", err)
	}
	out, err := spliceReadme(string(b), table)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".readme-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// performanceIntro is written under the heading the first time.
const performanceIntro = "`make bench` runs the Go benchmarks of the hot paths (USB snapshot and classification, frame decoding,\n" +
	"rules, report rendering) and then `scripts/bench.sh`, which drives the built binaries against the usbmuxd/lockdownd\n" +
	"simulator and rewrites the table below. Goals come from the project's performance issue; a goal not met says so.\n"

func spliceReadme(readme, table string) (string, error) {
	block := markStart + "\n" + table + "\n" + markEnd
	i := strings.Index(readme, markStart)
	j := strings.Index(readme, markEnd)
	switch {
	case i >= 0 && j > i:
		return readme[:i] + block + readme[j+len(markEnd):], nil
	case i >= 0 || j >= 0:
		return "", errors.New("only one of the bench markers is present")
	}
	h := strings.Index(readme, "\n## Performance\n")
	if h < 0 {
		return "", errors.New(`no "## Performance" section and no bench markers`)
	}
	body := h + len("\n## Performance\n")
	rest := ""
	if end := strings.Index(readme[body:], "\n## "); end >= 0 {
		rest = readme[body+end:]
	}
	return readme[:body] + "\n" + performanceIntro + "\n" + block + "\n" + rest, nil
}

// nsText turns go test's ns/op figure into a readable duration ("2.74 µs").
func nsText(ns string) string {
	f, err := strconv.ParseFloat(ns, 64)
	if err != nil {
		return ns
	}
	switch {
	case f < 1e3:
		return fmt.Sprintf("%.0f ns", f)
	case f < 1e6:
		return fmt.Sprintf("%.2f µs", f/1e3)
	case f < 1e9:
		return fmt.Sprintf("%.2f ms", f/1e6)
	default:
		return fmt.Sprintf("%.2f s", f/1e9)
	}
}
