package backup

import (
	"path/filepath"
	"strings"
)

// App names which Apple software writes backups to a Location.
type App string

// The software that keeps backups, by location.
const (
	// AppFinder: macOS, Finder (macOS 10.15 and later) and iTunes before it.
	AppFinder App = "finder"
	// AppITunes: Windows, iTunes downloaded from Apple's website.
	AppITunes App = "itunes"
	// AppStore: Windows, iTunes from the Microsoft Store and the Apple Devices app.
	AppStore App = "apple-devices"
	// AppIdevicebackup2: Linux (or anywhere), a folder given with --backup-dir,
	// as written by libimobiledevice's idevicebackup2.
	AppIdevicebackup2 App = "idevicebackup2"
)

// Location is one folder holding per-device backup folders.
type Location struct {
	// Path is the folder, absolute.
	Path string
	// Display is Path as shown to people and in reports: the user's home
	// replaced by "~", %APPDATA% or %USERPROFILE%, so no user name leaks.
	Display string
	// App is the software that writes there.
	App App
}

// Env is what Locations needs of the environment: a variable's value ("" when
// unset). os.Getenv in production; a map in tests.
type Env func(name string) string

// Locations are the folders where goos's Apple software keeps local
// backups, plus dirs (folders the user named, e.g. idevicebackup2's target
// with --backup-dir), in that order, without duplicates:
//   - darwin: $HOME/Library/Application Support/MobileSync/Backup (Finder, iTunes);
//   - windows: %APPDATA%\Apple Computer\MobileSync\Backup (iTunes from Apple's
//     website) and %USERPROFILE%\Apple\MobileSync\Backup (iTunes from the
//     Microsoft Store, the Apple Devices app);
//   - anything else: only dirs (there is no standard place).
//
// A variable that is unset or relative gives no location.
func Locations(goos string, env Env, dirs []string) []Location {
	var out []Location
	seen := map[string]bool{}
	add := func(l Location) {
		if l.Path == "" || !filepath.IsAbs(l.Path) {
			return
		}
		l.Path = filepath.Clean(l.Path)
		if seen[l.Path] {
			return
		}
		seen[l.Path] = true
		out = append(out, l)
	}
	switch goos {
	case "darwin":
		if home := env("HOME"); home != "" {
			add(Location{Path: filepath.Join(home, "Library", "Application Support", "MobileSync", "Backup"),
				Display: "~/Library/Application Support/MobileSync/Backup", App: AppFinder})
		}
	case "windows":
		if appdata := env("APPDATA"); appdata != "" {
			add(Location{Path: filepath.Join(appdata, "Apple Computer", "MobileSync", "Backup"),
				Display: `%APPDATA%\Apple Computer\MobileSync\Backup`, App: AppITunes})
		}
		if profile := env("USERPROFILE"); profile != "" {
			add(Location{Path: filepath.Join(profile, "Apple", "MobileSync", "Backup"),
				Display: `%USERPROFILE%\Apple\MobileSync\Backup`, App: AppStore})
		}
	}
	home := env("HOME")
	if goos == "windows" {
		home = env("USERPROFILE")
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		add(Location{Path: abs, Display: homeRelative(abs, home), App: AppIdevicebackup2})
	}
	return out
}

// homeRelative is p with a leading home replaced by "~".
func homeRelative(p, home string) string {
	if home == "" {
		return p
	}
	home = filepath.Clean(home)
	if p == home {
		return "~"
	}
	if rest, ok := strings.CutPrefix(p, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rest
	}
	return p
}
