// Package hotpath holds Go benchmarks for hot paths that have none in their
// own package: usbmux/lockdown frame decoding through the exported frame
// reader, link-event counting over a long flapping session, and a whole
// diagnostics engine run against the in-process simulator (1 and 8 phones).
// `make bench` runs them with every other benchmark; scripts/bench.sh puts
// them in the README table.
//
// It lives under diagnostics/ because that is the top layer it needs (the
// engine, over device/). It has no non-test code and is imported by nothing.
package hotpath
