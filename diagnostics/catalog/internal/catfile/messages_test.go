package catfile

import (
	"errors"
	"strings"
	"testing"
)

func testFile() (File, Backup) {
	f := File{
		Version: 1,
		Steps: []Step{{Number: 5, Title: "T", Summary: "S", Instructions: []string{"a", "b"},
			InstructionsByOS: map[string][]string{"windows": {"w"}}, Warning: "erases", WarningMustAcknowledge: true,
			DetailsByOS: map[string][]string{"linux": {"cmd --x"}}, InstructionsInRecovery: []string{"r"}}},
		Professional:    Step{Title: "P", Summary: "PS", Instructions: []string{"p"}},
		RecoveryButtons: map[string]Recovery{"iphone-7": {AppliesTo: "iPhone 7", Steps: []string{"hold"}}},
		FixTexts:        map[string]string{"usb.x": "fix"},
		Labels:          map[string]string{"alternative": "{{.Models}}: {{.Steps}}"},
		Literal:         []string{"cmd --x"},
	}
	b := Backup{NeedsIOS: "needs", Ways: map[string][]BackupWay{
		"darwin":  {{App: "iCloud", Steps: []string{"on"}}},
		"windows": {{App: "Apple Devices", Steps: []string{"open"}}, {App: "iCloud", Steps: []string{"on"}}},
	}}
	return f, b
}

// TestMessageIDs: every text gets the ID of where it sits, literals none,
// and IDs returns the same shape with IDs in place of texts.
func TestMessageIDs(t *testing.T) {
	f, b := testFile()
	msgs, err := Messages(f, &b)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range msgs {
		got[m.ID] = m.English
		if m.Description == "" {
			t.Errorf("%s has no description", m.ID)
		}
	}
	want := map[string]string{
		"steps.5.title": "T", "steps.5.summary": "S", "steps.5.warning": "erases",
		"steps.5.instructions.0": "a", "steps.5.instructions.1": "b", "steps.5.by_os.windows.0": "w",
		"steps.5.in_recovery.0": "r", "steps.professional.title": "P", "steps.professional.summary": "PS",
		"steps.professional.instructions.0": "p", "steps.recovery.iphone-7.applies_to": "iPhone 7",
		"steps.recovery.iphone-7.0": "hold", "steps.fix.usb.x": "fix", "steps.label.alternative": "{{.Models}}: {{.Steps}}",
		"steps.backup.needs_ios": "needs", "steps.backup.icloud.0": "on", "steps.backup.apple_devices.0": "open",
	}
	if len(got) != len(want) {
		t.Errorf("got %d messages %v, want %d", len(got), got, len(want))
	}
	for id, text := range want {
		if got[id] != text {
			t.Errorf("%s = %q, want %q", id, got[id], text)
		}
	}
	if _, ok := got["steps.5.details.linux.0"]; ok {
		t.Error("a literal got a message ID")
	}
	idf, idb := IDs(f, b)
	if idf.Steps[0].InstructionsByOS["windows"][0] != "steps.5.by_os.windows.0" || idf.Steps[0].DetailsByOS["linux"][0] != "cmd --x" ||
		idf.RecoveryButtons["iphone-7"].Steps[0] != "steps.recovery.iphone-7.0" || idb.Ways["windows"][0].Steps[0] != "steps.backup.apple_devices.0" {
		t.Errorf("IDs = %+v %+v", idf, idb)
	}
	// IDs and Messages leave their arguments alone.
	if f.Steps[0].Instructions[0] != "a" || b.Ways["windows"][0].Steps[0] != "open" || f.RecoveryButtons["iphone-7"].Steps[0] != "hold" {
		t.Error("IDs changed its argument")
	}
}

// TestMessagesRejectsTwoTexts: one app's steps that differ between systems
// would share an ID with two texts.
func TestMessagesRejectsTwoTexts(t *testing.T) {
	f, b := testFile()
	b.Ways["darwin"][0].Steps[0] = "different"
	if _, err := Messages(f, &b); !errors.Is(err, ErrDecode) || !strings.Contains(err.Error(), "steps.backup.icloud.0") {
		t.Errorf("Messages = %v, want a clash on steps.backup.icloud.0", err)
	}
}

func TestDecodeBackup(t *testing.T) {
	b, err := DecodeBackup([]byte(`{"_comment":"c","needs_ios":"n","ways":{"other":[{"app":"x","steps":["s"]}]}}`))
	if err != nil || b.NeedsIOS != "n" || b.Ways["other"][0].Steps[0] != "s" {
		t.Fatalf("DecodeBackup = %+v, %v", b, err)
	}
	for _, bad := range []string{"", "{", `{"extra":1}`, `{} {}`} {
		if _, err := DecodeBackup([]byte(bad)); !errors.Is(err, ErrDecode) {
			t.Errorf("DecodeBackup(%q) = %v, want ErrDecode", bad, err)
		}
	}
}
