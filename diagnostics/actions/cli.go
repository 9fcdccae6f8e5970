package actions

// What the `restoredoctor recovery|restart` commands and the window share
// around an action: naming and choosing the phone, its button family, the
// confirmation on a terminal, and the result in words.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
	"github.com/restoredoctor/restoredoctor/internal/i18n"
)

// ParseCommandLine reads the action from the words that start an action
// command's arguments ("restart …", "recovery exit …", "recovery enter …")
// and returns the arguments after them (the flags). "recovery -h" asks for
// help (cliflags.ErrHelp); anything else is a one-line usage error.
func ParseCommandLine(args []string) (Kind, []string, error) {
	switch {
	case len(args) >= 1 && args[0] == "restart":
		return Restart, args[1:], nil
	case len(args) >= 2 && args[0] == "recovery" && args[1] == "exit":
		return ExitRecovery, args[2:], nil
	case len(args) >= 2 && args[0] == "recovery" && args[1] == "enter":
		return EnterRecovery, args[2:], nil
	case len(args) >= 2 && args[0] == "recovery" && (args[1] == "-h" || args[1] == "--help" || args[1] == "-help"):
		return "", nil, cliflags.ErrHelp
	case len(args) >= 2 && args[0] == "recovery":
		return "", nil, errors.New(i18n.T("actions.cli.bad_recovery", i18n.Args{"Arg": strconv.Quote(args[1])}))
	}
	return "", nil, errors.New(i18n.T("actions.cli.want_recovery"))
}

// CommandName is the command line of an action: "recovery exit", "restart".
func CommandName(k Kind) string {
	switch k {
	case ExitRecovery:
		return "recovery exit"
	case EnterRecovery:
		return "recovery enter"
	}
	return string(k)
}

// Pick chooses the phone: the only one, or the one --device names
// (UDID in any spelling, report key, or USB location "1-2").
func Pick(devs []device.Device, want string) (device.Device, error) {
	if want == "" {
		switch len(devs) {
		case 0:
			return device.Device{}, errors.New(i18n.T("actions.cli.no_iphone"))
		case 1:
			return devs[0], nil
		}
		var keys []string
		for _, d := range devs {
			keys = append(keys, describe(d))
		}
		return device.Device{}, errors.New(i18n.N("actions.cli.several", len(devs), i18n.Args{"List": strings.Join(keys, ", ")}))
	}
	for _, d := range devs {
		if d.Key == want || d.Key == device.KeyForUDID(want) || (d.UDID != "" && usb.NormalizeSerial(d.UDID) == usb.NormalizeSerial(want)) ||
			(d.USB != nil && d.USB.Location() == want) {
			return d, nil
		}
	}
	return device.Device{}, errors.New(i18n.T("actions.cli.no_such_device", i18n.Args{"Device": strconv.Quote(want)}))
}

// describe names a phone in a message: its UDID, else its USB location.
func describe(d device.Device) string {
	if d.UDID != "" {
		return d.UDID
	}
	if d.USB != nil {
		return "USB " + d.USB.Location()
	}
	return d.Key
}

// Identify names the phone and finds its button family: from lockdownd in
// normal mode (which also tells restore mode apart), from the iBoot string
// in recovery and DFU mode.
func Identify(ctx context.Context, c *usbmux.Client, d *device.Device) (string, model.Family) {
	info := model.Info{Family: model.Unknown}
	switch {
	case d.USB != nil && d.USB.Recovery != nil:
		info = model.ByChipHex(d.USB.Recovery.CPID, d.USB.Recovery.BDID)
	case d.Usbmux != nil:
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		li, err := c.QueryLockdown(qctx, *d.Usbmux)
		cancel()
		if li.Mode == mode.Restore {
			d.Mode = mode.Restore
		}
		if err == nil && li.ProductType != "" {
			info = model.ByProductType(li.ProductType)
		}
	}
	name := i18n.T("actions.cli.the_iphone")
	if info.Known {
		name = info.Name
	}
	return name, info.Family
}

// Confirm asks on the terminal. Entering recovery mode shows step 5's
// data-loss warning first and wants "I have a backup".
func Confirm(stdin io.Reader, stderr io.Writer, k Kind, name string, m mode.Mode) bool {
	in := bufio.NewReader(stdin)
	args := i18n.Args{"Action": k.Title(), "Phone": name, "Mode": ModeName(m)}
	if k == EnterRecovery {
		if w := catalog.MustDefault().Step(5).Warning; w != "" {
			fmt.Fprintln(stderr, i18n.T("actions.cli.warning", i18n.Args{"Warning": w}))
		}
		phrase := i18n.T("actions.cli.backup_phrase")
		args["Phrase"] = phrase
		fmt.Fprint(stderr, i18n.T("actions.cli.confirm_enter", args)+" ")
		line, _ := in.ReadString('\n')
		// Typed apostrophes are straight ones; the English phrase is always
		// accepted too: it is the one the docs show.
		typed := strings.ReplaceAll(strings.TrimSpace(line), "’", "'")
		return strings.EqualFold(typed, strings.ReplaceAll(phrase, "’", "'")) || strings.EqualFold(typed, "I have a backup")
	}
	fmt.Fprint(stderr, i18n.T("actions.cli.confirm", args)+" ")
	line, _ := in.ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	if a == "" {
		return false
	}
	return a == "y" || a == "yes" || slices.Contains(strings.Fields(strings.ToLower(i18n.T("actions.cli.yes_words"))), a)
}

// WriteResult writes what an action did, for people: the summary, the mode
// before and after, and the buttons to press when the phone needs a hand.
func WriteResult(w io.Writer, res Result) {
	fmt.Fprintf(w, "%s: %s\n", res.Kind.Title(), res.Summary)
	if res.After != "" {
		fmt.Fprintln(w, i18n.T("actions.cli.before_after", i18n.Args{"Before": ModeName(res.Before), "After": ModeName(res.After)}))
	}
	if len(res.Buttons) > 0 {
		fmt.Fprintln(w, res.Hint)
		for i, b := range res.Buttons {
			fmt.Fprintf(w, "  %d. %s\n", i+1, b)
		}
	}
}
