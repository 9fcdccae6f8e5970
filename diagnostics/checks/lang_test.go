package checks

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/diagnostics/report"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestSummariesInOtherLanguages builds findings in German and Japanese:
// the summary and the detail are in that language with the measured
// numbers in its format, and the finding ID and evidence stay the same.
// Not parallel: it switches the process's language.
func TestSummariesInOtherLanguages(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	flappy := []PhoneStability{{Key: "p1", Detaches: 3, Worst: LinkCount{Source: "udev", Detaches: 3, Attaches: 3, Flaps: 3}}}
	cases := []struct {
		name string
		run  func() (Outcome, error)
		id   string
		want map[string][]string // substrings of the first finding's summary, then of the detail
	}{
		{"drops over 2.5 s", func() (Outcome, error) { return USBStability(2500*time.Millisecond, flappy, []string{"udev"}, nil) },
			report.FindingUSBUnstable, map[string][]string{
				"en": {"The iPhone dropped off the USB connection 3 times in 2.5 s", "watched udev for 2.5 s: p1: 3 drops"},
				"de": {"Das iPhone hat sich in 2,5 s 3-mal von der USB-Verbindung getrennt", "udev 2,5 s lang beobachtet: p1: 3 Abbrüche"},
				"ja": {"2.5 秒間にiPhoneがUSB接続から 3 回切断されました", "udev を 2.5 秒間監視: p1: 切断 3 回"},
			}},
		{"control timeouts in recovery", func() (Outcome, error) {
			d := phoneAUSB
			d.Mode, d.ProductID = mode.Recovery, 0x1281
			p := Phone{Key: "p1", Mode: mode.Recovery, USB: &d}
			return USBControl([]Phone{p}, map[string]ControlStats{"p1": {Requests: 10, Timeouts: 3, Failures: 1, Max: 1500 * time.Microsecond}})
		}, report.FindingUSBControlTimeouts, map[string][]string{
			"en": {"4 of 10 USB control transfers to the iPhone in recovery mode timed out or failed", "6/10 control transfers answered, max 1.5 ms"},
			"de": {"4 von 10 USB-Steuerübertragungen an das iPhone im Wiederherstellungsmodus", "6/10 Steuerübertragungen beantwortet, max. 1,5 ms"},
			"ja": {"リカバリモードのiPhoneへのUSBコントロール転送 10 件中 4 件", "最大 1.5 ms"},
		}},
	}
	for _, tc := range cases {
		for _, lang := range []string{"en", "de", "ja"} {
			if err := i18n.Use(lang); err != nil {
				t.Fatal(err)
			}
			o, err := tc.run()
			if err != nil {
				t.Fatalf("%s, %s: %v", tc.name, lang, err)
			}
			if len(o.Findings) == 0 || o.Findings[0].ID != tc.id {
				t.Fatalf("%s, %s: findings %+v, want %s first", tc.name, lang, o.Findings, tc.id)
			}
			want := tc.want[lang]
			if s := o.Findings[0].Summary; !strings.Contains(s, want[0]) {
				t.Errorf("%s, %s: summary %q, want %q in it", tc.name, lang, s, want[0])
			}
			if !strings.Contains(o.Detail, want[1]) {
				t.Errorf("%s, %s: detail %q, want %q in it", tc.name, lang, o.Detail, want[1])
			}
		}
	}
}

// TestICloudReasonCodeIsStable: the reason why the phone could not be asked
// is translated, its code is not (programs read the code).
func TestICloudReasonCodeIsStable(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	phones := []Phone{{Key: "p1", Mode: mode.Recovery}}
	for _, lang := range []string{"en", "de", "ja"} {
		if err := i18n.Use(lang); err != nil {
			t.Fatal(err)
		}
		o, err := ICloudBackup(phones, map[string]ICloud{"p1": {Code: "recovery_mode", Reason: i18n.T("findings.icloud.recovery")}})
		if err != nil || len(o.Findings) != 1 {
			t.Fatalf("%s: %v %+v", lang, err, o)
		}
		ev := o.Findings[0].Evidence
		if ev["reason_code"] != "recovery_mode" || ev["reason"] != i18n.T("findings.icloud.recovery") {
			t.Errorf("%s: evidence %v", lang, ev)
		}
		if lang != "en" && strings.Contains(o.Findings[0].Summary, "cannot be checked") {
			t.Errorf("%s: summary still English: %q", lang, o.Findings[0].Summary)
		}
	}
}

// TestCheckErrorsInOtherLanguages: a check that ends in error says so in the
// current language (its error is the check's detail), with the technical
// cause kept as it is. Not parallel: it switches the process's language.
func TestCheckErrorsInOtherLanguages(t *testing.T) {
	defer func() { _ = i18n.Use("en") }()
	cause := errors.New("read unix @->: i/o timeout")
	trust := func() error {
		_, err := LockdownTrust([]Phone{{Key: "p1", Mode: mode.Normal, Mux: &MuxEntry{}}}, nil, map[string]Trust{"p1": {Err: cause}})
		return err
	}
	scan := func() error {
		_, err := USBPresence(USBScan{Err: cause}, nil)
		if !errors.Is(err, cause) {
			t.Errorf("USBPresence's error %v does not wrap its cause", err)
		}
		return err
	}
	noSource := func() error {
		_, err := USBStability(time.Second, nil, nil, []string{"udev: " + cause.Error()})
		return err
	}
	for _, tc := range []struct {
		name string
		run  func() error
		want map[string]string
	}{
		{"trust", trust, map[string]string{"en": "p1: trust state not read (", "de": "p1: Vertrauensstatus nicht gelesen (", "ja": "p1: このコンピュータを信頼しているか読み取れませんでした（"}},
		{"usb scan", scan, map[string]string{"en": "the USB bus could not be scanned: ", "de": "der USB-Bus konnte nicht durchsucht werden: ", "ja": "USB バスを走査できませんでした："}},
		{"no event source", noSource, map[string]string{"en": "no event source could be watched: ", "de": "keine Ereignisquelle konnte beobachtet werden: ", "ja": "監視できるイベントソースがありませんでした："}},
	} {
		for lang, want := range tc.want {
			if err := i18n.Use(lang); err != nil {
				t.Fatal(err)
			}
			err := tc.run()
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), cause.Error()) {
				t.Errorf("%s, %s: error %v, want %q and the cause in it", tc.name, lang, err, want)
			}
		}
	}
}
