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
	"errors"
	"fmt"
)

const sealVersion = 1

// Keys are the keys derived from HAOCHAPING_DATA_KEY, one per purpose, so that a leak of
// one use (say, an evaluation link) says nothing about the others.
type Keys struct {
	aead     cipher.AEAD
	indexKey []byte
	linkKey  []byte
}

// NewKeys derives the purpose keys from a 32-byte master key.
func NewKeys(master []byte) (*Keys, error) {
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
	k := &Keys{aead: aead}
	if k.indexKey, err = derive("index v1"); err != nil {
		return nil, err
	}
	if k.linkKey, err = derive("link v1"); err != nil {
		return nil, err
	}
	return k, nil
}

// Seal encrypts s. The empty string seals to nil, so that "not given" stays NULL.
func (k *Keys) Seal(s string) []byte {
	if s == "" {
		return nil
	}
	out := make([]byte, 1, 1+k.aead.NonceSize()+len(s)+k.aead.Overhead())
	out[0] = sealVersion
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Errorf("pii: no randomness: %w", err)) // crypto/rand does not fail on Linux
	}
	out = append(out, nonce...)
	return k.aead.Seal(out, nonce, []byte(s), []byte{sealVersion})
}

// Open decrypts what Seal produced; nil opens to "".
func (k *Keys) Open(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	ns := k.aead.NonceSize()
	if b[0] != sealVersion || len(b) < 1+ns+k.aead.Overhead() {
		return "", errors.New("pii: not a sealed value")
	}
	plain, err := k.aead.Open(nil, b[1:1+ns], b[1+ns:], []byte{sealVersion})
	if err != nil {
		return "", fmt.Errorf("pii: open: %w", err)
	}
	return string(plain), nil
}

// Index is a keyed hash of a normalised value of a kind ("phone", "id"): equal inputs give
// equal indexes, and the index alone does not reveal the value.
func (k *Keys) Index(kind, value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sha256.New, k.indexKey)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)[:16]
}

// LinkMAC authenticates the payload of an evaluation link.
func (k *Keys) LinkMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, k.linkKey)
	m.Write(payload)
	return m.Sum(nil)[:16]
}
