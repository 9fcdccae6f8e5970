# Restore Doctor. Newcomers need two targets: `make run` and `make test`.
GO        ?= go
BIN       := bin
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
export LANG ?= en_US.UTF-8
# Fyne's no_emoji leaves out its 4 MB colour-emoji font, which it would parse
# once per text style for every label (the window shows no emoji): the GUI's
# live Go heap goes from about 19 to 10 MB and its RSS down by about 20 MB.
export GOFLAGS ?= -tags=no_emoji

.PHONY: deps runtime-deps build run test test-windows windows vet vet-cross staticcheck bench fuzz demo package generate clean

deps:
	@./scripts/install-deps.sh

runtime-deps:
	@./scripts/install-deps.sh --runtime

## build: bin/restoredoctor (the command line, no window toolkit linked: it starts in a few ms),
## bin/restoredoctor-gui (the window; bin/restoredoctor hands the window over to it), the simulator
build:
	$(GO) build -tags nowindow -o $(BIN)/restoredoctor ./cmd/restoredoctor
	$(GO) build -o $(BIN)/restoredoctor-gui ./cmd/restoredoctor
	$(GO) build -o $(BIN)/restoredoctor-sim ./cmd/restoredoctor-sim

## run: build and start the Restore Doctor window
run: runtime-deps build
	./$(BIN)/restoredoctor

vet:
	$(GO) vet ./...
	$(GO) vet -tags nowindow ./cmd/restoredoctor

## vet-cross: go vet for windows and darwin without cgo (every package but the cgo-only GUI ones)
vet-cross:
	./scripts/vet-cross.sh

staticcheck:
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(STATICCHECK) -tags nowindow ./cmd/restoredoctor

## test: everything CI runs: vet, staticcheck, unit + integration tests (umockdev, simulator, Xvfb) with -race
test: deps build vet vet-cross staticcheck
	$(GO) test -race -timeout 15m ./...

## bench: Go benchmarks and the whole-process benchmark against the simulator
bench: deps build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./scripts/bench.sh

## generate: rewrite the generated Go files (model table, step catalogue, report encoder) after editing
## assets/models/models.json, assets/steps/catalog.json or a report struct; tests fail while one is stale
generate:
	$(GO) generate ./device/model ./diagnostics/catalog ./diagnostics/report

## fuzz: run every fuzz target for 30 s
fuzz:
	./scripts/fuzz.sh 30s

## demo: open the window against the simulated "flapping" phone
demo: runtime-deps build
	./$(BIN)/restoredoctor --demo flapping

package: runtime-deps
	./scripts/package.sh

## windows: cross-build dist/windows/ (Restore Doctor.exe, restoredoctor.exe, the NSIS installer) from Linux
windows:
	./scripts/windows/package.sh

## test-windows: make windows, then test it under Wine + Xvfb (CLI, report, window, installer, go test -exec)
test-windows:
	./scripts/windows/test.sh

clean:
	rm -rf $(BIN)
