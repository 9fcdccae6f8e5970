package session

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/sim"
	"github.com/restoredoctor/restoredoctor/diagnostics/host/backup"
)

// The demo's backup folder: the real scanner finds a finished, encrypted
// backup of the recovery demo's phone there, none for the healthy demo's,
// and Close removes the folder.
func TestDemoBackupDirs(t *testing.T) {
	for _, tt := range []struct {
		demo  string
		found bool
	}{{"recovery", true}, {"healthy", false}} {
		t.Run(tt.demo, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sess, err := Open(ctx, Setup{Demo: tt.demo, ToolVersion: "test"})
			if err != nil {
				t.Fatal(err)
			}
			dirs := sess.BackupDirs()
			if len(dirs) != 1 {
				sess.Close()
				t.Fatalf("backup dirs %v", dirs)
			}
			udid := sim.PhoneA().UDID
			res, err := backup.Scan(ctx, backup.Options{UDID: udid, Locations: backup.Locations("linux", func(string) string { return "" }, dirs)})
			sess.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := backup.VerdictNone
			if tt.found {
				want = backup.VerdictFound
			}
			if v := res.Verdict(); v != want {
				t.Fatalf("verdict %s, want %s", v, want)
			}
			if tt.found {
				n := res.Newest()
				if f := n.Finished(); f == nil || !*f || n.Manifest.IsEncrypted == nil || !*n.Manifest.IsEncrypted {
					t.Errorf("demo backup %+v: want finished and encrypted", n)
				}
				if age := time.Since(n.When()); age < 4*24*time.Hour || age > 5*24*time.Hour {
					t.Errorf("demo backup is %v old", age)
				}
			}
			// Under Wine os.RemoveAll cannot delete folders (see
			// internal/testtmp); real Windows can.
			if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) && runtime.GOOS != "windows" {
				t.Errorf("Close left %s: %v", dirs[0], err)
			}
		})
	}
	if sess := New(Config{}); sess.BackupDirs() != nil {
		t.Error("a session made with New has demo backup dirs")
	}
}
