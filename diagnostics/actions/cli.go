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
	"strings"
	"time"

	"github.com/restoredoctor/restoredoctor/device"
	"github.com/restoredoctor/restoredoctor/device/mode"
	"github.com/restoredoctor/restoredoctor/device/model"
	"github.com/restoredoctor/restoredoctor/device/usb"
	"github.com/restoredoctor/restoredoctor/device/usbmux"
	"github.com/restoredoctor/restoredoctor/diagnostics/catalog"
	"github.com/restoredoctor/restoredoctor/internal/cliflags"
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
		return "", nil, fmt.Errorf("recovery %q: want \"recovery exit\" or \"recovery enter\"", args[1])
	}
	return "", nil, errors.New("recovery: want \"recovery exit\" or \"recovery enter\"")
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
			return device.Device{}, errors.New("no iPhone found on USB or through usbmuxd")
		case 1:
			return devs[0], nil
		}
		var keys []string
		for _, d := range devs {
			keys = append(keys, describe(d))
		}
		return device.Device{}, fmt.Errorf("%d iPhones are connected (%s): choose one with --device", len(devs), strings.Join(keys, ", "))
	}
	for _, d := range devs {
		if d.Key == want || d.Key == device.KeyForUDID(want) || (d.UDID != "" && usb.NormalizeSerial(d.UDID) == usb.NormalizeSerial(want)) ||
			(d.USB != nil && d.USB.Location() == want) {
			return d, nil
		}
	}
	return device.Device{}, fmt.Errorf("--device %q: no such iPhone connected", want)
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
	name := "the iPhone"
	if info.Known {
		name = info.Name
	}
	return name, info.Family
}

// Confirm asks on the terminal. Entering recovery mode shows step 5's
// data-loss warning first and wants "I have a backup".
func Confirm(stdin io.Reader, stderr io.Writer, k Kind, name string, m mode.Mode) bool {
	in := bufio.NewReader(stdin)
	if k == EnterRecovery {
		if w := catalog.MustDefault().Step(5).Warning; w != "" {
			fmt.Fprintf(stderr, "Warning: %s\n", w)
		}
		fmt.Fprintf(stderr, "%s on %s (%s mode). Type \"I have a backup\" to go ahead: ", k.Title(), name, m)
		line, _ := in.ReadString('\n')
		return strings.EqualFold(strings.TrimSpace(line), "I have a backup")
	}
	fmt.Fprintf(stderr, "%s on %s (%s mode)? [y/N] ", k.Title(), name, m)
	line, _ := in.ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

// WriteResult writes what an action did, for people: the summary, the mode
// before and after, and the buttons to press when the phone needs a hand.
func WriteResult(w io.Writer, res Result) {
	fmt.Fprintf(w, "%s: %s\n", res.Kind.Title(), res.Summary)
	if res.After != "" {
		fmt.Fprintf(w, "Before: %s mode. After: %s mode.\n", res.Before, res.After)
	}
	if len(res.Buttons) > 0 {
		fmt.Fprintln(w, res.Hint)
		for i, b := range res.Buttons {
			fmt.Fprintf(w, "  %d. %s\n", i+1, b)
		}
	}
}
