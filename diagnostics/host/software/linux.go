package software

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Linux component names (the keys of minimums.json "linux").
const (
	Usbmuxd          = "usbmuxd"
	Libimobiledevice = "libimobiledevice"
)

// DpkgPackages are the Debian/Ubuntu package names queried: usbmuxd and the
// libimobiledevice/libusbmuxd libraries under their old and new (1.0/2.0 ABI)
// names.
var DpkgPackages = []string{"usbmuxd", "libimobiledevice6", "libimobiledevice-1.0-6", "libusbmuxd6", "libusbmuxd-2.0-6", "libimobiledevice-utils"}

// DpkgFormat is the dpkg-query -f format ParseDpkgQuery reads.
const DpkgFormat = `${Package}\t${Version}\t${db:Status-Abbrev}\n`

// ParseToolVersion reads "<tool> <version>" as printed by `usbmuxd --version`
// ("usbmuxd 1.1.1") and `ideviceinfo --version` ("ideviceinfo 1.3.0",
// git builds "1.3.0-240-gabcdef"). It takes the first field after tool that
// starts with a digit.
func ParseToolVersion(out []byte, tool string) (string, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1024), 64*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, f := range fields {
			if i == 0 && !strings.EqualFold(strings.TrimSuffix(f, ":"), tool) {
				break
			}
			if i > 0 && ValidVersion(f) {
				return capString(strings.TrimPrefix(f, "v"), 40), nil
			}
		}
	}
	return "", fmt.Errorf("software: no %s version in %q", tool, capString(string(out), 60))
}

// Package is one dpkg-query row.
type Package struct {
	Name      string
	Version   string
	Installed bool // status "ii"
}

// ParseDpkgQuery parses `dpkg-query -W -f DpkgFormat …` output. Rows that
// are not three tab-separated fields are skipped.
func ParseDpkgQuery(out []byte) []Package {
	var ps []Package
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1024), 64*1024)
	for sc.Scan() {
		cols := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if len(cols) != 3 || cols[0] == "" || strings.ContainsAny(cols[0], " :") {
			continue
		}
		ps = append(ps, Package{
			Name:      capString(cols[0], 60),
			Version:   capString(cols[1], 60),
			Installed: strings.HasPrefix(strings.TrimSpace(cols[2]), "ii") && cols[1] != "",
		})
		if len(ps) == 64 {
			break
		}
	}
	return ps
}

// FormatDpkgQuery writes ps in the format ParseDpkgQuery reads (DpkgFormat
// with "ii" for installed packages, "un" for the rest): the inverse of
// ParseDpkgQuery, used to keep packages in a probecache.
func FormatDpkgQuery(ps []Package) []byte {
	var b bytes.Buffer
	for _, p := range ps {
		st := "un"
		if p.Installed {
			st = "ii"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", p.Name, p.Version, st)
	}
	return b.Bytes()
}

// LibimobiledeviceFromDpkg is the installed libimobiledevice library version
// among ps ("" when none).
func LibimobiledeviceFromDpkg(ps []Package) string {
	for _, p := range ps {
		if p.Installed && (p.Name == "libimobiledevice6" || p.Name == "libimobiledevice-1.0-6") {
			return p.Version
		}
	}
	return ""
}
