package software

import (
	"bufio"
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
	var name, version, status string
	flush := func() {
		if name != "" && slices.Contains(want, name) {
			p := Package{Name: capString(name, 60), Version: capString(version, 60), Installed: status == "install ok installed" && version != ""}
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
		name, version, status = "", "", ""
	}
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			flush()
			if installed == len(want) {
				return ps, nil
			}
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // continuation of a multi-line field
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch key {
		case "Package":
			name = val
		case "Version":
			version = val
		case "Status":
			status = strings.Join(strings.Fields(val), " ")
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return ps, fmt.Errorf("software: dpkg status file: %w", err)
	}
	return ps, nil
}
