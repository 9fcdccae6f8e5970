package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/diagnostics/host/netcheck"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
	"github.com/restoredoctor/restoredoctor/internal/testtmp"
)

// TestHostChecksInGermanAndJapanese: the check details and finding
// summaries the user reads are in the current language, with the data
// (host names, addresses, line numbers, versions, product names, counts in
// the locale's digits) still in them; ids, statuses and evidence keys stay
// as in English. Not parallel: the language is the process's.
func TestHostChecksInGermanAndJapanese(t *testing.T) {
	port, roots := loopbackTLS(t)
	res := mapResolver{"example.com": "127.0.0.1", "gs.apple.com": "127.0.0.1"}
	redirect := writeFile(t, "127.0.0.1 localhost\n0.0.0.0 gs.apple.com\n")
	var many strings.Builder
	for i := range 1234 {
		fmt.Fprintf(&many, "127.0.0.1 h%d.example\n", i)
	}
	big := filepath.Join(testtmp.Dir(t), "hosts")
	if err := os.WriteFile(big, []byte(many.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(testtmp.Dir(t), "hosts")
	if err := os.WriteFile(one, []byte("127.0.0.1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sec := func(name string) string { return fixture(t, "security", name) }
	sw := func(name string) string { return fixture(t, "software", name) }

	type want struct{ servers, mismatch, redirect, clean, cleanOne, norton, disabled, itunes, amds, noPS string }
	for _, tt := range []struct {
		lang string
		want want
	}{
		{"de", want{
			servers:  "1 von 3 Apple-Wiederherstellungsservern sind nicht erreichbar (gs.apple.com:" + port + ": TLS: ",
			mismatch: "Zertifikat gilt nicht für gs.apple.com (es gilt für example.com",
			redirect: "die hosts-Datei leitet den Apple-Wiederherstellungsserver gs.apple.com nach 0.0.0.0 um (Zeile 2)",
			clean:    "1.234 Einträge, keiner für einen Apple-Server",
			cleanOne: "1 Eintrag, keiner für einen Apple-Server",
			norton:   "aktive Sicherheitssoftware: Norton 360",
			disabled: "3 Sicherheitsprodukte installiert, keines aktiv",
			itunes:   "iTunes 12.10.11.2 ist älter als 12.12.0; Apple Mobile Device Support 13.0.0.38 ist älter als 14.0",
			amds:     "Apple Mobile Device Support fehlt (ohne diese Komponente sieht iTunes das iPhone nicht)",
			noPS:     "powershell.exe ist nicht installiert",
		}},
		{"ja", want{
			servers:  "Apple の復元サーバ 3 台中 1 台に到達できません（gs.apple.com:" + port + ": TLS: ",
			mismatch: "証明書は gs.apple.com に対して有効ではありません（有効な名前：example.com",
			redirect: "hostsファイルが Apple の復元サーバ gs.apple.com を 0.0.0.0 にリダイレクトしています（2 行目）",
			clean:    "1,234 件の割り当てがあり、Apple のサーバ宛てのものはありません",
			cleanOne: "1 件の割り当てがあり",
			norton:   "有効なセキュリティソフトウェア：Norton 360",
			disabled: "セキュリティ製品が 3 個インストールされていますが、有効なものはありません",
			itunes:   "iTunes 12.10.11.2 は 12.12.0 より古いバージョンです; Apple Mobile Device Support 13.0.0.38 は 14.0 より古いバージョンです",
			amds:     "Apple Mobile Device Support がありません（これがないと iTunes は iPhone を認識できません）",
			noPS:     "powershell.exe がインストールされていません",
		}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			if err := i18n.Use(tt.lang); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = i18n.Use("en") }()

			r := CheckAppleServers(context.Background(), ServerOptions{Hosts: []string{"gs.apple.com:" + port, "example.com:" + port, "127.0.0.1:" + port},
				StageTimeout: time.Second, RootCAs: roots, Resolver: res})
			if r.Status != report.StatusFail || len(r.Findings) != 1 {
				t.Fatalf("servers: %s %q, want fail with a finding", r.Status, r.Detail)
			}
			f := r.Findings[0]
			if f.ID != report.FindingHostServersUnreachable || !strings.HasPrefix(f.Summary, tt.want.servers) || !strings.Contains(f.Summary, tt.want.mismatch) {
				t.Errorf("servers summary %q, want %q … %q", f.Summary, tt.want.servers, tt.want.mismatch)
			}
			h := f.Evidence["hosts"].([]any)[0].(map[string]any)
			if h["kind"] != "name_mismatch" || h["failed_stage"] != "tls" || !slices.Equal(f.Evidence["failed_hosts"].([]string), []string{"gs.apple.com:" + port}) {
				t.Errorf("servers evidence %v: codes and targets must stay as in English", f.Evidence)
			}

			r = CheckHostsFile(context.Background(), redirect)
			if r.Status != report.StatusFail || len(r.Findings) != 1 || r.Findings[0].Summary != tt.want.redirect ||
				r.Detail != redirect+i18n.T("host.hosts.detail", i18n.Args{"Path": "", "Summary": tt.want.redirect}) {
				t.Errorf("hosts redirect: %s %q %+v, want %q", r.Status, r.Detail, r.Findings, tt.want.redirect)
			}
			if ev := r.Findings[0].Evidence; fmt.Sprint(ev["restore_hosts"]) != "[gs.apple.com]" || ev["apple_entries"] != 1 {
				t.Errorf("hosts evidence %v", ev)
			}
			for path, w := range map[string]string{big: tt.want.clean, one: tt.want.cleanOne} {
				if r := CheckHostsFile(context.Background(), path); r.Status != report.StatusPass || !strings.Contains(r.Detail, w) {
					t.Errorf("hosts clean: %s %q, want %q", r.Status, r.Detail, w)
				}
			}

			for name, c := range map[string]struct {
				out    string
				status string
				want   string
			}{
				"windows_norton_defender.json": {sec("windows_norton_defender.json"), report.StatusWarn, tt.want.norton},
				"windows_mcafee_disabled.json": {sec("windows_mcafee_disabled.json"), report.StatusPass, tt.want.disabled},
			} {
				r := CheckSecuritySoftware(context.Background(), CommandOptions{Runner: recorded{"powershell.exe": {stdout: c.out}}, GOOS: "windows"})
				if r.Status != c.status || r.Detail != c.want || len(r.Findings) != 1 || r.Findings[0].Summary != c.want {
					t.Errorf("security %s: %s %q, want %q", name, r.Status, r.Detail, c.want)
				}
			}
			if r := CheckSecuritySoftware(context.Background(), CommandOptions{Runner: recorded{}, GOOS: "windows"}); r.Status != report.StatusError || r.Detail != tt.want.noPS {
				t.Errorf("security without PowerShell: %s %q, want %q", r.Status, r.Detail, tt.want.noPS)
			}

			for fix, w := range map[string]string{"windows_itunes_old.json": tt.want.itunes, "windows_itunes_no_amds.json": tt.want.amds} {
				r := CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{Runner: recorded{"powershell.exe": {stdout: sw(fix)}}, GOOS: "windows"},
					Registry: oneAppRegistry{err: errors.New("no registry in this test")}})
				if r.Status != report.StatusWarn || len(r.Findings) != 1 || r.Findings[0].Summary != w || r.Findings[0].ID != report.FindingHostSoftwareOutdated {
					t.Errorf("software %s: %s %q, want %q", fix, r.Status, r.Detail, w)
					continue
				}
				if comps := r.Findings[0].Evidence["components"].([]any); comps[0].(map[string]any)["name"] != "iTunes" {
					t.Errorf("software %s: component names must stay as the OS shows them: %v", fix, comps)
				}
			}
		})
	}
}

// TestHostTextsGoThroughTranslation runs the checks in the pseudo-locale,
// which wraps every translated message in ⟦ ⟧: a detail or summary that
// does not start and end with the markers was built without
// internal/i18n.
func TestHostTextsGoThroughTranslation(t *testing.T) {
	if err := i18n.Use(i18n.PseudoCode); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = i18n.Use("en") }()
	sec := func(name string) string { return fixture(t, "security", name) }
	sw := func(name string) string { return fixture(t, "software", name) }
	noReg := oneAppRegistry{err: errors.New("no registry in this test")}
	software := func(goos string, run recorded, root string) Result {
		return CheckSoftwareVersions(context.Background(), SoftwareOptions{CommandOptions: CommandOptions{Runner: run, GOOS: goos},
			IOSVersion: "18.1", DpkgStatus: filepath.Join("testdata", "no-such-dpkg-status"), Registry: noReg,
			Root: os.DirFS(filepath.Join("software", "testdata", root))})
	}
	security := func(goos string, run recorded) Result {
		return CheckSecuritySoftware(context.Background(), CommandOptions{Runner: run, GOOS: goos})
	}
	dir := testtmp.Dir(t)
	canceled := netcheckFailure("gs.apple.com:443", true)
	results := map[string]Result{
		"security norton":       security("windows", recorded{"powershell.exe": {stdout: sec("windows_norton_defender.json")}}),
		"security disabled":     security("windows", recorded{"powershell.exe": {stdout: sec("windows_mcafee_disabled.json")}}),
		"security defender":     security("windows", recorded{"powershell.exe": {stdout: sec("windows_defender_only.json")}}),
		"security none":         security("windows", recorded{"powershell.exe": {stdout: sec("windows_no_products.json")}}),
		"security empty":        security("windows", recorded{"powershell.exe": {stdout: ""}}),
		"security server":       security("windows", recorded{"powershell.exe": {stderr: sec("windows_server_stderr.txt"), exit: 1}}),
		"security garbage":      security("windows", recorded{"powershell.exe": {stdout: "<html>"}}),
		"security no ps":        security("windows", recorded{}),
		"security mac old":      security("darwin", recorded{}),
		"security mac garbage":  security("darwin", recorded{"systemextensionsctl": {stdout: "hello"}}),
		"security linux":        security("linux", recorded{}),
		"software old itunes":   software("windows", recorded{"powershell.exe": {stdout: sw("windows_itunes_old.json")}}, "macroot-swvers"),
		"software nothing":      software("windows", recorded{"powershell.exe": {stdout: sw("windows_nothing.json")}}, "macroot-swvers"),
		"software garbage":      software("windows", recorded{"powershell.exe": {stdout: "oops"}}, "macroot-swvers"),
		"software ps fails":     software("windows", recorded{"powershell.exe": {stderr: "Access denied", exit: 1}}, "macroot-swvers"),
		"software mac 12":       software("darwin", recorded{"sw_vers": {stdout: sw("macos_sw_vers_12.txt")}}, "macroot-swvers"),
		"software mac nomd":     software("darwin", recorded{}, "macroot-nomd"),
		"software mac corrupt":  software("darwin", recorded{}, "macroot-corrupt"),
		"software mac unreadbl": software("darwin", recorded{"sw_vers": {stdout: sw("macos_sw_vers_14.txt")}}, "macroot-corrupt"),
		"software linux old":    software("linux", recorded{"usbmuxd": {stdout: sw("linux_usbmuxd_old.txt")}, "ideviceinfo": {stdout: sw("linux_ideviceinfo_old.txt")}, "dpkg-query": {missing: true}}, "macroot-swvers"),
		"software linux none":   software("linux", recorded{}, "macroot-swvers"),
		"software plan9":        software("plan9", recorded{}, "macroot-swvers"),
		"hosts missing":         CheckHostsFile(context.Background(), filepath.Join(dir, "nothing")),
		"hosts directory":       CheckHostsFile(context.Background(), dir),
		"hosts redirect":        CheckHostsFile(context.Background(), writeFile(t, "0.0.0.0 gs.apple.com\n")),
		"hosts apple only":      CheckHostsFile(context.Background(), writeFile(t, "0.0.0.0 www.apple.com\n")),
		"hosts clean":           CheckHostsFile(context.Background(), writeFile(t, "127.0.0.1 localhost\n")),
		"servers none":          AppleServersResult(nil),
		"servers canceled":      AppleServersResult([]netcheck.HostResult{canceled}),
		"servers failed":        AppleServersResult([]netcheck.HostResult{netcheckFailure("gs.apple.com:443", false)}),
	}
	marked := func(s string) bool {
		return strings.HasPrefix(s, i18n.PseudoOpen) && strings.HasSuffix(s, i18n.PseudoClose)
	}
	for name, r := range results {
		if !marked(r.Detail) {
			t.Errorf("%s: detail %q did not go through i18n", name, r.Detail)
		}
		for _, f := range r.Findings {
			if !marked(f.Summary) {
				t.Errorf("%s: summary %q did not go through i18n", name, f.Summary)
			}
		}
	}
	// A probe's own reason goes through i18n too.
	hr := netcheck.ProbeOne(context.Background(), "a:b:c", netcheck.Options{})
	var pe *netcheck.ProbeError
	if !errors.As(hr.Err, &pe) || !marked(pe.Reason) {
		t.Errorf("probe reason %v did not go through i18n", hr.Err)
	}
}

// netcheckFailure is a probe of target that failed at DNS (canceled: the
// probe was interrupted).
func netcheckFailure(target string, canceled bool) netcheck.HostResult {
	kind := netcheck.KindNotFound
	if canceled {
		kind = netcheck.KindCanceled
	}
	return netcheck.HostResult{Target: target, Host: strings.Split(target, ":")[0], Reached: netcheck.StageNone,
		Err: &netcheck.ProbeError{Target: target, Stage: netcheck.StageDNS, Kind: kind, Reason: "x"}}
}
