package plistlimit_test

import (
	"errors"
	"runtime"
	"testing"

	"howett.net/plist"

	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit"
	"github.com/restoredoctor/restoredoctor/device/usbmux/plistlimit/plisttest"
)

var lockdownFields = map[string]string{"Key": "ProductVersion", "Request": "GetValue"}

func marshal(t testing.TB, v any, format int) []byte {
	t.Helper()
	b, err := plist.Marshal(v, format)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckAccepts(t *testing.T) {
	devices := map[string]any{"DeviceList": []any{}, "Number": 0}
	var list []any
	for i := range 32 {
		list = append(list, map[string]any{"DeviceID": i, "MessageType": "Attached",
			"Properties": map[string]any{"SerialNumber": "00008110-001A2B3C4D5E6F70", "ConnectionType": "USB", "ProductID": 0x12a8}})
	}
	big := map[string]any{"DeviceList": list}
	for _, tc := range []struct {
		name   string
		in     []byte
		key    string
		kind   plistlimit.Kind
		intVal int64
	}{
		{"xml result", marshal(t, map[string]any{"MessageType": "Result", "Number": 3}, plist.XMLFormat), "Number", plistlimit.KindInteger, 3},
		{"binary result", marshal(t, map[string]any{"MessageType": "Result", "Number": 2}, plist.BinaryFormat), "Number", plistlimit.KindInteger, 2},
		{"xml empty list", marshal(t, devices, plist.XMLFormat), "DeviceList", plistlimit.KindArray, 0},
		{"binary 32 phones", marshal(t, big, plist.BinaryFormat), "DeviceList", plistlimit.KindArray, 0},
		{"xml 32 phones", marshal(t, big, plist.XMLFormat), "DeviceList", plistlimit.KindArray, 0},
		{"xml dict list", marshal(t, map[string]any{"DeviceList": map[string]any{}}, plist.XMLFormat), "DeviceList", plistlimit.KindDict, 0},
		{"binary value", marshal(t, map[string]any{"Key": "ProductVersion", "Value": "17.5"}, plist.BinaryFormat), "Value", plistlimit.KindString, 0},
		{"small bomb", plisttest.Bomb(8, lockdownFields, "Value"), "Value", plistlimit.KindArray, 0},
		{"BOM and spaces", append([]byte("\xef\xbb\xbf \n"), marshal(t, map[string]any{"A": true}, plist.XMLFormat)...), "A", plistlimit.KindBool, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := plistlimit.Check(tc.in, plistlimit.Default)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			f, ok := sum.Lookup(tc.key)
			if !ok || f.Kind != tc.kind || f.Int != tc.intVal {
				t.Errorf("field %q = %+v, %v; want kind %v int %d (summary %+v)", tc.key, f, ok, tc.kind, tc.intVal, sum)
			}
		})
	}
}

func TestCheckRejects(t *testing.T) {
	arr := marshal(t, []string{"a"}, plist.XMLFormat)
	binArr := marshal(t, []string{"a"}, plist.BinaryFormat)
	long := marshal(t, map[string]any{"S": string(make([]byte, 300<<10))}, plist.BinaryFormat)
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"bomb 70", plisttest.Bomb(70, lockdownFields, "Value"), plistlimit.ErrLimit},
		{"bomb 17", plisttest.Bomb(17, lockdownFields, "Value"), plistlimit.ErrLimit},
		{"deep binary", plisttest.Deep(100, nil, "Value"), plistlimit.ErrLimit},
		{"very deep binary", plisttest.Deep(100000, nil, "Value"), plistlimit.ErrLimit},
		{"wide binary", plisttest.Wide(70000, nil, "Value"), plistlimit.ErrLimit},
		{"deep xml", plisttest.DeepXML(100000, "Value"), plistlimit.ErrLimit},
		{"wide xml", plisttest.WideXML(70000, "Value"), plistlimit.ErrLimit},
		{"long string", long, plistlimit.ErrLimit},
		{"long xml string", marshal(t, map[string]any{"S": string(make([]byte, 300<<10))}, plist.XMLFormat), plistlimit.ErrLimit},
		{"xml array", arr, plistlimit.ErrNotDict},
		{"binary array", binArr, plistlimit.ErrNotDict},
		{"openstep", []byte(`{ a = b; }`), plistlimit.ErrNotPlist},
		{"empty", nil, plistlimit.ErrNotPlist},
		{"binary cut", binArr[:20], plistlimit.ErrMalformed},
		{"xml unbalanced", []byte(`<plist><dict><key>a</key><string>b</dict></plist>`), plistlimit.ErrMalformed},
		{"xml doctype subset", []byte(`<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaa">]><plist><dict/></plist>`), plistlimit.ErrMalformed},
		{"xml unknown element", []byte(`<plist><dict><key>a</key><foo/></dict></plist>`), plistlimit.ErrMalformed},
		{"xml two roots", []byte(`<plist><dict/></plist><plist><dict/></plist>`), plistlimit.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plistlimit.Check(tc.in, plistlimit.Default)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
			var le *plistlimit.LimitError
			if !errors.As(err, &le) {
				t.Errorf("error %T is not a *LimitError", err)
			}
		})
	}
}

// TestCycle: a binary plist whose array contains itself is malformed, not a hang.
func TestCycle(t *testing.T) {
	var b plisttest.Builder
	k := b.String("Value")
	// Object 1 is the array [1]: it refers to itself.
	a := b.Array(2)
	top := b.Dict([]int{k}, []int{a})
	_ = top
	in := b.Bytes(top)
	if _, err := plistlimit.Check(in, plistlimit.Default); err == nil {
		t.Fatal("a self-referencing array passed")
	}
}

// TestLimitsAreWhatADecoderSees checks that a plist just under the limits
// passes and decodes, and one just over fails: the counting matches howett's.
func TestLimitsAreWhatADecoderSees(t *testing.T) {
	lim := plistlimit.Limits{MaxExpanded: 1 << 12}
	ok := plisttest.Bomb(10, nil, "V") // 2^10 strings + 2^11-1 arrays + dict, key
	if _, err := plistlimit.Check(ok, lim); err != nil {
		t.Fatalf("bomb of 10 levels under a 4096 limit: %v", err)
	}
	var m map[string]any
	if _, err := plist.Unmarshal(ok, &m); err != nil {
		t.Fatalf("howett cannot decode what passed: %v", err)
	}
	if _, err := plistlimit.Check(plisttest.Bomb(11, nil, "V"), lim); !errors.Is(err, plistlimit.ErrLimit) {
		t.Fatalf("bomb of 11 levels under a 4096 limit: %v", err)
	}
}

// heapGrowth returns the bytes f allocated.
func heapGrowth(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// FuzzCheck feeds bomb shapes and mutations of them to Check. Whatever
// passes must decode with howett.net/plist in bounded memory, and Check
// itself must allocate no more than a small table per input byte.
func FuzzCheck(f *testing.F) {
	f.Add(plisttest.Bomb(70, lockdownFields, "Value"))
	f.Add(plisttest.Bomb(12, lockdownFields, "Value"))
	f.Add(plisttest.Deep(40, nil, "Value"))
	f.Add(plisttest.Wide(300, nil, "Value"))
	f.Add(plisttest.DeepXML(40, "Value"))
	f.Add(plisttest.WideXML(100, "Value"))
	f.Add(marshal(f, map[string]any{"MessageType": "Result", "Number": 0}, plist.XMLFormat))
	f.Add(marshal(f, map[string]any{"DeviceList": []any{map[string]any{"DeviceID": 1}}}, plist.BinaryFormat))
	// The ceiling: what Check allocates, and what a decoder allocates for an
	// accepted plist, stays under this many bytes per input byte plus a constant.
	const perByte, base = 64, 8 << 20
	lim := plistlimit.Limits{MaxObjects: 1 << 12, MaxExpanded: 1 << 12, MaxExpandedBytes: 1 << 20, MaxString: 64 << 10}
	f.Fuzz(func(t *testing.T, in []byte) {
		var err error
		grew := heapGrowth(func() { _, err = plistlimit.Check(in, lim) })
		if ceiling := uint64(perByte*len(in) + base); grew > ceiling {
			t.Fatalf("Check allocated %d bytes for %d input bytes (ceiling %d)", grew, len(in), ceiling)
		}
		if err != nil {
			return
		}
		var m map[string]any
		grew = heapGrowth(func() { _, _ = plist.Unmarshal(in, &m) })
		if ceiling := uint64(perByte*len(in) + 64<<20); grew > ceiling {
			t.Fatalf("decoding an accepted plist allocated %d bytes for %d input bytes", grew, len(in))
		}
	})
}

func BenchmarkCheckLockdownReply(b *testing.B) {
	in := marshal(b, map[string]any{"Key": "ProductVersion", "Request": "GetValue", "Value": "17.5"}, plist.XMLFormat)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plistlimit.Check(in, plistlimit.Default); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckBomb(b *testing.B) {
	in := plisttest.Bomb(70, lockdownFields, "Value")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plistlimit.Check(in, plistlimit.Default); err == nil {
			b.Fatal("bomb passed")
		}
	}
}
