package main

import (
	"errors"
	"regexp"

	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// usageText is the help of a command ("main", "check", "devices", "watch",
// "record", "actions", "gui") in the current language: the message cli.usage.<name>,
// its template filled from args. Flag names and examples in it stay as
// typed.
func usageText(name string, args ...i18n.Args) string {
	return i18n.T("cli.usage."+name, args...)
}

// usageError is the one line a command prints for bad usage: the reason
// and where to read the usage.
func usageError(command string, err error) string {
	return i18n.T("cli.usage_error", i18n.Args{"Reason": flagError(err), "Command": command})
}

// The errors package flag and internal/cliflags word in English, matched
// to be said in the current language.
var (
	flagUndefinedRE  = regexp.MustCompile(`^flag provided but not defined: (\S+)$`)
	flagNeedsValueRE = regexp.MustCompile(`^flag needs an argument: (\S+)$`)
	flagInvalidRE    = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?(-\S+): (.*)$`)
	flagUnexpectedRE = regexp.MustCompile(`^unexpected argument "(.*)"$`)
)

// flagReasons are the reasons of invalid values that flag and cliflags
// give, by their English text.
var flagReasons = map[string]string{
	"not a duration (e.g. 10s, 1m30s, 0)": "cli.flag.not_duration",
	"must not be negative":                "cli.flag.negative",
	"parse error":                         "cli.flag.parse_error",
	"value out of range":                  "cli.flag.out_of_range",
}

// flagError is err, a flag parsing error, in the current language; an
// error it does not know (a check's own validation) is passed as it is.
func flagError(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if m := flagUndefinedRE.FindStringSubmatch(s); m != nil {
		return i18n.T("cli.flag.undefined", i18n.Args{"Flag": m[1]})
	}
	if m := flagNeedsValueRE.FindStringSubmatch(s); m != nil {
		return i18n.T("cli.flag.needs_value", i18n.Args{"Flag": m[1]})
	}
	if m := flagInvalidRE.FindStringSubmatch(s); m != nil {
		reason := m[3]
		if id, ok := flagReasons[reason]; ok {
			reason = i18n.T(id)
		}
		return i18n.T("cli.flag.invalid", i18n.Args{"Value": m[1], "Flag": m[2], "Reason": reason})
	}
	if m := flagUnexpectedRE.FindStringSubmatch(s); m != nil {
		return i18n.T("cli.flag.unexpected", i18n.Args{"Arg": m[1]})
	}
	var unknown *i18n.UnknownLanguageError
	if errors.As(err, &unknown) {
		return langError(err)
	}
	return s
}
