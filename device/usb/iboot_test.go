//go:build cgo

package usb

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/gousb"

	"github.com/restoredoctor/restoredoctor/device/mode"
)

func TestIBootCommandData(t *testing.T) {
	tests := []struct {
		cmd     string
		want    string
		wantErr error
	}{
		{cmd: "saveenv", want: "saveenv\x00"},
		{cmd: strings.Repeat("a", MaxIBootCommand), want: strings.Repeat("a", MaxIBootCommand) + "\x00"},
		{cmd: "", wantErr: ErrBadCommand},
		{cmd: strings.Repeat("a", MaxIBootCommand+1), wantErr: ErrBadCommand},
		{cmd: "setenv a\x00b", wantErr: ErrBadCommand},
	}
	for _, tt := range tests {
		got, err := IBootCommandData(tt.cmd)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("IBootCommandData(%q) error = %v, want %v", tt.cmd, err, tt.wantErr)
		}
		if string(got) != tt.want {
			t.Errorf("IBootCommandData(%q) = %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

// scriptedOut answers iBoot commands from a list of results, one per call.
type scriptedOut struct {
	results []error
	n       []int // accepted byte counts; -1 = all
	got     []string
}

func (s *scriptedOut) Control(ctx context.Context, rType, request uint8, value, index uint16, data []byte) (int, error) {
	if rType != IBootRequestType || request != IBootRequest || value != 0 || index != 0 {
		return 0, errors.New("not an iBoot command")
	}
	i := len(s.got)
	s.got = append(s.got, strings.TrimSuffix(string(data), "\x00"))
	if i < len(s.results) && s.results[i] != nil {
		return 0, s.results[i]
	}
	if i < len(s.n) && s.n[i] >= 0 {
		return s.n[i], nil
	}
	return len(data), nil
}

func (s *scriptedOut) Close() error { return nil }

type scriptedOpener struct{ d *scriptedOut }

func (o scriptedOpener) Open(context.Context, Device) (ControlDevice, error) { return o.d, nil }

func TestExitRecoveryOutcomes(t *testing.T) {
	rec := Device{Bus: 1, PortPath: []int{2}, Mode: mode.Recovery}
	tests := []struct {
		name     string
		dev      Device
		results  []error
		n        []int
		wantSent int
		wantErr  error
	}{
		{name: "all acknowledged", dev: rec, wantSent: 3},
		{name: "reboot: no device", dev: rec, results: []error{nil, nil, gousb.ErrorNoDevice}, wantSent: 3},
		{name: "reboot: I/O error", dev: rec, results: []error{nil, nil, gousb.ErrorIO}, wantSent: 3},
		{name: "reboot stalls", dev: rec, results: []error{nil, nil, gousb.ErrorPipe}, wantSent: 3, wantErr: ErrStalled},
		{name: "setenv stalls", dev: rec, results: []error{gousb.ErrorPipe}, wantSent: 1, wantErr: ErrStalled},
		{name: "saveenv times out", dev: rec, results: []error{nil, gousb.ErrorTimeout}, wantSent: 2, wantErr: ErrTimeout},
		{name: "setenv: device gone", dev: rec, results: []error{gousb.ErrorNoDevice}, wantSent: 1, wantErr: ErrDisconnected},
		{name: "short transfer", dev: rec, n: []int{3}, wantSent: 1, wantErr: nil},
		{name: "DFU refused", dev: Device{Bus: 1, PortPath: []int{2}, Mode: mode.DFU}, wantErr: ErrWrongMode},
		{name: "normal refused", dev: Device{Bus: 1, PortPath: []int{2}, Mode: mode.Normal}, wantErr: ErrWrongMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &scriptedOut{results: tt.results, n: tt.n}
			err := ExitRecovery(context.Background(), scriptedOpener{d}, tt.dev, ExitRecoveryOptions{})
			if tt.name == "short transfer" {
				var ce *CommandError
				if !errors.As(err, &ce) || ce.Command != ExitRecoveryCommands[0] {
					t.Fatalf("err = %v, want a *CommandError for %q", err, ExitRecoveryCommands[0])
				}
			} else if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if len(d.got) != tt.wantSent {
				t.Errorf("sent %q, want %d commands", d.got, tt.wantSent)
			}
			for i, c := range d.got {
				if c != ExitRecoveryCommands[i] {
					t.Errorf("command %d = %q, want %q", i, c, ExitRecoveryCommands[i])
				}
			}
		})
	}
}

func TestExitRecoveryCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := &scriptedOut{results: []error{context.Canceled}}
	err := ExitRecovery(ctx, scriptedOpener{d}, Device{Mode: mode.Recovery}, ExitRecoveryOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// FuzzIBootCommandData: any string either is refused with ErrBadCommand or
// becomes exactly its bytes and one terminating NUL, within iBoot's limit.
func FuzzIBootCommandData(f *testing.F) {
	for _, s := range append([]string{"", "\x00", strings.Repeat("x", 300)}, ExitRecoveryCommands...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		data, err := IBootCommandData(cmd)
		if err != nil {
			if !errors.Is(err, ErrBadCommand) {
				t.Fatalf("error %v is not ErrBadCommand", err)
			}
			return
		}
		if len(data) != len(cmd)+1 || len(data) > MaxIBootCommand+1 || string(data[:len(cmd)]) != cmd || data[len(cmd)] != 0 ||
			strings.IndexByte(cmd, 0) >= 0 {
			t.Fatalf("IBootCommandData(%q) = %q", cmd, data)
		}
	})
}
