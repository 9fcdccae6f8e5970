package backup

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// abs is testdata/<rel> as an absolute path.
func abs(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", rel))
	must(t, err)
	return p
}

func envOf(m map[string]string) Env { return func(k string) string { return m[k] } }

func scanT(t *testing.T, opts Options) Result {
	t.Helper()
	if opts.UDID == "" {
		opts.UDID = udidA
	}
	res, err := Scan(context.Background(), opts)
	must(t, err)
	return res
}

func parseDate(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// want describes one expected backup, newest first.
type want struct {
	folder      string
	when        string
	version     string
	finished    *bool
	encrypted   *bool
	timestamped bool
	infoErr     string // substring; "" = none
	minSize     int64
}

func ptr(b bool) *bool { return &b }

func checkBackups(t *testing.T, got []Backup, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		var names []string
		for _, b := range got {
			names = append(names, b.Folder)
		}
		t.Fatalf("backups %q, want %d", names, len(wants))
	}
	for i, w := range wants {
		b := got[i]
		if b.Folder != w.folder {
			t.Errorf("backup %d: folder %q, want %q", i, b.Folder, w.folder)
		}
		if w.when != "" && !b.When().Equal(parseDate(w.when)) {
			t.Errorf("%s: when %v, want %s", b.Folder, b.When(), w.when)
		}
		if b.Info.ProductVersion != w.version {
			t.Errorf("%s: version %q, want %q", b.Folder, b.Info.ProductVersion, w.version)
		}
		if !eqPtr(b.Finished(), w.finished) {
			t.Errorf("%s: finished %v, want %v", b.Folder, fmtPtr(b.Finished()), fmtPtr(w.finished))
		}
		if !eqPtr(b.Manifest.IsEncrypted, w.encrypted) {
			t.Errorf("%s: encrypted %v, want %v", b.Folder, fmtPtr(b.Manifest.IsEncrypted), fmtPtr(w.encrypted))
		}
		if b.Timestamped != w.timestamped {
			t.Errorf("%s: timestamped %v", b.Folder, b.Timestamped)
		}
		if (w.infoErr == "") != (b.InfoErr == "") || !strings.Contains(b.InfoErr, w.infoErr) {
			t.Errorf("%s: InfoErr %q, want %q", b.Folder, b.InfoErr, w.infoErr)
		}
		if w.minSize > 0 && (b.SizeBytes < w.minSize || !b.SizeKnown) {
			t.Errorf("%s: size %d (known %v), want at least %d", b.Folder, b.SizeBytes, b.SizeKnown, w.minSize)
		}
	}
}

func eqPtr(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func fmtPtr(b *bool) string {
	if b == nil {
		return "unknown"
	}
	if *b {
		return "true"
	}
	return "false"
}

func TestScanLayouts(t *testing.T) {
	tests := []struct {
		name    string
		goos    string
		env     map[string]string
		dirs    []string
		udid    string
		verdict Verdict
		backups []want
	}{
		{
			name: "macOS: two backups of this phone, one timestamped, encrypted; another phone's is ignored",
			goos: "darwin", env: map[string]string{"HOME": "macos"},
			verdict: VerdictFound,
			backups: []want{
				{folder: udidA, when: "2026-12-02T14:10:00Z", version: "18.1", finished: ptr(true), encrypted: ptr(true), minSize: 4096},
				{folder: udidA + "-20261120-091500", when: "2026-11-20T09:15:00Z", version: "18.0", finished: ptr(true), encrypted: ptr(true), timestamped: true, minSize: 2048},
			},
		},
		{
			name: "Windows: both iTunes folders; unfinished, binary plists, a renamed copy, a corrupt Info.plist",
			goos: "windows", env: map[string]string{"APPDATA": "windows/AppData/Roaming", "USERPROFILE": "windows"},
			verdict: VerdictFound,
			backups: []want{
				{folder: udidA, when: "2026-11-28T07:45:00Z", version: "18.1", finished: ptr(true), encrypted: ptr(false), minSize: 1000},
				{folder: udidA, when: "2026-10-01T18:30:00Z", version: "17.6", finished: ptr(false), encrypted: ptr(false), minSize: 512},
				{folder: "Copy of my iPhone", when: "2026-09-01T12:00:00Z", version: "17.5.1", finished: ptr(true), encrypted: ptr(false)},
				{folder: udidA + "-20260101-000000", when: "2026-01-01T00:00:00Z", finished: ptr(true), timestamped: true, infoErr: "Info.plist is damaged"},
			},
		},
		{
			name: "Linux --backup-dir: another phone's backup only", goos: "linux",
			env: map[string]string{"HOME": "linux"}, dirs: []string{"linux/backups"},
			verdict: VerdictNone,
		},
		{
			name: "macOS: the other phone is found by its USB serial (lower case, no dash)", goos: "darwin",
			env: map[string]string{"HOME": "macos"}, udid: strings.ToLower(strings.ReplaceAll(udidOther, "-", "")),
			verdict: VerdictFound,
			backups: []want{{folder: udidOther, when: "2026-12-05T08:00:00Z", version: "17.6", finished: ptr(true), encrypted: ptr(false)}},
		},
		{
			name: "Linux without --backup-dir: nowhere to look", goos: "linux",
			env: map[string]string{"HOME": "linux"}, verdict: VerdictNoLocations,
		},
		{
			name: "macOS user who never backed up: the folder is absent", goos: "darwin",
			env: map[string]string{"HOME": "linux"}, verdict: VerdictNone,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = abs(t, v)
			}
			var dirs []string
			for _, d := range tt.dirs {
				dirs = append(dirs, abs(t, d))
			}
			res := scanT(t, Options{UDID: tt.udid, Locations: Locations(tt.goos, envOf(env), dirs)})
			if got := res.Verdict(); got != tt.verdict {
				t.Errorf("verdict %s, want %s (locations %+v)", got, tt.verdict, res.Locations)
			}
			checkBackups(t, res.Backups, tt.backups)
		})
	}
}

func TestLocations(t *testing.T) {
	env := envOf(map[string]string{"HOME": "/home/u", "APPDATA": `/c/Users/u/AppData/Roaming`, "USERPROFILE": "/c/Users/u"})
	if runtime.GOOS == "windows" { // absolute paths there start with a drive
		env = envOf(map[string]string{"HOME": `C:\Users\u`, "APPDATA": `C:\Users\u\AppData\Roaming`, "USERPROFILE": `C:\Users\u`})
	}
	tests := []struct {
		goos string
		dirs []string
		want []string
	}{
		{"darwin", nil, []string{"~/Library/Application Support/MobileSync/Backup"}},
		{"windows", nil, []string{`%APPDATA%\Apple Computer\MobileSync\Backup`, `%USERPROFILE%\Apple\MobileSync\Backup`}},
		{"linux", nil, nil},
		{"linux", []string{"/home/u/ios-backups", "/home/u/ios-backups/", "/srv/b"}, []string{"~/ios-backups", "/srv/b"}},
	}
	for _, tt := range tests {
		if tt.dirs != nil && runtime.GOOS == "windows" {
			continue // "/home/u" is not an absolute path there
		}
		var got []string
		for _, l := range Locations(tt.goos, env, tt.dirs) {
			got = append(got, l.Display)
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s %v: %q, want %q", tt.goos, tt.dirs, got, tt.want)
		}
	}
	if got := Locations("windows", envOf(map[string]string{"APPDATA": "relative"}), nil); len(got) != 0 {
		t.Errorf("a relative APPDATA gave %v", got)
	}
}

// copyTree copies testdata/<rel> into a new temporary folder and returns it.
func copyTree(t *testing.T, rel string) string {
	t.Helper()
	dst := testtmp.Dir(t)
	must(t, os.CopyFS(dst, os.DirFS(abs(t, rel))))
	return dst
}

func TestScanHugeAndBombPlists(t *testing.T) {
	root := copyTree(t, "macos/Library/Application Support/MobileSync/Backup")
	// A huge Info.plist (sparse: no disk used) and a plist bomb as Status.plist.
	f, err := os.Create(filepath.Join(root, udidA, "Info.plist"))
	must(t, err)
	must(t, f.Truncate(MaxPlistBytes+1))
	must(t, f.Close())
	must(t, os.WriteFile(filepath.Join(root, udidA, "Status.plist"), plisttest.Bomb(70, map[string]string{"SnapshotState": "finished"}, "Bomb"), 0o644))
	res := scanT(t, Options{Locations: []Location{{Path: root, Display: "~/Backup", App: AppFinder}}})
	if res.Verdict() != VerdictFound || len(res.Backups) != 2 {
		t.Fatalf("verdict %s, %d backups", res.Verdict(), len(res.Backups))
	}
	var b Backup
	for _, x := range res.Backups {
		if x.Folder == udidA {
			b = x
		}
	}
	if !strings.Contains(b.InfoErr, "too large") {
		t.Errorf("huge Info.plist: %q", b.InfoErr)
	}
	if !strings.Contains(b.StatusErr, "Status.plist is damaged") || b.Finished() != nil {
		t.Errorf("bomb Status.plist: %q, finished %v", b.StatusErr, fmtPtr(b.Finished()))
	}
}

func TestScanSymlinkLoop(t *testing.T) {
	root := copyTree(t, "macos/Library/Application Support/MobileSync/Backup")
	// A link to its own folder inside a backup, and a backup folder that is a link to itself.
	if err := os.Symlink(".", filepath.Join(root, udidA, "ab", "loop")); err != nil && runtime.GOOS == "windows" {
		t.Skipf("no symbolic links here (Windows without the privilege, Wine): %v", err)
	}
	must(t, os.Symlink(udidA+"-20261203-000000", filepath.Join(root, udidA+"-20261203-000000")))
	must(t, os.Symlink(root, filepath.Join(root, "up")))
	res := scanT(t, Options{Locations: []Location{{Path: root, Display: "~/Backup", App: AppFinder}}})
	if len(res.Backups) != 3 {
		if runtime.GOOS == "windows" {
			// Wine lists a link to itself differently from Windows and Unix.
			t.Skipf("%d backups: this Windows (Wine?) does not list a self-referencing link", len(res.Backups))
		}
		t.Fatalf("%d backups", len(res.Backups))
	}
	var links int
	for _, b := range res.Backups {
		if b.Link {
			links++
			if b.Checked() || b.Finished() != nil {
				t.Errorf("a link was checked: %+v", b)
			}
		}
	}
	if links != 1 {
		t.Errorf("%d links, want 1", links)
	}
}

// denyFS refuses every path in deny (and below it) with a permission error,
// as a folder with mode 000 does for a user that is not root: the tests of
// permissions run the same as root (CI containers).
type denyFS struct {
	FS
	deny []string
	// block, when not nil, makes ReadDir of a denied path wait on it instead.
	block   chan struct{}
	entered sync.Once
	in      chan struct{}
}

func (d *denyFS) denied(p string) bool {
	for _, x := range d.deny {
		if p == x || strings.HasPrefix(p, x+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func (d *denyFS) err(op, p string) error {
	return &fs.PathError{Op: op, Path: p, Err: fs.ErrPermission}
}

func (d *denyFS) ReadDir(p string) ([]fs.DirEntry, error) {
	if d.denied(p) {
		if d.block != nil {
			d.entered.Do(func() { close(d.in) })
			<-d.block
		}
		return nil, d.err("open", p)
	}
	return d.FS.ReadDir(p)
}

func (d *denyFS) Lstat(p string) (fs.FileInfo, error) {
	if d.denied(p) {
		return nil, d.err("lstat", p)
	}
	return d.FS.Lstat(p)
}

func (d *denyFS) ReadFile(p string, max int64) ([]byte, error) {
	if d.denied(p) {
		return nil, d.err("open", p)
	}
	return d.FS.ReadFile(p, max)
}

func TestScanPermissionIsNeverNoBackup(t *testing.T) {
	mac := abs(t, "macos/Library/Application Support/MobileSync/Backup")
	store := abs(t, "windows/Apple/MobileSync/Backup")
	loc := func(p string) []Location { return []Location{{Path: p, Display: "~/Backup", App: AppFinder}} }
	tests := []struct {
		name    string
		locs    []Location
		deny    []string
		udid    string
		verdict Verdict
	}{
		{"the Backup folder itself (macOS without Full Disk Access)", loc(mac), []string{mac}, udidA, VerdictPermission},
		{"this phone's folder: found, not checked", loc(mac), []string{filepath.Join(mac, udidA), filepath.Join(mac, udidA+"-20261120-091500")}, udidA, VerdictFound},
		{"a folder not named by a UDID may be this phone's", loc(store), []string{filepath.Join(store, "Copy of my iPhone")}, udidOther, VerdictPermission},
		{"another phone's folder does not matter", loc(mac), []string{filepath.Join(mac, udidOther)}, "00008120-0000000000000001", VerdictNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanT(t, Options{UDID: tt.udid, Locations: tt.locs, FS: &denyFS{FS: OS{}, deny: tt.deny}})
			if got := res.Verdict(); got != tt.verdict {
				t.Fatalf("verdict %s, want %s (%+v)", got, tt.verdict, res.Locations)
			}
			for _, b := range res.Backups {
				if b.Checked() || b.Finished() != nil || !strings.Contains(b.InfoErr, "permission") {
					t.Errorf("unreadable backup %s reported as checked: %+v", b.Folder, b)
				}
			}
		})
	}
}

func TestScanChmod000(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("root (and Windows) read folders with mode 000; TestScanPermissionIsNeverNoBackup covers this through denyFS")
	}
	root := copyTree(t, "macos/Library/Application Support/MobileSync/Backup")
	must(t, os.Chmod(root, 0))
	t.Cleanup(func() { _ = os.Chmod(root, 0o755) })
	res := scanT(t, Options{Locations: []Location{{Path: root, Display: "~/Backup", App: AppFinder}}})
	if res.Verdict() != VerdictPermission {
		t.Fatalf("verdict %s, want permission", res.Verdict())
	}
}

func TestScanTimeoutReturnsAtOnce(t *testing.T) {
	mac := abs(t, "macos/Library/Application Support/MobileSync/Backup")
	d := &denyFS{FS: OS{}, deny: []string{mac}, block: make(chan struct{}), in: make(chan struct{})}
	defer close(d.block)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() {
		res, _ := Scan(ctx, Options{UDID: udidA, Locations: []Location{{Path: mac, App: AppFinder}}, FS: d})
		done <- res
	}()
	<-d.in // the scan is stuck in ReadDir
	cancel()
	res := <-done
	if !res.TimedOut || res.Verdict() != VerdictError {
		t.Fatalf("timed out %v, verdict %s", res.TimedOut, res.Verdict())
	}
}

func TestScanTooManyFolders(t *testing.T) {
	mac := abs(t, "macos/Library/Application Support/MobileSync/Backup")
	res := scanT(t, Options{UDID: "00008120-0000000000000001", MaxFolders: 1, Locations: []Location{{Path: mac, App: AppFinder}}})
	if res.Verdict() != VerdictError || !res.Locations[0].Truncated {
		t.Fatalf("verdict %s, %+v", res.Verdict(), res.Locations)
	}
}

func TestScanSizeCap(t *testing.T) {
	mac := abs(t, "macos/Library/Application Support/MobileSync/Backup")
	res := scanT(t, Options{MaxSizeEntries: 2, Locations: []Location{{Path: mac, App: AppFinder}}})
	if b := res.Newest(); b == nil || !b.SizeCapped {
		t.Fatalf("size not capped: %+v", b)
	}
}

func TestScanNeedsUDID(t *testing.T) {
	if _, err := Scan(context.Background(), Options{}); !errors.Is(err, ErrNoUDID) {
		t.Fatalf("err %v", err)
	}
}

// cancelFS cancels the scan's context when a given file is read, as a
// deadline passing at that moment would.
type cancelFS struct {
	FS
	at     string
	cancel context.CancelFunc
}

func (c cancelFS) ReadFile(p string, max int64) ([]byte, error) {
	b, err := c.FS.ReadFile(p, max)
	if p == c.at {
		c.cancel()
	}
	return b, err
}

// TestScanTimeoutKeepsWhatWasFound: the deadline passing mid-scan keeps the
// backups already read; what was not read is said so, not guessed.
func TestScanTimeoutKeepsWhatWasFound(t *testing.T) {
	mac := abs(t, "macos/Library/Application Support/MobileSync/Backup")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fsys := cancelFS{FS: OS{}, at: filepath.Join(mac, udidA+"-20261120-091500", "Status.plist"), cancel: cancel}
	res, err := Scan(ctx, Options{UDID: udidA, Locations: []Location{{Path: mac, App: AppFinder}}, FS: fsys})
	must(t, err)
	if !res.TimedOut || res.Verdict() != VerdictFound || len(res.Backups) != 2 {
		t.Fatalf("timed out %v, verdict %s, %d backups", res.TimedOut, res.Verdict(), len(res.Backups))
	}
	older := res.Backups[1]
	if !strings.Contains(older.ManifestErr, "was not read") || older.Manifest.IsEncrypted != nil || older.SizeKnown {
		t.Errorf("the unread part was guessed: %+v", older)
	}
	if f := older.Finished(); f == nil || !*f {
		t.Errorf("Status.plist was read: finished %v", fmtPtr(f))
	}
}

// TestCheckAgainSeesNewBackup: nothing is cached between scans, so the
// backup the user makes after "no backup" is found by the next check.
func TestCheckAgainSeesNewBackup(t *testing.T) {
	root := testtmp.Dir(t)
	locs := []Location{{Path: root, Display: "~/Backup", App: AppFinder}}
	if v := scanT(t, Options{Locations: locs}).Verdict(); v != VerdictNone {
		t.Fatalf("empty folder: %s", v)
	}
	must(t, os.CopyFS(filepath.Join(root, udidA), os.DirFS(abs(t, "macos/Library/Application Support/MobileSync/Backup/"+udidA))))
	res := scanT(t, Options{Locations: locs})
	if res.Verdict() != VerdictFound || res.Newest().Finished() == nil || !*res.Newest().Finished() {
		t.Fatalf("after the backup: %s %+v", res.Verdict(), res.Newest())
	}
}
