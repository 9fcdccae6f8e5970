package usbmux

import "testing"

// TestTrusted: the one mapping of trust states (engine check, report, window).
func TestTrusted(t *testing.T) {
	for st, want := range map[TrustState]string{TrustTrusted: "true", TrustPending: "false", TrustNotTrusted: "false", TrustUnknown: "nil", "": "nil"} {
		got := "nil"
		if b := st.Trusted(); b != nil {
			got = map[bool]string{true: "true", false: "false"}[*b]
		}
		if got != want {
			t.Errorf("%q.Trusted() = %s, want %s", st, got, want)
		}
	}
}
