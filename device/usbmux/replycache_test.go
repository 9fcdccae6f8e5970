package usbmux

import (
	"errors"
	"strings"
	"testing"

	"howett.net/plist"
)

// TestDecodeReplyCache: a small reply seen before costs no decode (no
// allocation); a large one and a malformed one are not kept; the cache
// stops growing at maxCachedReplies.
func TestDecodeReplyCache(t *testing.T) {
	enc := func(m map[string]any) []byte {
		b, err := plist.Marshal(m, plist.XMLFormat)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c := NewClient(Address{Network: "unix", Addr: "/nonexistent"}, Options{})
	small := enc(map[string]any{"Request": "QueryType", "Type": TypeLockdown})
	r, _, err := c.decodeReply(small)
	if err != nil || r.Type != TypeLockdown {
		t.Fatalf("decodeReply = %+v, %v", r, err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _, _ = c.decodeReply(small) }); n != 0 {
		t.Errorf("%v allocations decoding a reply seen before, want 0", n)
	}
	large := enc(map[string]any{"Request": "GetValue", "Value": strings.Repeat("x", maxCachedReplySize)})
	if _, _, err := c.decodeReply(large); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.decodeReply([]byte("<plist><dict><key>a</key>")); !errors.Is(err, ErrProtocol) {
		t.Errorf("malformed reply: err = %v, want ErrProtocol", err)
	}
	if len(c.replies) != 1 {
		t.Errorf("%d replies kept, want only the small one", len(c.replies))
	}
	for i := range 2 * maxCachedReplies {
		if _, _, err := c.decodeReply(enc(map[string]any{"Request": "GetValue", "Value": i})); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.replies) != maxCachedReplies {
		t.Errorf("%d replies kept, want the cap %d", len(c.replies), maxCachedReplies)
	}
}
