//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	regular := filepath.Join(dir, "old.md")
	if err := os.WriteFile(regular, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		want       error
	}{
		{"/dev/null", "/dev/null", ErrNotRegular},
		{"fifo", fifo, ErrNotRegular},
		{"symlink", link, ErrSymlink},
		{"directory", dir, ErrIsDir},
		{"nonexistent dir", filepath.Join(dir, "nope", "r.md"), ErrNoDir},
		{"file as dir", filepath.Join(regular, "r.md"), ErrNoDir},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.Lstat(tc.path)
			if err := Check(tc.path, Options{}); !errors.Is(err, tc.want) {
				t.Errorf("Check = %v, want %v", err, tc.want)
			}
			if err := Write(tc.path, []byte("report"), Options{}); !errors.Is(err, tc.want) {
				t.Errorf("Write = %v, want %v", err, tc.want)
			}
			after, _ := os.Lstat(tc.path)
			if before != nil && (after == nil || before.Mode() != after.Mode()) {
				t.Errorf("%s changed: %v → %v", tc.path, before.Mode(), after.Mode())
			}
		})
	}
	if b, _ := os.ReadFile(regular); string(b) != "old" {
		t.Errorf("the symlink's target was written: %q", b)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a character device: %v %v", fi.Mode(), err)
	}
}

func TestModes(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.md")
	if err := Check(fresh, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(fresh, []byte("a"), Options{}); err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(dir, "private.md")
	if err := os.WriteFile(private, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(dir, "shared.md")
	if err := os.WriteFile(shared, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{private, shared} {
		if err := Write(p, []byte("new"), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	for p, want := range map[string]fs.FileMode{fresh: 0o600, private: 0o600, shared: 0o644} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", filepath.Base(p), fi.Mode().Perm(), want, err)
		}
	}
	if b, _ := os.ReadFile(private); string(b) != "new" {
		t.Errorf("private.md = %q", b)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestAllowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.md")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink("real.md", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new"), Options{FollowSymlinks: true}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced")
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target = %q", b)
	}
	// /dev/null in place: written into, still a device.
	if err := Check("/dev/null", Options{Special: true}); err != nil {
		t.Fatal(err)
	}
	if err := Write("/dev/null", []byte("x"), Options{Special: true}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat("/dev/null"); fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatal("/dev/null is no longer a character device")
	}
	// A FIFO nobody reads: Check fails at once instead of blocking.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Check(fifo, Options{Special: true}); err == nil {
		t.Error("Check of a FIFO without a reader passed")
	}
}

// TestKind: the one wording of file types, for every file type a refusal
// can meet.
func TestKind(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		want string
	}{
		{fs.ModeDir | 0o755, "a directory"},
		{fs.ModeSymlink | 0o777, "a symbolic link"},
		{fs.ModeNamedPipe | 0o600, "a FIFO"},
		{fs.ModeSocket | 0o600, "a socket"},
		{fs.ModeDevice | fs.ModeCharDevice | 0o666, "a character device"},
		{fs.ModeDevice | 0o660, "a block device"},
		{fs.ModeIrregular, "not a regular file"},
	} {
		if got := Kind(tc.mode); got != tc.want {
			t.Errorf("Kind(%v) = %q, want %q", tc.mode, got, tc.want)
		}
	}
}
