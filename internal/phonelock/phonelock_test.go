package phonelock_test

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/internal/phonelock"
)

const childEnv = "PHONELOCK_TEST_HOLD" // "dir": take the lock, say "held", wait

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		l, err := phonelock.Acquire(dir, "udid:A")
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("held " + l.Path() + "\n")
		select {} // until killed
	}
	os.Exit(m.Run())
}

// TestHeldAcrossProcessesAndReleasedOnCrash: a lock another process holds
// is refused with ErrHeld; when that process is killed (SIGKILL: no
// cleanup), the OS releases it and the lock can be taken.
func TestHeldAcrossProcessesAndReleasedOnCrash(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "held ") {
		_ = cmd.Process.Kill()
		t.Fatalf("child: %q", line)
	}
	if strings.Contains(line, "udid") {
		t.Errorf("the lock file name carries the key: %s", line)
	}
	if _, err := phonelock.Acquire(dir, "udid:A"); !errors.Is(err, phonelock.ErrHeld) {
		t.Fatalf("Acquire while another process holds it = %v, want ErrHeld", err)
	}
	other, err := phonelock.Acquire(dir, "udid:B")
	if err != nil {
		t.Fatalf("another phone's lock: %v", err)
	}
	_ = other.Release()
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	l, err := phonelock.Acquire(dir, "udid:A")
	if err != nil {
		t.Fatalf("Acquire after the holder was killed = %v", err)
	}
	// In one process, a second Acquire of a held lock is refused too.
	if _, err := phonelock.Acquire(dir, "udid:A"); !errors.Is(err, phonelock.ErrHeld) {
		t.Errorf("second Acquire in the same process = %v, want ErrHeld", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := phonelock.Acquire(dir, "udid:A")
	if err != nil {
		t.Fatalf("Acquire after Release = %v", err)
	}
	_ = l2.Release()
}
