package display

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

func TestXAddresses(t *testing.T) {
	cases := []struct {
		disp    string
		network string
		first   string
		bad     bool
	}{
		{disp: ":0", network: "unix", first: "/tmp/.X11-unix/X0"},
		{disp: ":64.0", network: "unix", first: "/tmp/.X11-unix/X64"},
		{disp: "unix:3", network: "unix", first: "/tmp/.X11-unix/X3"},
		{disp: "localhost:10.0", network: "tcp", first: "localhost:6010"},
		{disp: "tcp/example.org:1", network: "tcp", first: "example.org:6001"},
		{disp: "/private/tmp/com.apple.launchd.x/org.xquartz:0", network: "unix", first: "/private/tmp/com.apple.launchd.x/org.xquartz"},
		{disp: "garbage", bad: true},
		{disp: ":x", bad: true},
		{disp: ":-1", bad: true},
	}
	for _, c := range cases {
		network, addrs, err := xAddresses(c.disp)
		if c.bad {
			if err == nil {
				t.Errorf("%q: no error, got %s %v", c.disp, network, addrs)
			}
			continue
		}
		if err != nil || network != c.network || len(addrs) == 0 || addrs[0] != c.first {
			t.Errorf("%q: %s %v %v, want %s %s", c.disp, network, addrs, err, c.network, c.first)
		}
	}
}

func TestCheckDisplay(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "X")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		name string
		goos string
		env  map[string]string
		ok   bool
	}{
		{name: "windows needs no DISPLAY", goos: "windows", env: nil, ok: true},
		{name: "macOS needs no DISPLAY", goos: "darwin", env: nil, ok: true},
		{name: "unset over SSH", goos: "linux", env: nil},
		{name: "Wayland only", goos: "linux", env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}},
		{name: "server answers", goos: "linux", env: map[string]string{"DISPLAY": sock + ":0"}, ok: true},
		{name: "nobody listens", goos: "linux", env: map[string]string{"DISPLAY": filepath.Join(dir, "none") + ":0"}},
		{name: "malformed", goos: "freebsd", env: map[string]string{"DISPLAY": "nonsense"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(context.Background(), c.goos, env(c.env))
			if c.ok && err != nil {
				t.Fatalf("err = %v, want nil", err)
			}
			if !c.ok && !errors.Is(err, ErrNoDisplay) {
				t.Fatalf("err = %v, want ErrNoDisplay", err)
			}
		})
	}
}

// TestCheckSpeaksTheLanguage: the reasons and the hint in German and
// Japanese, still ErrNoDisplay, with the data (the DISPLAY value, the
// command) in them.
func TestCheckSpeaksTheLanguage(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		code string
		env  map[string]string
		want []string
	}{
		{"en", nil, []string{"no graphical display: DISPLAY is not set", "The Restore Doctor window needs a graphical desktop", "restoredoctor check"}},
		{"de", nil, []string{"keine grafische Oberfläche: DISPLAY ist nicht gesetzt", "führst du dieselbe Prüfung im Terminal aus", "restoredoctor check"}},
		{"ja", map[string]string{"DISPLAY": "nonsense"}, []string{"グラフィカルな画面がありません", `DISPLAY="nonsense"`, "host:displayの形式ではありません", "restoredoctor check", "--json"}},
	}
	for _, tt := range tests {
		if err := i18n.Use(tt.code); err != nil {
			t.Fatal(err)
		}
		err := Check(context.Background(), "linux", env(tt.env))
		if !errors.Is(err, ErrNoDisplay) {
			t.Fatalf("%s: err = %v, want ErrNoDisplay", tt.code, err)
		}
		got := Hint(err)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: hint %q lacks %q", tt.code, got, w)
			}
		}
	}
}
