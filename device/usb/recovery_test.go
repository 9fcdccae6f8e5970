package usb

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/restoredoctor/restoredoctor/device/usb/internal/usbmontest"
)

func TestParseRecoverySerial(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want RecoveryInfo
		err  error
	}{
		{name: "phone A recovery", in: usbmontest.PhoneARecovery, want: RecoveryInfo{
			SDOM: "01", CPID: "8110", CPRV: "11", CPFM: "03", SCEP: "01", BDID: "0E", ECID: "001A2B3C4D5E6F70", IBFL: "3C", SRTG: "iBoot-10151.41.12"}},
		{name: "long with identifiers and nonces", in: usbmontest.PhoneARecoveryLong, want: RecoveryInfo{
			SDOM: "01", CPID: "8110", CPRV: "11", CPFM: "03", SCEP: "01", BDID: "0E", ECID: "001A2B3C4D5E6F70", IBFL: "3C",
			SRTG: "iBoot-10151.41.12", SRNM: "F4GXK0Q1N70D", IMEI: "353912110123456",
			NONC: "6B2D3F9A0C1E4D5F6A7B8C9D0E1F2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B", SNON: "0F1E2D3C4B5A69788796A5B4C3D2E1F00112233"}},
		{name: "reordered and missing keys", in: "ECID:001A2B3C4D5E6F70 CPID:8110", want: RecoveryInfo{CPID: "8110", ECID: "001A2B3C4D5E6F70"}},
		{name: "unknown keys kept", in: "CPID:8010 XYZW:12 PWND:[checkm8]", want: RecoveryInfo{CPID: "8010", Extra: map[string]string{"XYZW": "12", "PWND": "checkm8"}}},
		{name: "bracketed value with a space", in: "SRTG:[iBoot 1.2] CPID:8110", want: RecoveryInfo{SRTG: "iBoot 1.2", CPID: "8110"}},
		{name: "unterminated bracket", in: "CPID:8110 SRTG:[iBoot-1", want: RecoveryInfo{CPID: "8110", SRTG: "iBoot-1"}},
		{name: "repeated key keeps the first", in: "CPID:8110 CPID:8020", want: RecoveryInfo{CPID: "8110"}},
		{name: "extra spaces, tabs and a trailing NUL", in: "  CPID:8110\t\tBDID:0E \x00", want: RecoveryInfo{CPID: "8110", BDID: "0E"}},
		{name: "token without colon ignored", in: "hello CPID:8110", want: RecoveryInfo{CPID: "8110"}},
		{name: "empty value", in: "CPID: BDID:0E", want: RecoveryInfo{BDID: "0E"}},
		{name: "normal-mode UDID", in: usbmontest.PhoneASerialNormal, err: ErrNotRecoverySerial},
		{name: "empty", in: "", err: ErrNotRecoverySerial},
		{name: "only colons", in: ": :: :", err: ErrNotRecoverySerial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecoverySerial(tt.in)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestRecoveryInfoValues(t *testing.T) {
	r, err := ParseRecoverySerial(usbmontest.PhoneARecovery)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := r.CPIDValue(); !ok || v != 0x8110 {
		t.Errorf("CPIDValue = %#x, %v", v, ok)
	}
	if v, ok := r.BDIDValue(); !ok || v != 0x0E {
		t.Errorf("BDIDValue = %#x, %v", v, ok)
	}
	if v, ok := r.ECIDValue(); !ok || v != 0x001A2B3C4D5E6F70 {
		t.Errorf("ECIDValue = %#x, %v", v, ok)
	}
	if _, ok := (RecoveryInfo{CPID: "zz"}).CPIDValue(); ok {
		t.Error("CPIDValue of non-hex is ok")
	}
}

func FuzzParseRecoverySerial(f *testing.F) {
	for _, s := range []string{usbmontest.PhoneARecovery, usbmontest.PhoneARecoveryLong, usbmontest.PhoneADFU,
		usbmontest.PhoneASerialNormal, "", "CPID:", ":", "SRTG:[", "A:[]]]", "CPID:8110 SRTG:[x y z", strings.Repeat("K:V ", 2000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecoverySerial(s)
		if err != nil {
			if !reflect.DeepEqual(r, RecoveryInfo{}) {
				t.Fatalf("error %v with non-zero info %+v", err, r)
			}
			return
		}
		// Values never contain separators unless bracketed, and never the bracket itself.
		for _, v := range []string{r.CPID, r.ECID, r.BDID, r.NONC, r.SNON} {
			if strings.ContainsAny(v, " \t\n") && !strings.Contains(s, "[") {
				t.Fatalf("value %q holds a separator in %q", v, s)
			}
		}
		if strings.Contains(r.SRTG, "]") {
			t.Fatalf("SRTG %q holds the closing bracket", r.SRTG)
		}
	})
}

func BenchmarkParseRecoverySerial(b *testing.B) {
	for _, bc := range []struct{ name, in string }{{"short", usbmontest.PhoneARecovery}, {"long", usbmontest.PhoneARecoveryLong}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseRecoverySerial(bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
