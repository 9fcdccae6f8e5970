package cliflags

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" = no error
		help    bool
		want    time.Duration
		verbose bool
	}{
		{"defaults", nil, "", false, 3 * time.Second, false},
		{"long", []string{"--wait", "1m30s", "--verbose"}, "", false, 90 * time.Second, true},
		{"single dash and =", []string{"-wait=250ms", "-v"}, "", false, 250 * time.Millisecond, true},
		{"zero", []string{"--wait", "0"}, "", false, 0, false},
		{"spaces", []string{"--wait", " 2s "}, "", false, 2 * time.Second, false},
		{"help", []string{"--help"}, "", true, 0, false},
		{"short help", []string{"-h"}, "", true, 0, false},
		{"unknown flag", []string{"--bogus"}, "not defined: -bogus", false, 0, false},
		{"not a duration", []string{"--wait", "10"}, "not a duration", false, 0, false},
		{"negative", []string{"--wait", "-1s"}, "must not be negative", false, 0, false},
		{"stray argument", []string{"now"}, `unexpected argument "now"`, false, 0, false},
		{"argument after flags", []string{"-v", "x", "y"}, `unexpected argument "x"`, false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := NewFlagSet("test")
			var wait time.Duration
			var verbose bool
			DurationVar(fs, &wait, "wait", 3*time.Second)
			VerboseVar(fs, &verbose)
			err := Parse(fs, tc.args)
			switch {
			case tc.help:
				if !errors.Is(err, ErrHelp) {
					t.Fatalf("err = %v, want ErrHelp", err)
				}
			case tc.wantErr != "":
				if err == nil || errors.Is(err, ErrHelp) || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want one line with %q", err, tc.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if wait != tc.want || verbose != tc.verbose {
					t.Errorf("wait %v verbose %v, want %v %v", wait, verbose, tc.want, tc.verbose)
				}
			}
		})
	}
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	Logger(&buf, false).Error("quiet")
	if buf.Len() != 0 {
		t.Errorf("quiet logger wrote %q", buf.String())
	}
	Logger(&buf, true).Debug("loud", "k", 1)
	if !strings.Contains(buf.String(), "msg=loud k=1") {
		t.Errorf("verbose logger wrote %q", buf.String())
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var nilFile *os.File
	for _, s := range []any{&bytes.Buffer{}, f, nilFile, nil, strings.NewReader("")} {
		if IsTerminal(s) {
			t.Errorf("IsTerminal(%T) = true", s)
		}
	}
}

func TestSignalContext(t *testing.T) {
	ctx, stop := SignalContext()
	if ctx.Err() != nil {
		t.Fatal("ended before any signal")
	}
	stop()
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("after stop: %v", ctx.Err())
	}
}
