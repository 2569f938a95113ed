package jsonbody

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// invalidUTF8Paths lists, in the order of the body, the JSON paths of the strings — keys or
// values — whose raw bytes are not valid UTF-8. body is valid JSON (Decode read it): outside a
// string, a byte that is not ASCII is a syntax error, so the bad bytes are all in strings.
// This runs only for a body that is not valid UTF-8, which is rare; it may take its time.
func invalidUTF8Paths(body []byte) []string {
	type frame struct {
		array   bool
		wantKey bool // in an object, the next string is a key
		part    pathPart
	}
	var stack []frame
	var out []string
	path := func() string {
		parts := make([]pathPart, len(stack))
		for i, f := range stack {
			parts[i] = f.part
		}
		return joinPath(parts)
	}
	// valueDone moves the innermost container on, past the value just read.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if f := &stack[n-1]; f.array {
				f.part.index++
			} else {
				f.wantKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		// From the end of the last token to the end of this one: this token and the
		// punctuation before it, which is ASCII.
		bad := !utf8.Valid(body[start:dec.InputOffset()])
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{wantKey: true})
			case '[':
				stack = append(stack, frame{array: true, part: pathPart{isIndex: true}})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				stack[n-1].part, stack[n-1].wantKey = pathPart{key: t}, false
				if bad {
					out = append(out, path())
				}
				continue
			}
			if bad {
				out = append(out, path())
			}
			valueDone()
		default:
			valueDone()
		}
	}
}
