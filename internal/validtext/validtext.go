// Package validtext decides what the system accepts as text: valid UTF-8 without the C0
// control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in
// a text column outright ("invalid byte sequence for encoding UTF8: 0x00"), and no name,
// comment, code or query means the other control characters; refusing them where a request
// enters turns what would be a 500 into a 4xx that names the field.
package validtext

import "unicode/utf8"

// String reports whether s is text: valid UTF-8 holding no C0 control character but tab, LF
// and CR. It does not allocate.
func String(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		// A byte below 0x80 is always a character of its own in UTF-8, never part of one.
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	return ascii || utf8.ValidString(s)
}

// Bytes is String for a byte slice.
func Bytes(b []byte) bool {
	ascii := true
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	return ascii || utf8.Valid(b)
}
