package plistlimit

import (
	"bytes"
	"strconv"
)

// xmlKinds maps plist XML element names to kinds; other names are malformed.
func xmlKind(name []byte) (Kind, bool) {
	switch string(name) {
	case "dict":
		return KindDict, true
	case "array":
		return KindArray, true
	case "string", "key":
		return KindString, true
	case "data":
		return KindData, true
	case "integer":
		return KindInteger, true
	case "real":
		return KindReal, true
	case "true", "false":
		return KindBool, true
	case "date":
		return KindDate, true
	}
	return KindOther, false
}

// checkXML scans an XML plist tag by tag. It keeps the open elements as
// slices of b (at most MaxDepth+1 of them) and no other state per element.
// XML plists have no shared references, so what is stored is what a decoder
// creates; entity references cannot expand either (the decoder defines none
// and a DOCTYPE internal subset is refused).
func checkXML(b []byte, lim Limits) (Summary, error) {
	var (
		sum        Summary
		stack      = make([][]byte, 0, 8)
		objects    int
		textBytes  int
		elemText   int  // text bytes inside the innermost open element
		sawRoot    bool // <plist> opened
		sawTop     bool // the top-level value seen
		pendingKey []byte
		keyOK      bool
		valStart   = -1 // start of the text of a top-level integer value
		field      Field
		inField    bool
	)
	i := 0
	for i < len(b) {
		lt := bytes.IndexByte(b[i:], '<')
		if lt < 0 {
			if len(bytes.TrimSpace(b[i:])) > 0 {
				return Summary{}, fail(ErrMalformed, "text after the last tag")
			}
			break
		}
		if lt > 0 {
			n := lt
			if len(stack) == 0 || !isLeaf(stack[len(stack)-1]) {
				if len(bytes.TrimSpace(b[i:i+lt])) > 0 {
					return Summary{}, fail(ErrMalformed, "text outside a value at byte %d", i)
				}
				n = 0
			}
			if err := addText(&elemText, &textBytes, n, lim); err != nil {
				return Summary{}, err
			}
		}
		i += lt
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			if end < 0 {
				return Summary{}, fail(ErrMalformed, "unterminated processing instruction")
			}
			i += end + 2
			continue
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return Summary{}, fail(ErrMalformed, "unterminated comment")
			}
			i += 4 + end + 3
			continue
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest, []byte("]]>"))
			if end < 0 || len(stack) == 0 || !isLeaf(stack[len(stack)-1]) {
				return Summary{}, fail(ErrMalformed, "CDATA outside a value")
			}
			if err := addText(&elemText, &textBytes, end-9, lim); err != nil {
				return Summary{}, err
			}
			i += end + 3
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			end := bytes.IndexByte(rest, '>')
			if end < 0 || bytes.IndexByte(rest[:end], '[') >= 0 || sawRoot {
				return Summary{}, fail(ErrMalformed, "unsupported declaration")
			}
			i += end + 1
			continue
		}
		end, selfClose, err := tagEnd(rest)
		if err != nil {
			return Summary{}, err
		}
		tag := rest[1:end]
		i += end + 1
		if tag[0] == '/' {
			name := bytes.TrimSpace(tag[1:])
			if len(stack) == 0 || !bytes.Equal(stack[len(stack)-1], name) {
				return Summary{}, fail(ErrMalformed, "unbalanced </%.32s>", name)
			}
			if len(stack) == 3 {
				switch {
				case bytes.Equal(name, []byte("key")):
					pendingKey = bytes.TrimSpace(b[valStart : i-end-1])
					keyOK = true
				case inField:
					if field.Kind == KindInteger {
						field.Int, _ = strconv.ParseInt(string(bytes.TrimSpace(b[valStart:i-end-1])), 10, 64)
					}
					sum.add(field)
					inField = false
				}
			}
			stack = stack[:len(stack)-1]
			elemText = 0
			continue
		}
		if selfClose {
			tag = tag[:len(tag)-1]
		}
		name := tag
		if k := bytes.IndexAny(tag, " \t\r\n"); k >= 0 {
			name = tag[:k]
		}
		if !sawRoot {
			if !bytes.Equal(name, []byte("plist")) {
				return Summary{}, fail(ErrMalformed, "root element <%.32s>, not <plist>", name)
			}
			sawRoot = true
			if selfClose {
				return Summary{}, fail(ErrNotDict, "empty <plist>")
			}
			stack = append(stack, name)
			continue
		}
		if len(stack) == 0 {
			return Summary{}, fail(ErrMalformed, "a second root element")
		}
		kind, ok := xmlKind(name)
		if !ok || isLeaf(stack[len(stack)-1]) {
			return Summary{}, fail(ErrMalformed, "unexpected <%.32s>", name)
		}
		objects++
		if objects > lim.MaxObjects || objects > lim.MaxExpanded {
			return Summary{}, fail(ErrLimit, "more than %d objects", min(lim.MaxObjects, lim.MaxExpanded))
		}
		depth := len(stack) // the new element's value depth (<plist> is not a value)
		if depth > lim.MaxDepth {
			return Summary{}, fail(ErrLimit, "nested deeper than %d", lim.MaxDepth)
		}
		if len(stack) == 1 {
			if sawTop {
				return Summary{}, fail(ErrMalformed, "more than one top-level value")
			}
			sawTop = true
			if kind != KindDict {
				return Summary{}, fail(ErrNotDict, "XML plist top level is a %s", kind)
			}
		}
		if len(stack) == 2 {
			if bytes.Equal(name, []byte("key")) {
				valStart = i
			} else {
				inField = keyOK && len(pendingKey) <= maxKeyLen && bytes.IndexByte(pendingKey, '&') < 0
				field = Field{Key: string(pendingKey), Kind: kind}
				keyOK = false
				valStart = i
				if selfClose && inField {
					sum.add(field)
					inField = false
				}
			}
		}
		if !selfClose {
			stack = append(stack, name)
			elemText = 0
		}
	}
	if !sawRoot || !sawTop {
		return Summary{}, fail(ErrNotDict, "no top-level dictionary")
	}
	if len(stack) != 0 {
		return Summary{}, fail(ErrMalformed, "<%.32s> not closed", stack[len(stack)-1])
	}
	return sum, nil
}

// isLeaf reports whether an element holds text rather than elements.
func isLeaf(name []byte) bool {
	switch string(name) {
	case "plist", "dict", "array":
		return false
	}
	return true
}

func addText(elem, total *int, n int, lim Limits) error {
	*elem += n
	*total += n
	if *elem > lim.MaxString {
		return fail(ErrLimit, "a string or data value of more than %d bytes", lim.MaxString)
	}
	if *total > lim.MaxExpandedBytes {
		return fail(ErrLimit, "more than %d bytes of strings and data", lim.MaxExpandedBytes)
	}
	return nil
}

// tagEnd finds the '>' closing the tag at the start of t, skipping quoted
// attribute values, and reports whether the tag closes itself ("/>").
func tagEnd(t []byte) (end int, selfClose bool, err error) {
	var quote byte
	for j := 1; j < len(t); j++ {
		c := t[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			return 0, false, fail(ErrMalformed, "'<' inside a tag")
		case c == '>':
			if j == 1 {
				return 0, false, fail(ErrMalformed, "empty tag")
			}
			return j, t[j-1] == '/', nil
		}
	}
	return 0, false, fail(ErrMalformed, "unterminated tag")
}
