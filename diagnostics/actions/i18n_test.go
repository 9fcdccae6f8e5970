package actions_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/diagnostics/actions"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// useLanguage makes code current for the rest of the test (not parallel:
// the language is the process's).
func useLanguage(t *testing.T, code string) {
	t.Helper()
	if err := i18n.Use(code); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = i18n.Use("en") })
}

// TestRefusalsInGermanAndJapanese: what a refused action says is in the
// current language, with the data (ECID, modes, the force-restart steps)
// still in it, while the policy's errors, the finding's id and its
// evidence stay the same.
func TestRefusalsInGermanAndJapanese(t *testing.T) {
	start, _ := recoveryPhone("ecid:A")
	other := start
	o := *start.USB
	o.Recovery = &usb.RecoveryInfo{CPID: "8110", ECID: "00000000DEADBEEF"}
	other.USB = &o
	dfu := start
	df := *start.USB
	df.ProductID, df.Mode = 0x1227, mode.DFU
	dfu.USB = &df
	normal := device.Device{Key: "udid:N", Mode: mode.Normal, USB: &usb.Device{Bus: 1, Address: 7, PortPath: []int{3}, ProductID: 0x12A8, Mode: mode.Normal}}

	tests := []struct {
		lang                    string
		otherChip, dfu, hint    string
		button, wrongMode, none string
	}{
		{
			lang:      "de",
			otherChip: "nichts wurde gesendet: Der Modus des iPhone konnte nicht bestätigt werden: an diesem USB-Anschluss hängt jetzt ein anderes iPhone (ECID 00000000DEADBEEF)",
			dfu:       "nichts wurde gesendet: Das iPhone ist im DFU-Modus",
			hint:      "Erzwinge mit den Tasten einen Neustart des iPhone:",
			button:    "Drücke kurz die Lauter-Taste.",
			wrongMode: "„Wiederherstellungsmodus beenden“ ist im Zustand „normaler Modus“ nicht möglich",
			none:      "Vorher: Wiederherstellungsmodus. Nachher: normaler Modus.",
		},
		{
			lang:      "ja",
			otherChip: "何も送信していません：iPhone のモードを確認できませんでした：その USB ポートには今は別の iPhone（ECID 00000000DEADBEEF）が接続されています",
			dfu:       "何も送信していません：iPhone は DFUモードで、USB からは終了できません",
			hint:      "ボタンで iPhone を強制再起動してください：",
			button:    "音量を上げるボタンを押してすぐに放します。",
			wrongMode: "「リカバリモードを終了」は通常モードでは使えません",
			none:      "前：リカバリモード。後：通常モード。",
		},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			useLanguage(t, tt.lang)
			run := func(now device.Device) actions.Result {
				look := func(context.Context) ([]device.Device, error) { return []device.Device{now}, nil }
				r := actions.NewRunner(&countingHW{}, look, actions.Options{ConfirmTimeout: 50 * time.Millisecond})
				return r.Run(context.Background(), actions.Request{Kind: actions.ExitRecovery, Device: start, Family: model.FaceIDOr8Later})
			}

			res := run(other)
			if res.Outcome != actions.Refused || !errors.Is(res.Err, actions.ErrModeUnconfirmed) {
				t.Fatalf("another chip: %s %v, want refused, mode unconfirmed", res.Outcome, res.Err)
			}
			if res.Summary != tt.otherChip {
				t.Errorf("another chip: summary %q, want %q", res.Summary, tt.otherChip)
			}
			f := res.Finding()
			if f.ID != "action.recovery_exit" || f.Evidence["outcome"] != "refused" || f.Evidence["mode_before"] != "recovery" || f.Summary != tt.otherChip {
				t.Errorf("finding %s %v %q: id and evidence must stay English, the summary translated", f.ID, f.Evidence, f.Summary)
			}

			res = run(dfu)
			if !errors.Is(res.Err, actions.ErrDFU) || !strings.HasPrefix(res.Summary, tt.dfu) {
				t.Errorf("DFU: %v %q, want it to start %q", res.Err, res.Summary, tt.dfu)
			}
			if res.Hint != tt.hint || len(res.Buttons) != 3 || res.Buttons[0] != tt.button {
				t.Errorf("DFU: hint %q buttons %q, want %q and first %q", res.Hint, res.Buttons, tt.hint, tt.button)
			}

			err := actions.Check(actions.ExitRecovery, normal)
			if !errors.Is(err, actions.ErrNotApplicable) || actions.Reason(err) != tt.wrongMode {
				t.Errorf("Check: %v, reason %q, want %q", err, actions.Reason(err), tt.wrongMode)
			}

			var out bytes.Buffer
			actions.WriteResult(&out, actions.Result{Kind: actions.ExitRecovery, Summary: "x", Before: mode.Recovery, After: mode.Normal})
			if !strings.Contains(out.String(), tt.none) || !strings.HasPrefix(out.String(), actions.ExitRecovery.Title()+": x") {
				t.Errorf("WriteResult = %q, want %q", out.String(), tt.none)
			}
		})
	}
}

// TestConfirmInGermanAndJapanese: the terminal prompt asks in the current
// language and takes that language's yes and backup phrase, and still the
// English ones.
func TestConfirmInGermanAndJapanese(t *testing.T) {
	tests := []struct {
		lang   string
		kind   actions.Kind
		input  string
		want   bool
		prompt string
	}{
		{"de", actions.Restart, "ja\n", true, "iPhone neu starten auf iPhone 8 (normaler Modus)? [j/N]"},
		{"de", actions.Restart, "y\n", true, "[j/N]"},
		{"de", actions.Restart, "nein\n", false, "[j/N]"},
		{"de", actions.EnterRecovery, "ich habe ein backup\n", true, "Tippe „Ich habe ein Backup“"},
		{"de", actions.EnterRecovery, "I have a backup\n", true, "Warnung: "},
		{"de", actions.EnterRecovery, "ja\n", false, "Wiederherstellungsmodus starten"},
		{"ja", actions.Restart, "はい\n", true, "iPhone 8（通常モード）で「iPhoneを再起動」を実行しますか？ [y/N]"},
		{"ja", actions.Restart, "いいえ\n", false, "[y/N]"},
		{"ja", actions.EnterRecovery, "バックアップがあります\n", true, "「バックアップがあります」と入力してください"},
	}
	for _, tt := range tests {
		useLanguage(t, tt.lang)
		var prompt bytes.Buffer
		got := actions.Confirm(strings.NewReader(tt.input), &prompt, tt.kind, "iPhone 8", mode.Normal)
		if got != tt.want || !strings.Contains(prompt.String(), tt.prompt) {
			t.Errorf("%s %s %q: %v, prompt %q; want %v and %q", tt.lang, tt.kind, tt.input, got, prompt.String(), tt.want, tt.prompt)
		}
	}
}

// failingHW fails exit recovery as a stalled USB transfer would.
type failingHW struct{ okHW }

func (failingHW) ExitRecovery(context.Context, usb.Device) error { return usb.ErrTimeout }

// TestActionTextsGoThroughTranslation runs refusals, a failure and the
// command line's errors in the pseudo-locale, which wraps every
// translated message in ⟦ ⟧: text without the markers was built without
// internal/i18n.
func TestActionTextsGoThroughTranslation(t *testing.T) {
	useLanguage(t, i18n.PseudoCode)
	marked := func(s string) bool {
		return strings.HasPrefix(s, i18n.PseudoOpen) && strings.HasSuffix(s, i18n.PseudoClose)
	}
	start, look := recoveryPhone("ecid:P")
	restore := start
	restore.Mode = mode.Restore
	normal := device.Device{Key: "udid:N", Mode: mode.Normal}
	var texts []string
	for _, tc := range []struct {
		hw  actions.Hardware
		req actions.Request
	}{
		{okHW{}, actions.Request{Kind: actions.ExitRecovery, Device: restore}},
		{okHW{}, actions.Request{Kind: actions.Restart, Device: normal}},
		{okHW{}, actions.Request{Kind: actions.ExitRecovery, Device: normal}},
		{failingHW{}, actions.Request{Kind: actions.ExitRecovery, Device: start}},
	} {
		res := actions.NewRunner(tc.hw, look, actions.Options{ConfirmTimeout: 50 * time.Millisecond}).Run(context.Background(), tc.req)
		texts = append(texts, res.Summary)
		if res.Hint != "" {
			texts = append(texts, res.Hint)
		}
		for _, b := range res.Buttons {
			if !marked(b) {
				t.Errorf("button %q did not go through i18n", b)
			}
		}
	}
	for _, k := range actions.Kinds() {
		texts = append(texts, k.Title())
	}
	for _, m := range []mode.Mode{mode.Normal, mode.Recovery, mode.DFU, mode.Restore, mode.Unknown, ""} {
		texts = append(texts, actions.ModeName(m))
	}
	_, _, err := actions.ParseCommandLine([]string{"recovery", "leave"})
	texts = append(texts, err.Error())
	_, err = actions.Pick(nil, "")
	texts = append(texts, err.Error())
	_, err = actions.Pick([]device.Device{normal}, "other")
	texts = append(texts, err.Error())
	for _, s := range texts {
		if !marked(s) {
			t.Errorf("%q did not go through i18n", s)
		}
	}
}
