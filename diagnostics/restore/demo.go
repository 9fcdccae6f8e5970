package restore

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/device/restoretrace"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// DemoNames lists the demo traces embedded under assets/traces, by name
// ("success", "lost-after-handover", …), sorted.
func DemoNames() []string {
	files, _ := fs.Glob(assets.FS, "traces/*.jsonl")
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(path.Base(f), ".jsonl")
	}
	return names
}

// DemoTrace reads the embedded demo trace name (see DemoNames), for the
// window's --demo-trace and the simulator's --replay.
func DemoTrace(name string) (*restoretrace.Trace, error) {
	data, err := fs.ReadFile(assets.FS, "traces/"+name+".jsonl")
	if err != nil {
		return nil, errors.New(i18n.T("restore.demo.unknown", i18n.Args{"Name": name, "Names": strings.Join(DemoNames(), ", ")}))
	}
	return restoretrace.Read(bytes.NewReader(data))
}
