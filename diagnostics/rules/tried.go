package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// Tried is what the user says they already tried before this check.
type Tried struct {
	Cable    bool // another cable
	Port     bool // another USB port on the computer
	Computer bool // another computer
	Restart  bool // restarted both the iPhone and the computer
}

// TriedWords are the words ParseTried accepts, in String's order.
var TriedWords = []string{"cable", "port", "computer", "restart"}

// ErrUnknownTried is wrapped by ParseTried's error for a word it does not know.
var ErrUnknownTried = errors.New("unknown item")

// ParseTried parses a comma-separated list such as "cable,port,computer,restart"
// (the CLI's --tried). Case and spaces around words are ignored, repeats are
// harmless, the empty string means nothing tried. Any other word is an error
// naming it and the accepted words.
func ParseTried(s string) (Tried, error) {
	var t Tried
	if strings.TrimSpace(s) == "" {
		return t, nil
	}
	for _, w := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(w)) {
		case "cable":
			t.Cable = true
		case "port":
			t.Port = true
		case "computer":
			t.Computer = true
		case "restart":
			t.Restart = true
		case "":
			return Tried{}, fmt.Errorf("rules: parse tried %q: empty item (want a comma-separated list of %s)", s, strings.Join(TriedWords, ", "))
		default:
			return Tried{}, fmt.Errorf("rules: parse tried %q: %w %q (want a comma-separated list of %s)", s, ErrUnknownTried, strings.TrimSpace(w), strings.Join(TriedWords, ", "))
		}
	}
	return t, nil
}

// String returns the canonical list ParseTried reads back ("" when nothing).
func (t Tried) String() string {
	var w []string
	for i, on := range []bool{t.Cable, t.Port, t.Computer, t.Restart} {
		if on {
			w = append(w, TriedWords[i])
		}
	}
	return strings.Join(w, ",")
}

// Words are the answers as TriedWords, in order; an empty, non-nil list
// when nothing was tried (a report's Tried: "checked with nothing tried").
func (t Tried) Words() []string {
	w := []string{}
	for i, on := range []bool{t.Cable, t.Port, t.Computer, t.Restart} {
		if on {
			w = append(w, TriedWords[i])
		}
	}
	return w
}

// TriedFromWords reads Words back; unknown words are ignored.
func TriedFromWords(words []string) Tried {
	var t Tried
	for _, w := range words {
		one, err := ParseTried(w)
		if err == nil {
			t.Cable, t.Port, t.Computer, t.Restart = t.Cable || one.Cable, t.Port || one.Port, t.Computer || one.Computer, t.Restart || one.Restart
		}
	}
	return t
}

// and is what both t and u say was tried.
func (t Tried) and(u Tried) Tried {
	return Tried{Cable: t.Cable && u.Cable, Port: t.Port && u.Port, Computer: t.Computer && u.Computer, Restart: t.Restart && u.Restart}
}

// Any reports whether the user tried anything.
func (t Tried) Any() bool { return t.Cable || t.Port || t.Computer || t.Restart }

// phrase is what the user tried, for "you already tried …": "another cable
// and another USB port", in the current language.
func (t Tried) phrase() string {
	var p []string
	if t.Cable {
		p = append(p, i18n.T("findings.tried.cable"))
	}
	if t.Port {
		p = append(p, i18n.T("findings.tried.port"))
	}
	if t.Computer {
		p = append(p, i18n.T("findings.tried.computer"))
	}
	if t.Restart {
		p = append(p, i18n.T("findings.tried.restart"))
	}
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	}
	return i18n.T("findings.list.and", i18n.Args{"Items": strings.Join(p[:len(p)-1], i18n.T("findings.list.separator")), "Last": p[len(p)-1]})
}

// triedStep says whether the user already did step n, and the reason line to
// add to it. A step that was only partly tried (step 1 with only another
// cable) is not demoted, but its reason says what is left.
func (t Tried) triedStep(n int) (done bool, note string) {
	switch n {
	case 1:
		switch {
		case t.Cable && t.Port:
			return true, i18n.T("findings.tried.step1_both")
		case t.Cable:
			return false, i18n.T("findings.tried.step1_cable")
		case t.Port:
			return false, i18n.T("findings.tried.step1_port")
		}
	case 4:
		if t.Restart {
			return true, i18n.T("findings.tried.step4")
		}
	case 6:
		if t.Computer {
			return true, i18n.T("findings.tried.step6")
		}
	}
	return false, ""
}
