// Package pii protects personal data: sealed (AES-256-GCM) at rest, matched through keyed
// hashes without decrypting, and masked for screens and exports (张*, 138****5678).
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// The formats of a sealed value, told by its first byte:
//
//	1: 1 | nonce | ciphertext — written before keys had ids, under the one key there was; it
//	   opens under whichever configured key it was sealed with (GCM tells the wrong one).
//	2: 2 | key id (4 bytes) | nonce | ciphertext — the key id names the key it was sealed under.
//
// The bytes before the nonce are the additional data, so a value cannot be moved to another key id.
const (
	legacyFormat = 1
	keyIDFormat  = 2
	// PrefixLen is the length of a format-2 value's prefix (format byte and key id), the part
	// `keys rotate` and `keys status` compare in SQL.
	PrefixLen = 5
)

// key is one data key's purpose keys.
type key struct {
	id       uint32
	aead     cipher.AEAD
	indexKey []byte
	linkKey  []byte
}

// Keys are the keys derived from HAOCHAPING_DATA_KEY, one per purpose, so that a leak of
// one use (say, an evaluation link) says nothing about the others; and those of the previous
// data keys (HAOCHAPING_DATA_KEY_PREVIOUS), kept only to open, match and verify what was
// written under them until `haochaping keys rotate` has moved everything to the current one.
type Keys struct {
	current  *key
	previous []*key
	byID     map[uint32]*key
}

// NewKeys derives the purpose keys from a 32-byte master key, and from the previous master
// keys if any.
func NewKeys(master []byte, previous ...[]byte) (*Keys, error) {
	cur, err := deriveKey(master)
	if err != nil {
		return nil, err
	}
	k := &Keys{current: cur, byID: map[uint32]*key{cur.id: cur}}
	for i, m := range previous {
		p, err := deriveKey(m)
		if err != nil {
			return nil, fmt.Errorf("previous key %d: %w", i+1, err)
		}
		if _, dup := k.byID[p.id]; dup {
			// The same key twice, or (one chance in four billion) two keys with one id.
			return nil, fmt.Errorf("pii: previous key %d has the id %08x of another configured key", i+1, p.id)
		}
		k.byID[p.id] = p
		k.previous = append(k.previous, p)
	}
	return k, nil
}

func deriveKey(master []byte) (*key, error) {
	if len(master) != 32 {
		return nil, errors.New("pii: the data key must be 32 bytes")
	}
	derive := func(purpose string) ([]byte, error) {
		return hkdf.Key(sha256.New, master, nil, "haochaping "+purpose, 32)
	}
	encKey, err := derive("seal v1")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k := &key{aead: aead}
	if k.indexKey, err = derive("index v1"); err != nil {
		return nil, err
	}
	if k.linkKey, err = derive("link v1"); err != nil {
		return nil, err
	}
	// The id is derived too: it names the key without saying anything about it, and needs no
	// numbering by the operator.
	idBytes, err := hkdf.Key(sha256.New, master, nil, "haochaping key id", 4)
	if err != nil {
		return nil, err
	}
	k.id = binary.BigEndian.Uint32(idBytes)
	return k, nil
}

// CurrentID is the id of the key new values are sealed under.
func (k *Keys) CurrentID() uint32 { return k.current.id }

// CurrentPrefix is the first PrefixLen bytes of every value sealed under the current key.
func (k *Keys) CurrentPrefix() []byte { return k.current.prefix() }

func (c *key) prefix() []byte {
	p := make([]byte, PrefixLen)
	p[0] = keyIDFormat
	binary.BigEndian.PutUint32(p[1:], c.id)
	return p
}

// Seal encrypts s under the current key. The empty string seals to nil, so that "not given"
// stays NULL.
func (k *Keys) Seal(s string) []byte {
	if s == "" {
		return nil
	}
	c := k.current
	out := make([]byte, PrefixLen, PrefixLen+c.aead.NonceSize()+len(s)+c.aead.Overhead())
	copy(out, c.prefix())
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Errorf("pii: no randomness: %w", err)) // crypto/rand does not fail on Linux
	}
	ad := out[:PrefixLen:PrefixLen]
	out = append(out, nonce...)
	return c.aead.Seal(out, nonce, []byte(s), ad)
}

// Open decrypts what Seal produced, under the key its id names (a value of the first format
// under whichever configured key opens it); nil opens to "".
func (k *Keys) Open(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	switch b[0] {
	case legacyFormat:
		var last error = errors.New("pii: not a sealed value")
		for _, c := range k.all() {
			ns := c.aead.NonceSize()
			if len(b) < 1+ns+c.aead.Overhead() {
				return "", errors.New("pii: not a sealed value")
			}
			plain, err := c.aead.Open(nil, b[1:1+ns], b[1+ns:], []byte{legacyFormat})
			if err == nil {
				return string(plain), nil
			}
			last = fmt.Errorf("pii: open: %w", err)
		}
		return "", last
	case keyIDFormat:
		if len(b) < PrefixLen {
			return "", errors.New("pii: not a sealed value")
		}
		id := binary.BigEndian.Uint32(b[1:PrefixLen])
		c, ok := k.byID[id]
		if !ok {
			return "", fmt.Errorf("pii: sealed under key %08x, which is not configured (HAOCHAPING_DATA_KEY_PREVIOUS?)", id)
		}
		ns := c.aead.NonceSize()
		if len(b) < PrefixLen+ns+c.aead.Overhead() {
			return "", errors.New("pii: not a sealed value")
		}
		plain, err := c.aead.Open(nil, b[PrefixLen:PrefixLen+ns], b[PrefixLen+ns:], b[:PrefixLen])
		if err != nil {
			return "", fmt.Errorf("pii: open: %w", err)
		}
		return string(plain), nil
	default:
		return "", errors.New("pii: not a sealed value")
	}
}

// IsCurrent reports whether b is nil or sealed under the current key: nothing to rotate.
func (k *Keys) IsCurrent(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	return len(b) >= PrefixLen && string(b[:PrefixLen]) == string(k.current.prefix())
}

// Reseal opens b under whatever key sealed it and seals it again under the current key; a
// value already current, or nil, is returned as it is.
func (k *Keys) Reseal(b []byte) ([]byte, error) {
	if k.IsCurrent(b) {
		return b, nil
	}
	s, err := k.Open(b)
	if err != nil {
		return nil, err
	}
	return k.Seal(s), nil
}

// KeyIDOf names the key a sealed value carries, as `haochaping keys status` lists it: the id
// in hex, or "v1" for a value sealed before keys had ids.
func KeyIDOf(b []byte) string {
	switch {
	case len(b) == 0:
		return ""
	case b[0] == legacyFormat:
		return "v1"
	case b[0] == keyIDFormat && len(b) >= PrefixLen:
		return fmt.Sprintf("%08x", binary.BigEndian.Uint32(b[1:PrefixLen]))
	default:
		return "?"
	}
}

// all is the current key, then the previous ones.
func (k *Keys) all() []*key { return append([]*key{k.current}, k.previous...) }

// Index is a keyed hash, under the current key, of a normalised value of a kind ("phone",
// "id"): equal inputs give equal indexes, and the index alone does not reveal the value.
func (k *Keys) Index(kind, value string) []byte { return k.current.index(kind, value) }

// Indexes are the value's keyed hashes under the current key and each previous one, current
// first: a lookup matches any of them, so that a row not yet rehashed by `keys rotate` is found.
func (k *Keys) Indexes(kind, value string) [][]byte {
	if value == "" {
		return nil
	}
	var out [][]byte
	for _, c := range k.all() {
		out = append(out, c.index(kind, value))
	}
	return out
}

func (c *key) index(kind, value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sha256.New, c.indexKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)[:16]
}

// LinkMAC authenticates the payload of an evaluation link, under the current key.
func (k *Keys) LinkMAC(payload []byte) []byte { return k.current.linkMAC(payload) }

// VerifyLinkMAC checks a link's MAC under the current key and each previous one: a receipt
// printed before a rotation keeps working until its case's rating period ends.
func (k *Keys) VerifyLinkMAC(payload, mac []byte) bool {
	for _, c := range k.all() {
		if hmac.Equal(mac, c.linkMAC(payload)) {
			return true
		}
	}
	return false
}

func (c *key) linkMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, c.linkKey)
	m.Write(payload)
	return m.Sum(nil)[:16]
}
