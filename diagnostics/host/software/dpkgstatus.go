package software

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
)

// DpkgStatusPath is where dpkg keeps the state of every package.
const DpkgStatusPath = "/var/lib/dpkg/status"

// maxDpkgLine bounds one line of the status file (descriptions can be long;
// nothing sane comes close).
const maxDpkgLine = 1 << 20

// ParseDpkgStatus reads dpkg's status file (stanzas of "Field: value" lines
// separated by blank lines) as a stream and returns the packages named in
// want, in the order found, without spawning dpkg-query. A package counts
// as installed when its Status is "install ok installed". Multi-arch
// duplicates keep the first installed stanza. It reads at most the first
// 64 MiB and stops early once every wanted package was seen installed.
func ParseDpkgStatus(r io.Reader, want []string) ([]Package, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 64<<20))
	sc.Buffer(make([]byte, 0, 64*1024), maxDpkgLine)
	var ps []Package
	installed := 0
	// The fields of the current stanza, copied out of the scanner's buffer
	// into reused slices: strings are made only for wanted packages.
	var name, version, status []byte
	wanted := func() bool {
		for _, w := range want {
			if string(name) == w { // compared in place, no allocation
				return true
			}
		}
		return false
	}
	flush := func() {
		if len(name) > 0 && wanted() {
			v := string(version)
			st := strings.Join(strings.Fields(string(status)), " ")
			p := Package{Name: capString(string(name), 60), Version: capString(v, 60), Installed: st == "install ok installed" && v != ""}
			if i := slices.IndexFunc(ps, func(q Package) bool { return q.Name == p.Name }); i < 0 {
				ps = append(ps, p)
				if p.Installed {
					installed++
				}
			} else if !ps[i].Installed && p.Installed {
				ps[i] = p
				installed++
			}
		}
		name, version, status = name[:0], version[:0], status[:0]
	}
	for sc.Scan() {
		// Bytes, not Text: most lines are descriptions and fields nobody
		// asked for, and a string per line was most of the parse's time.
		line := bytes.TrimRight(sc.Bytes(), "\r")
		if len(line) == 0 {
			flush()
			if installed == len(want) {
				return ps, nil
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // continuation of a multi-line field
		}
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch string(key) { // no allocation: compared in place
		case "Package":
			name = append(name[:0], bytes.TrimSpace(val)...)
		case "Version":
			version = append(version[:0], bytes.TrimSpace(val)...)
		case "Status":
			status = append(status[:0], val...)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return ps, fmt.Errorf("software: dpkg status file: %w", err)
	}
	return ps, nil
}
