package channels

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// The signature headers every device and backend sends.
const (
	HeaderDeviceID  = "X-Device-ID"
	HeaderTimestamp = "X-Timestamp"
	HeaderSignature = "X-Signature"
)

// Sign computes X-Signature: lowercase hex of HMAC-SHA256(secret, timestamp "\n" METHOD "\n"
// path "\n" hex(SHA-256(body))). The path is the request path without the query string.
func Sign(secret string, timestamp int64, method, path string, body []byte) string {
	sum := sha256.Sum256(body)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("\n"))
	m.Write([]byte(method))
	m.Write([]byte("\n"))
	m.Write([]byte(path))
	m.Write([]byte("\n"))
	m.Write([]byte(hex.EncodeToString(sum[:])))
	return hex.EncodeToString(m.Sum(nil))
}

// signatureMatches compares in constant time; got is the header as sent.
func signatureMatches(secret string, timestamp int64, method, path string, body []byte, got string) bool {
	want := Sign(secret, timestamp, method, path, body)
	return hmac.Equal([]byte(want), []byte(got))
}

// SignedBy reports whether sig is the device's signature of (timestamp, method, path, body), as
// Sign makes it: for what a device signs besides its requests, such as the portal's tickets.
func (d *Device) SignedBy(timestamp int64, method, path string, body []byte, sig string) bool {
	return d.secret != "" && signatureMatches(d.secret, timestamp, method, path, body, sig)
}
