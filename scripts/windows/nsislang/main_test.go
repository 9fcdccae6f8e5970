package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/restoredoctor/restoredoctor/assets"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// TestGeneratedIsComplete: the include file has NSIS's language for each of
// the ten languages and every installer message in each of them, and
// defines every $(RD_…) string installer.nsi uses.
func TestGeneratedIsComplete(t *testing.T) {
	data, err := Generate(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if !strings.HasPrefix(text, "\ufeff") {
		t.Error("no UTF-8 byte order mark: makensis would read the file in the ANSI code page")
	}
	en, err := i18n.ReadFile(assets.FS, Area+".en.json")
	if err != nil || len(en) == 0 {
		t.Fatalf("English installer bundle: %v", err)
	}
	nlf := "/usr/share/nsis/Contrib/Language files"
	for _, l := range i18n.Supported() {
		n, ok := nsisLanguages[l.Code]
		if !ok {
			t.Errorf("%s: no NSIS language", l.Code)
			continue
		}
		if !strings.Contains(text, "!insertmacro MUI_LANGUAGE \""+n.Name+"\"\n") {
			t.Errorf("%s: no MUI_LANGUAGE %q", l.Code, n.Name)
		}
		if _, err := os.Stat(nlf); err == nil {
			if _, err := os.Stat(filepath.Join(nlf, n.Name+".nlf")); err != nil {
				t.Errorf("%s: NSIS has no language file %s.nlf", l.Code, n.Name)
			}
		}
		tr, err := i18n.ReadFile(assets.FS, Area+"."+l.Code+".json")
		if err != nil {
			t.Fatal(err)
		}
		for id := range en {
			line := "LangString " + StringName(id) + " ${" + n.Define + "} \"" + Escape(tr[id].Forms["other"]) + "\"\n"
			if c := strings.Count(text, line); c != 1 {
				t.Errorf("%s %s: %d lines %q", l.Code, id, c, line)
			}
		}
	}
	nsi, err := os.ReadFile("../installer.nsi")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`\$\((RD_[A-Za-z0-9_]+)\)`).FindAllStringSubmatch(string(nsi), -1)
	if len(used) == 0 {
		t.Error("installer.nsi uses none of the strings")
	}
	for _, u := range used {
		if c := strings.Count(text, "LangString "+u[1]+" "); c != len(i18n.Supported()) {
			t.Errorf("installer.nsi uses $(%s): defined for %d languages, want %d", u[1], c, len(i18n.Supported()))
		}
	}
}

// TestGenerateRejects: a message missing from a translation, and a
// template the installer cannot fill, are errors.
func TestGenerateRejects(t *testing.T) {
	files := fstest.MapFS{}
	for _, l := range i18n.Supported() {
		files["lang/installer."+l.Code+".json"] = &fstest.MapFile{Data: []byte(`{"installer.a": "A ` + l.Code + `", "installer.b": "B"}`)}
	}
	if _, err := Generate(files); err != nil {
		t.Fatalf("a complete set: %v", err)
	}
	files["lang/installer.de.json"] = &fstest.MapFile{Data: []byte(`{"installer.a": "A"}`)}
	if _, err := Generate(files); err == nil || !strings.Contains(err.Error(), `installer.de.json: "installer.b" is missing`) {
		t.Errorf("missing message: %v", err)
	}
	files["lang/installer.en.json"] = &fstest.MapFile{Data: []byte(`{"installer.a": "A {{.Name}}"}`)}
	if _, err := Generate(files); err == nil || !strings.Contains(err.Error(), "plain text") {
		t.Errorf("placeholder: %v", err)
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`Restore Doctor`:        `Restore Doctor`,
		`costs $5`:              `costs $$5`,
		`say "hi"`:              `say $\"hi$\"`,
		"two\nlines":            `two$\r$\nlines`,
		"tab\there":             `tab$\there`,
		`$(RD_x) stays literal`: `$$(RD_x) stays literal`,
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMakensisBuilds builds the real installer.nsi with the generated
// languages (placeholder program files): makensis must succeed without a
// warning about a language string.
func TestMakensisBuilds(t *testing.T) {
	mk, err := exec.LookPath("makensis")
	if err != nil {
		t.Skip("makensis not installed (scripts/install-deps.sh --windows)")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	data, err := Generate(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "lang.nsh"), data, 0o644))
	must(os.MkdirAll(filepath.Join(dir, "dist"), 0o755))
	for _, f := range []string{"Restore Doctor.exe", "restoredoctor.exe"} {
		must(os.WriteFile(filepath.Join(dir, "dist", f), []byte("placeholder"), 0o644))
	}
	ico, err := os.ReadFile("testdata/icon.ico")
	must(err)
	must(os.WriteFile(filepath.Join(dir, "icon.ico"), ico, 0o644))
	out := filepath.Join(dir, "RestoreDoctor-setup.exe")
	cmd := exec.Command(mk, "-V3", "-DVERSION=0.0.1", "-DDIST="+filepath.Join(dir, "dist"), "-DICON="+filepath.Join(dir, "icon.ico"),
		"-DLANGNSH="+filepath.Join(dir, "lang.nsh"), "-DOUTFILE="+out, "../installer.nsi")
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("makensis: %v\n%s", err, log)
	}
	if regexp.MustCompile(`(?i)LangString.*not set|language string.*not`).Match(log) {
		t.Errorf("makensis warns about language strings:\n%s", log)
	}
	if st, err := os.Stat(out); err != nil || st.Size() < 10_000 {
		t.Errorf("installer: %v", err)
	}
}
