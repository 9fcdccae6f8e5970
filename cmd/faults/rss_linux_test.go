package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// A child's getrusage ru_maxrss is not its own peak: os/exec starts it with
// vfork (CLONE_VM), and at exec Linux folds the high-water mark of the mm it
// leaves, the test process's own, into the child's maxrss. Late in a -race
// run of this package the test process holds about 170 MB, so every child
// "peaked" at 170 MB although alone it peaks near 35 MB. The child's own
// figure is VmHWM in /proc/PID/status once it runs its binary; watchRSS
// samples it.

// sampled holds each watched child's own peak resident set (VmHWM, kB) by
// its ProcessState, once it has exited.
var sampled sync.Map // *os.ProcessState → int64

// rssSample is how often watchRSS reads the child's VmHWM. VmHWM only
// grows, so a sample misses at most what the child added in its last
// rssSample; a bomb takes far longer than that to blow up.
const rssSample = 2 * time.Millisecond

// watchRSS samples the started cmd's own VmHWM until it exits. The returned
// wait replaces cmd.Wait and records the peak for peakRSSMB.
func watchRSS(cmd *exec.Cmd) (wait func() error) {
	name := filepath.Base(cmd.Path)
	if len(name) > 15 { // the kernel's comm is 15 bytes
		name = name[:15]
	}
	status := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status"
	var hwm atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(rssSample)
		defer tick.Stop()
		for {
			if kb, ok := ownHWM(status, name); ok && kb > hwm.Load() {
				hwm.Store(kb)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() error {
		err := cmd.Wait()
		close(stop)
		wg.Wait()
		if cmd.ProcessState != nil && hwm.Load() > 0 {
			sampled.Store(cmd.ProcessState, hwm.Load())
		}
		return err
	}
}

// ownHWM reads VmHWM (kB) from a /proc/PID/status once the process runs the
// binary called name: before its exec it still shares the test's memory.
func ownHWM(status, name string) (int64, bool) {
	n, kb, err := procStatus(status)
	return kb, err == nil && n == name
}

// peakRSSMB is a finished process's own peak resident set in MB: the VmHWM
// watchRSS sampled, else getrusage's maxrss (an upper bound: see above).
func peakRSSMB(t *testing.T, ps *os.ProcessState) float64 {
	t.Helper()
	if kb, ok := sampled.Load(ps); ok {
		return float64(kb.(int64)) / 1024
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the process")
	}
	return float64(ru.Maxrss) / 1024
}

// TestPeakRSSIsTheChildsOwn: a small child started from a test process that
// holds 200 MB peaks far below it (getrusage alone says 200 MB or more).
func TestPeakRSSIsTheChildsOwn(t *testing.T) {
	ballast := make([]byte, 200<<20)
	for i := range ballast {
		ballast[i] = 1 // resident, not only reserved
	}
	cmd := exec.Command("sleep", "0.2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	wait := watchRSS(cmd)
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	got := peakRSSMB(t, cmd.ProcessState)
	t.Logf("sleep: own peak %.1f MB, getrusage maxrss %.1f MB", got, float64(ru.Maxrss)/1024)
	if got <= 0 || got > 50 {
		t.Errorf("sleep's own peak %.1f MB, want a few MB", got)
	}
	ballast[len(ballast)-1] = 2
}
