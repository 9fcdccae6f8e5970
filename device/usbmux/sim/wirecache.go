package sim

import "sync"

// The simulator is the test peer of every round-trip benchmark, so its own
// plist work must not drown the client's: a real lockdownd parses with libplist
// in C, a few microseconds a request, while howett.net/plist's XML decoder
// takes about 20 µs for a GetValue. Two caches keep the wire exact and the
// work once per distinct message:
//
//   - requests: a request payload that was decoded before (same bytes) gets
//     the same dictionary back without being decoded again; payloads that
//     fail to decode are never cached, so every bad frame is still refused
//     by DecodeDict's checks.
//   - replies: the encoded answer to a request whose answer depends only on
//     the phone, on whether a session is active and on the request bytes
//     (QueryType, GetValue, ValidatePair, restored's QueryValue) is kept per
//     attached phone and written again as is. Requests with effects
//     (StartSession, Pair, EnterRecovery, …) are answered afresh every time.
//
// Both are bounded; a full cache is emptied and refilled.

// Cache bounds: requests up to maxCachedPayload bytes, at most
// maxCachedRequests decoded requests per server and maxCachedReplies answers
// per attached phone.
const (
	maxCachedPayload  = 8 << 10
	maxCachedRequests = 512
	maxCachedReplies  = 64
)

// requestCache maps request payloads to their decoded dictionaries. The
// dictionaries are shared: handlers only read them.
type requestCache struct {
	mu sync.RWMutex
	m  map[string]map[string]any
}

// decode is DecodeDict through the cache.
func (c *requestCache) decode(payload []byte) (map[string]any, error) {
	if len(payload) > maxCachedPayload {
		return DecodeDict(payload)
	}
	c.mu.RLock()
	d, ok := c.m[string(payload)]
	c.mu.RUnlock()
	if ok {
		return d, nil
	}
	d, err := DecodeDict(payload)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedRequests {
		c.m = make(map[string]map[string]any)
	}
	c.m[string(payload)] = d
	c.mu.Unlock()
	return d, nil
}

// replyKey identifies a cached lockdownd answer of one phone.
type replyKey struct {
	session bool   // a lockdownd session was active (more values are readable)
	req     string // the request payload
}

// cachedReply is an encoded answer and the request name it answers (for the counters).
type cachedReply struct {
	name  string
	frame []byte
}

// replyCache holds one attached phone's encoded answers. It is created when
// the phone attaches and dropped when it leaves, so a phone re-attached
// under the same DeviceID never gets another phone's answers.
type replyCache struct {
	mu sync.Mutex
	m  map[replyKey]cachedReply
}

func newReplyCache() *replyCache { return &replyCache{m: map[replyKey]cachedReply{}} }

func (c *replyCache) get(session bool, payload []byte) (cachedReply, bool) {
	if c == nil || len(payload) > maxCachedPayload {
		return cachedReply{}, false
	}
	c.mu.Lock()
	r, ok := c.m[replyKey{session, string(payload)}]
	c.mu.Unlock()
	return r, ok
}

func (c *replyCache) put(session bool, payload []byte, r cachedReply) {
	if c == nil || len(payload) > maxCachedPayload {
		return
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedReplies {
		clear(c.m)
	}
	c.m[replyKey{session, string(payload)}] = r
	c.mu.Unlock()
}

// pureRequests are the lockdownd requests whose answer depends only on the
// phone, the session state and the request itself.
var pureRequests = map[string]bool{"QueryType": true, "GetValue": true, "ValidatePair": true, "QueryValue": true}

// resultPayloads are the encoded usbmuxd Result messages by number (the tag
// is in the frame header, so the payload is the same for every request).
var resultPayloads sync.Map // int → []byte

// resultFrame is the usbmuxd Result frame with number n for tag.
func resultFrame(tag uint32, n int) ([]byte, error) {
	if p, ok := resultPayloads.Load(n); ok {
		return AppendMuxFrame(nil, 1, muxMsgPlist, tag, p.([]byte)), nil
	}
	body, err := plistMarshalXML(resultMsg(n))
	if err != nil {
		return nil, err
	}
	resultPayloads.Store(n, body)
	return AppendMuxFrame(nil, 1, muxMsgPlist, tag, body), nil
}
