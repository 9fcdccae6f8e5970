package sim

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestStartDemo(t *testing.T) {
	sc, err := Builtin("healthy")
	if err != nil {
		t.Fatal(err)
	}
	srv, stop, err := StartDemo(context.Background(), sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Addr() == "" {
		t.Error("no address")
	}
	if runtime.GOOS == "windows" {
		stop()
		return
	}
	dir := filepath.Dir(strings.TrimPrefix(strings.TrimPrefix(srv.Addr(), "unix://"), "unix:"))
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("demo folder: %v", err)
	}
	stop()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("demo folder %s left behind: %v", dir, err)
	}
}
