package backup

import (
	"errors"
	"fmt"
	"time"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
	"github.com/restoredoctor/restoredoctor/internal/textsafe"
)

// MaxPlistBytes is the default cap on one plist's size. Info.plist carries
// the iTunes settings and the installed apps' list and reaches a few MiB on
// phones with many apps; the three plists Finder and iTunes write stay far
// below this.
const MaxPlistBytes = 32 << 20

// plistLimits bound what a backup plist may expand to when decoded: larger
// than lockdownd's replies (Info.plist holds the apps' list and settings
// blobs), still far from a bomb's billions of objects.
var plistLimits = plistlimit.Limits{
	MaxObjects:       1 << 20,
	MaxExpanded:      1 << 21,
	MaxDepth:         64,
	MaxString:        MaxPlistBytes,
	MaxExpandedBytes: 2 * MaxPlistBytes,
}

// ErrNotDict: the plist's top level is not a dictionary.
var ErrNotDict = errors.New("not a dictionary plist")

// Info is what a backup's Info.plist says (strings cleaned and capped).
type Info struct {
	// LastBackup is "Last Backup Date" (zero when absent or not a date).
	LastBackup time.Time
	// ProductVersion, ProductType, DeviceName: "Product Version",
	// "Product Type", "Device Name".
	ProductVersion, ProductType, DeviceName string
	// UniqueIdentifier and TargetIdentifier are the phone's UDID ("Unique
	// Identifier" is written in upper case).
	UniqueIdentifier, TargetIdentifier string
}

// Status is what a backup's Status.plist says.
type Status struct {
	// SnapshotState is "finished" when the last backup completed.
	SnapshotState string
	// Date is when the status was written (zero when absent).
	Date time.Time
}

// Finished reports whether the last backup completed.
func (s Status) Finished() bool { return s.SnapshotState == "finished" }

// Manifest is what a backup's Manifest.plist says.
type Manifest struct {
	// IsEncrypted is nil when the key is absent or not a boolean.
	IsEncrypted *bool
}

// decodeDict checks b against plistLimits and decodes its top-level dictionary.
func decodeDict(b []byte) (map[string]any, error) {
	if _, err := plistlimit.Check(b, plistLimits); err != nil {
		return nil, err
	}
	var top any
	if _, err := plist.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("not a plist: %w", err)
	}
	m, ok := top.(map[string]any)
	if !ok {
		return nil, ErrNotDict
	}
	return m, nil
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return textsafe.Clean(s, textsafe.MaxValue)
}

func date(m map[string]any, k string) time.Time {
	t, _ := m[k].(time.Time)
	return t.UTC()
}

// ParseInfo reads a backup's Info.plist (XML or binary).
func ParseInfo(b []byte) (Info, error) {
	m, err := decodeDict(b)
	if err != nil {
		return Info{}, err
	}
	return Info{
		LastBackup:       date(m, "Last Backup Date"),
		ProductVersion:   str(m, "Product Version"),
		ProductType:      str(m, "Product Type"),
		DeviceName:       str(m, "Device Name"),
		UniqueIdentifier: str(m, "Unique Identifier"),
		TargetIdentifier: str(m, "Target Identifier"),
	}, nil
}

// ParseStatus reads a backup's Status.plist (XML or binary).
func ParseStatus(b []byte) (Status, error) {
	m, err := decodeDict(b)
	if err != nil {
		return Status{}, err
	}
	return Status{SnapshotState: str(m, "SnapshotState"), Date: date(m, "Date")}, nil
}

// ParseManifest reads a backup's Manifest.plist (XML or binary); only
// IsEncrypted is kept.
func ParseManifest(b []byte) (Manifest, error) {
	m, err := decodeDict(b)
	if err != nil {
		return Manifest{}, err
	}
	var man Manifest
	if v, ok := m["IsEncrypted"].(bool); ok {
		man.IsEncrypted = &v
	}
	return man, nil
}
