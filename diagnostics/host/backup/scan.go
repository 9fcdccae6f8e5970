package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Defaults of Options' bounds.
const (
	// DefaultMaxFolders is how many entries of one location are looked at.
	// Each phone backed up keeps one folder plus its timestamped copies.
	DefaultMaxFolders = 2000
	// DefaultMaxSizeEntries is how many files and folders of one backup are
	// counted for its size; a real backup holds up to a few hundred
	// thousand. Beyond it the size is "at least".
	DefaultMaxSizeEntries = 400_000
	// DefaultTimeout bounds a scan whose context has no deadline.
	DefaultTimeout = 15 * time.Second
)

// Options are one scan's inputs.
type Options struct {
	// UDID is the phone's identifier (required); matched case-insensitively.
	UDID string
	// Locations are the folders to look in (Locations()).
	Locations []Location
	// FS is the file system (nil: OS{}).
	FS FS
	// MaxPlistBytes caps each plist (0: MaxPlistBytes).
	MaxPlistBytes int64
	// MaxFolders caps the entries looked at per location (0: DefaultMaxFolders).
	MaxFolders int
	// MaxSizeEntries caps the entries counted per backup (0: DefaultMaxSizeEntries).
	MaxSizeEntries int
}

// LocationStatus is how reading one location went.
type LocationStatus string

// Location statuses.
const (
	// LocationRead: the folder was listed.
	LocationRead LocationStatus = "read"
	// LocationAbsent: the folder does not exist (the software never backed up here).
	LocationAbsent LocationStatus = "absent"
	// LocationPermission: the folder exists but may not be read.
	LocationPermission LocationStatus = "permission"
	// LocationError: it could not be read for another reason (Err says which).
	LocationError LocationStatus = "error"
	// LocationTimeout: the scan's deadline passed before it was read.
	LocationTimeout LocationStatus = "timeout"
)

// LocationResult is what one location gave.
type LocationResult struct {
	Location
	Status LocationStatus
	// Err is the reason for LocationPermission and LocationError, in the
	// current language (internal/i18n) where it is ours, else the system's error.
	Err string
	// Entries is how many entries were looked at.
	Entries int
	// Truncated: the location held more than MaxFolders entries; the rest
	// were not looked at.
	Truncated bool
	// Unreadable counts folders not named by a UDID whose Info.plist could
	// not be read: any of them may be this phone's backup.
	Unreadable int
}

// Backup is one backup folder of the phone.
type Backup struct {
	// Location is where it was found; Folder its name, Path its full path.
	Location Location
	Folder   string
	Path     string
	// Timestamped: a copy named UDID-YYYYMMDD-hhmmss (Snapshot is that time).
	Timestamped bool
	Snapshot    time.Time
	// Link: the folder is a symbolic link, not followed and not checked.
	Link bool
	// Unreadable: the folder or its plists may not be read (permissions).
	Unreadable bool

	Info     Info
	Status   Status
	Manifest Manifest
	// InfoErr, StatusErr and ManifestErr say why a plist could not be used
	// ("" when it was read).
	InfoErr, StatusErr, ManifestErr string

	// SizeBytes is the size of the regular files in the folder (links not
	// followed); SizeCapped: more than MaxSizeEntries entries, so at least that.
	SizeBytes  int64
	SizeCapped bool
	// SizeKnown is false when the folder could not be walked at all.
	SizeKnown bool
}

// When is the backup's time: Last Backup Date, else Status.plist's date,
// else the timestamp in its name; zero when none is known.
func (b Backup) When() time.Time {
	switch {
	case !b.Info.LastBackup.IsZero():
		return b.Info.LastBackup
	case !b.Status.Date.IsZero():
		return b.Status.Date
	}
	return b.Snapshot
}

// Finished is whether the last backup into this folder completed; nil when
// Status.plist could not be read.
func (b Backup) Finished() *bool {
	if b.StatusErr != "" || b.Link || b.Unreadable {
		return nil
	}
	v := b.Status.Finished()
	return &v
}

// Checked reports whether the folder's plists could be looked at at all.
func (b Backup) Checked() bool { return !b.Link && !b.Unreadable }

// Result is one scan's answer for one phone.
type Result struct {
	UDID      string
	Locations []LocationResult
	// Backups are this phone's backups, newest first (unknown dates last).
	Backups []Backup
	// TimedOut: the scan's deadline passed; what is here is partial.
	TimedOut bool
	Duration time.Duration
}

// Verdict is the one-word answer of a scan.
type Verdict string

// Verdicts.
const (
	// VerdictFound: at least one backup of this phone is on this computer.
	VerdictFound Verdict = "found"
	// VerdictNone: every location was read; none holds a backup of this phone.
	VerdictNone Verdict = "none"
	// VerdictPermission: nothing found, and a location or folder could not
	// be read for lack of permission: there may be a backup.
	VerdictPermission Verdict = "permission"
	// VerdictError: nothing found, and a location could not be read
	// completely (error, timeout, too many folders): there may be a backup.
	VerdictError Verdict = "error"
	// VerdictNoLocations: there is nowhere to look (Linux without --backup-dir).
	VerdictNoLocations Verdict = "no_locations"
)

// Verdict is the scan's answer. "none" is only given when every location
// was read completely.
func (r Result) Verdict() Verdict {
	if len(r.Backups) > 0 {
		return VerdictFound
	}
	if len(r.Locations) == 0 {
		return VerdictNoLocations
	}
	perm, other := false, r.TimedOut
	for _, l := range r.Locations {
		switch {
		case l.Status == LocationPermission || l.Unreadable > 0:
			perm = true
		case l.Status == LocationError || l.Status == LocationTimeout || l.Truncated:
			other = true
		}
	}
	switch {
	case perm:
		return VerdictPermission
	case other:
		return VerdictError
	}
	return VerdictNone
}

// Newest is the most recent backup, nil when there is none.
func (r Result) Newest() *Backup {
	if len(r.Backups) == 0 {
		return nil
	}
	return &r.Backups[0]
}

// udidShape matches the names Finder and iTunes give backup folders: a
// 40-hex UDID or a new-style one (8 hex, dash, 16 hex), optionally followed
// by a copy's timestamp.
// It is compiled on first use, not at every command's start-up.
var udidShape = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16})(?:-([0-9]{8}-[0-9]{6}))?$`)
})

// ErrNoUDID: Scan was called without the phone's UDID.
var ErrNoUDID = errors.New("backup: no UDID to look for")

// Scan looks for udid's backups in every location, within ctx (and
// DefaultTimeout when ctx has no deadline). When the deadline passes it
// returns at once with TimedOut set; a file system call that blocks is left
// to finish in the background.
func Scan(ctx context.Context, opts Options) (Result, error) {
	if NormalizeUDID(opts.UDID) == "" {
		return Result{}, ErrNoUDID
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	if opts.FS == nil {
		opts.FS = OS{}
	}
	if opts.MaxPlistBytes <= 0 {
		opts.MaxPlistBytes = MaxPlistBytes
	}
	if opts.MaxFolders <= 0 {
		opts.MaxFolders = DefaultMaxFolders
	}
	if opts.MaxSizeEntries <= 0 {
		opts.MaxSizeEntries = DefaultMaxSizeEntries
	}
	start := time.Now()
	done := make(chan Result, 1)
	go func() { done <- scan(ctx, opts) }()
	var res Result
	select {
	case res = <-done:
	case <-ctx.Done():
		// The scan checks ctx between file system calls: what it found so
		// far comes within partialGrace, unless a call blocks.
		t := time.NewTimer(partialGrace)
		select {
		case res = <-done:
			res.TimedOut = true
		case <-t.C:
			res = Result{UDID: opts.UDID, TimedOut: true}
			for _, l := range opts.Locations {
				res.Locations = append(res.Locations, LocationResult{Location: l, Status: LocationTimeout, Err: i18n.T("host.backup.timeout")})
			}
		}
		t.Stop()
	}
	res.Duration = time.Since(start)
	return res, nil
}

// partialGrace is how long Scan waits, once its deadline passed, for what
// the scan found so far.
const partialGrace = 200 * time.Millisecond

// sizeTime bounds one backup's size walk: beyond it the size is "at least".
const sizeTime = 2 * time.Second

// scan does Scan's work; it checks ctx between file system calls.
func scan(ctx context.Context, opts Options) Result {
	res := Result{UDID: opts.UDID}
	for _, loc := range opts.Locations {
		lr, backups := scanLocation(ctx, opts, loc)
		res.Locations = append(res.Locations, lr)
		res.Backups = append(res.Backups, backups...)
		if lr.Status == LocationTimeout {
			res.TimedOut = true
		}
	}
	slices.SortStableFunc(res.Backups, func(a, b Backup) int {
		ta, tb := a.When(), b.When()
		switch {
		case ta.IsZero() && tb.IsZero():
			return 0
		case ta.IsZero():
			return 1
		case tb.IsZero():
			return -1
		}
		return tb.Compare(ta)
	})
	return res
}

func errStatus(err error) (LocationStatus, string) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return LocationAbsent, ""
	case errors.Is(err, fs.ErrPermission):
		return LocationPermission, i18n.T("host.backup.permission")
	}
	return LocationError, err.Error()
}

func scanLocation(ctx context.Context, opts Options, loc Location) (LocationResult, []Backup) {
	lr := LocationResult{Location: loc}
	if ctx.Err() != nil {
		lr.Status, lr.Err = LocationTimeout, i18n.T("host.backup.timeout")
		return lr, nil
	}
	entries, err := opts.FS.ReadDir(loc.Path)
	if err != nil {
		lr.Status, lr.Err = errStatus(err)
		return lr, nil
	}
	lr.Status = LocationRead
	if len(entries) > opts.MaxFolders {
		entries, lr.Truncated = entries[:opts.MaxFolders], true
	}
	var out []Backup
	for _, e := range entries {
		if ctx.Err() != nil {
			lr.Status, lr.Err = LocationTimeout, i18n.T("host.backup.timeout")
			return lr, out
		}
		lr.Entries++
		name := e.Name()
		// A link (on Windows also a junction, which Go reports as irregular)
		// is never followed; a folder that is one is reported, not read.
		link := e.Type()&(fs.ModeSymlink|fs.ModeIrregular) != 0
		if !link && !e.IsDir() {
			continue // Finder's .DS_Store and other files
		}
		b := Backup{Location: loc, Folder: name, Path: filepath.Join(loc.Path, name), Link: link}
		m := udidShape().FindStringSubmatch(name)
		switch {
		case m != nil && NormalizeUDID(m[1]) != NormalizeUDID(opts.UDID):
			continue // another phone's backup
		case m != nil:
			if m[2] != "" {
				b.Timestamped = true
				b.Snapshot, _ = time.Parse("20060102-150405", m[2])
			}
		case b.Link:
			continue // not named by a UDID, and a link: nothing says it is this phone's
		default:
			// Not named by a UDID (renamed or copied by hand): Info.plist says whose it is.
			info, ierr := readInfo(opts, b.Path)
			if ierr != nil {
				if errors.Is(ierr, fs.ErrPermission) {
					lr.Unreadable++
				}
				continue
			}
			if !sameDevice(info, opts.UDID) {
				continue
			}
		}
		if b.Link {
			out = append(out, b)
			continue
		}
		if readBackup(ctx, opts, &b) {
			out = append(out, b)
		}
	}
	return lr, out
}

// sameDevice reports whether Info.plist names udid.
func sameDevice(info Info, udid string) bool {
	u := NormalizeUDID(udid)
	return NormalizeUDID(info.UniqueIdentifier) == u || NormalizeUDID(info.TargetIdentifier) == u
}

// NormalizeUDID is udid in lower case without dashes: USB serials carry new
// UDIDs without the dash that lockdownd and backup folder names have.
func NormalizeUDID(udid string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(udid), "-", ""))
}

func readInfo(opts Options, dir string) (Info, error) {
	b, err := opts.FS.ReadFile(filepath.Join(dir, "Info.plist"), opts.MaxPlistBytes)
	if err != nil {
		return Info{}, err
	}
	return ParseInfo(b)
}

// plistErr is the reason a plist could not be used, for the report.
func plistErr(file string, err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return file + " is missing"
	case errors.Is(err, fs.ErrPermission):
		return file + " may not be read (permission)"
	case errors.Is(err, ErrTooLarge):
		return file + " is too large to be a backup's " + file + " (not read)"
	case errors.Is(err, ErrNotRegular):
		return file + " is not a regular file (not read)"
	}
	return file + " is damaged: " + err.Error()
}

// notRead is the reason for a plist the scan had no time left for.
func notRead(file string) string { return file + " was not read: the scan's time ran out" }

// readBackup fills b from its three plists and its size; false when its
// Info.plist names another phone.
func readBackup(ctx context.Context, opts Options, b *Backup) bool {
	info, err := readInfo(opts, b.Path)
	switch {
	case err == nil:
		if (info.UniqueIdentifier != "" || info.TargetIdentifier != "") && !sameDevice(info, opts.UDID) {
			return false
		}
		b.Info = info
	case errors.Is(err, fs.ErrPermission):
		b.Unreadable = true
		b.InfoErr = plistErr("Info.plist", err)
	default:
		b.InfoErr = plistErr("Info.plist", err)
	}
	if ctx.Err() != nil {
		b.StatusErr, b.ManifestErr = notRead("Status.plist"), notRead("Manifest.plist")
		return true
	}
	if raw, err := opts.FS.ReadFile(filepath.Join(b.Path, "Status.plist"), opts.MaxPlistBytes); err != nil {
		b.StatusErr = plistErr("Status.plist", err)
		b.Unreadable = b.Unreadable || errors.Is(err, fs.ErrPermission)
	} else if st, err := ParseStatus(raw); err != nil {
		b.StatusErr = plistErr("Status.plist", err)
	} else {
		b.Status = st
	}
	if ctx.Err() != nil {
		b.ManifestErr = notRead("Manifest.plist")
		return true
	}
	if raw, err := opts.FS.ReadFile(filepath.Join(b.Path, "Manifest.plist"), opts.MaxPlistBytes); err != nil {
		b.ManifestErr = plistErr("Manifest.plist", err)
		b.Unreadable = b.Unreadable || errors.Is(err, fs.ErrPermission)
	} else if man, err := ParseManifest(raw); err != nil {
		b.ManifestErr = plistErr("Manifest.plist", err)
	} else {
		b.Manifest = man
	}
	b.SizeBytes, b.SizeCapped, b.SizeKnown = dirSize(ctx, opts, b.Path)
	return true
}

// dirSize adds up the regular files under dir from directory listings,
// never following links, counting at most opts.MaxSizeEntries entries.
func dirSize(ctx context.Context, opts Options, dir string) (size int64, capped, known bool) {
	ctx, cancel := context.WithTimeout(ctx, sizeTime)
	defer cancel()
	stack := []string{dir}
	n := 0
	for len(stack) > 0 {
		if ctx.Err() != nil {
			return size, true, known
		}
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		entries, err := opts.FS.ReadDir(d)
		if err != nil {
			if d == dir {
				return 0, false, false
			}
			capped = true // a sub-folder could not be read: at least this much
			continue
		}
		known = true
		for _, e := range entries {
			if n++; n > opts.MaxSizeEntries {
				return size, true, true
			}
			switch {
			case e.Type()&(fs.ModeSymlink|fs.ModeIrregular) != 0:
			case e.IsDir():
				stack = append(stack, filepath.Join(d, e.Name()))
			case e.Type().IsRegular():
				if fi, err := e.Info(); err == nil {
					size += fi.Size()
				}
			}
		}
	}
	return size, capped, known
}

// String is a one-line description of b for logs and details.
func (b Backup) String() string {
	return fmt.Sprintf("%s (%s)", b.Folder, b.When().Format(time.RFC3339))
}
