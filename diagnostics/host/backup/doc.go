// Package backup finds this computer's local backups of one iPhone, the ones
// Finder, iTunes and the Apple Devices app keep (and idevicebackup2 on Linux,
// in a folder the user names), and reads what they say about themselves:
// when the last backup was made, of which iOS version, whether it finished
// and whether it is encrypted, and how much disk it takes.
//
// It reads three small plists per backup folder and nothing else: Info.plist
// (Last Backup Date, Product Version, Product Type, Device Name and the
// device identifiers), Status.plist (SnapshotState) and Manifest.plist
// (IsEncrypted). It never opens Manifest.db or any backed-up file; the size
// on disk comes from directory listings (lstat), not from file contents.
//
// Every read is bounded: each plist's size (a larger one is rejected with the
// reason) and its shape (device/usbmux/plistlimit, the same guard lockdownd's
// replies pass: no plist bomb expands in memory), the folders looked at per
// location, the entries counted for the size, and the whole scan by its
// context. Symbolic links inside a location are never followed, so a link
// loop cannot hang the scan. A folder that cannot be read (permissions;
// macOS asks for Full Disk Access for this folder) makes the result "could
// not check", never "no backup".
//
// The file system is behind the FS interface and the locations are computed
// from an environment (HOME, APPDATA, USERPROFILE), so the tests run every
// operating system's layout on any machine from testdata trees.
//
// backup imports only the leaf plistlimit from device/ (a library that
// imports nothing of the project), and nothing from app/.
package backup
