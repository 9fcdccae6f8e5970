package usb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

// iBoot (recovery mode) takes a text command as a vendor control-OUT request
// to the device: bmRequestType 0x40 (host-to-device, vendor, device),
// bRequest 0, wValue 0, wIndex 0, and the command's bytes followed by one NUL
// as the data stage. This is the layout libirecovery documents and uses for
// irecv_send_command; iBoot reads at most 255 characters of a command.
const (
	IBootRequestType uint8 = 0x40
	IBootRequest     uint8 = 0
	MaxIBootCommand        = 255
)

// IBootCommandTimeout is how long one iBoot command may take: libirecovery
// gives every control transfer USB_TIMEOUT, 10000 ms (src/libirecovery.c:
// "#define USB_TIMEOUT 10000", passed by irecv_send_command_raw to
// irecv_usb_control_transfer). "saveenv" writes NVRAM and may take seconds.
const IBootCommandTimeout = 10 * time.Second

// ExitRecoveryCommands are the iBoot commands that leave recovery mode, in
// order: make iBoot boot iOS by itself, persist that in NVRAM, reboot. They
// are what `irecovery -n` sends.
var ExitRecoveryCommands = []string{"setenv auto-boot true", "saveenv", "reboot"}

// Sentinel errors of the iBoot commands, for errors.Is.
var (
	// ErrWrongMode: the device is not in the mode an action needs (DFU and
	// normal mode have no iBoot to take commands).
	ErrWrongMode = errors.New("usb: device is not in recovery mode")
	// ErrStalled: the device refused a request (a STALL handshake).
	ErrStalled = errors.New("usb: request stalled")
	// ErrTimeout: a request was not answered before its deadline.
	ErrTimeout = errors.New("usb: request timed out")
	// ErrBadCommand: a command is empty, too long or contains a NUL.
	ErrBadCommand = errors.New("usb: invalid iBoot command")
)

// WrongModeError reports that an action was refused because of the mode the
// device is in. It matches ErrWrongMode.
type WrongModeError struct {
	Location string
	Mode     mode.Mode
}

func (e *WrongModeError) Error() string {
	return fmt.Sprintf("usb: %s is in %s mode, not recovery mode: iBoot commands cannot be sent", e.Location, e.Mode)
}

// Is makes errors.Is(err, ErrWrongMode) true.
func (e *WrongModeError) Is(target error) bool { return target == ErrWrongMode }

// CommandError reports an iBoot command that did not go through: which one,
// to which device, and why. It matches ErrStalled, ErrTimeout or
// ErrDisconnected according to the cause, and unwraps to the libusb error.
type CommandError struct {
	Location string
	Command  string
	Err      error
}

func (e *CommandError) Error() string {
	return fmt.Sprintf("usb: iBoot command %q to %s: %v", e.Command, e.Location, e.Err)
}

// Unwrap returns the underlying error.
func (e *CommandError) Unwrap() error { return e.Err }

// Is matches the sentinel that describes the cause.
func (e *CommandError) Is(target error) bool {
	switch target {
	case ErrStalled:
		return isStall(e.Err)
	case ErrTimeout:
		return isTimeout(e.Err) || errors.Is(e.Err, context.DeadlineExceeded)
	case ErrDisconnected:
		return isNoDevice(e.Err)
	}
	return false
}

func isStall(err error) bool { return libusbKind(err) == kindStall }

func isNoDevice(err error) bool { return libusbKind(err) == kindNoDevice }

// IBootCommandData is the data stage of an iBoot command: its bytes and the
// terminating NUL. It refuses empty commands, commands longer than
// MaxIBootCommand and commands with a NUL inside (iBoot would cut them).
func IBootCommandData(cmd string) ([]byte, error) {
	switch {
	case cmd == "":
		return nil, fmt.Errorf("%w: empty", ErrBadCommand)
	case len(cmd) > MaxIBootCommand:
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrBadCommand, len(cmd), MaxIBootCommand)
	}
	for i := range len(cmd) {
		if cmd[i] == 0 {
			return nil, fmt.Errorf("%w: NUL at byte %d", ErrBadCommand, i)
		}
	}
	return append([]byte(cmd), 0), nil
}

// SendIBootCommand sends one iBoot command to an opened recovery-mode device,
// bounded by ctx's deadline. A failed transfer comes back as a *CommandError.
func SendIBootCommand(ctx context.Context, cd ControlDevice, dev Device, cmd string) error {
	data, err := IBootCommandData(cmd)
	if err != nil {
		return err
	}
	n, err := cd.Control(ctx, IBootRequestType, IBootRequest, 0, 0, data)
	if err != nil {
		return &CommandError{Location: dev.Location(), Command: cmd, Err: err}
	}
	if n != len(data) {
		return &CommandError{Location: dev.Location(), Command: cmd,
			Err: fmt.Errorf("short transfer: %d of %d bytes accepted", n, len(data))}
	}
	return nil
}

// ExitRecoveryOptions tune ExitRecovery. The zero value is usable.
type ExitRecoveryOptions struct {
	// Timeout bounds each command's transfer (default IBootCommandTimeout,
	// 10 s as libirecovery). It is handed to libusb as the transfer's
	// timeout, whatever the Opener's own default (WithTransferTimeout).
	Timeout time.Duration
	// Sent, when set, is called after each command went through (for progress).
	Sent func(cmd string)
}

// ExitRecovery asks a phone in recovery mode to boot iOS: it opens dev through
// op and sends ExitRecoveryCommands, each with its own deadline. It refuses
// every mode but recovery with a *WrongModeError before opening anything: DFU
// cannot be left over USB. The phone resetting while it takes "reboot" (the
// transfer ends with "no device" or an I/O error) is the expected success; a
// stall or timeout on any command is an error (*CommandError) and stops the
// sequence. Whether iOS then starts is for the caller to watch on the bus.
func ExitRecovery(ctx context.Context, op Opener, dev Device, opts ExitRecoveryOptions) error {
	if dev.Mode != mode.Recovery {
		return &WrongModeError{Location: dev.Location(), Mode: dev.Mode}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = IBootCommandTimeout
	}
	cd, err := op.Open(ctx, dev)
	if err != nil {
		return err
	}
	defer cd.Close()
	last := len(ExitRecoveryCommands) - 1
	for i, cmd := range ExitRecoveryCommands {
		tctx, cancel := context.WithTimeout(WithTransferTimeout(ctx, opts.Timeout), opts.Timeout)
		err := SendIBootCommand(tctx, cd, dev, cmd)
		cancel()
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("usb: exit recovery on %s: %w", dev.Location(), ctx.Err())
		}
		if err != nil && i == last && rebootGone(err) {
			err = nil // the phone reset before it acknowledged "reboot": what we asked for
		}
		if err != nil {
			return err
		}
		if opts.Sent != nil {
			opts.Sent(cmd)
		}
	}
	return nil
}

// rebootGone reports whether a failed "reboot" transfer means the device went
// away to reboot (no device, I/O error mid-transfer) rather than refused it.
func rebootGone(err error) bool {
	k := libusbKind(err)
	return k == kindNoDevice || k == kindIO
}
