package pii

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
)

// legacySeal is a value as Seal wrote it before keys had ids (format 1).
func legacySeal(t *testing.T, master []byte, s string) []byte {
	t.Helper()
	encKey, _ := hkdf.Key(sha256.New, master, nil, "haochaping seal v1", 32)
	block, _ := aes.NewCipher(encKey)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(append([]byte{1}, nonce...), nonce, []byte(s), []byte{1})
}

// TestKeyRing: a value names the key it was sealed under; the current key with the previous
// ones opens, matches and verifies everything written under either, and Reseal moves a value
// to the current key.
func TestKeyRing(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	underA, err := NewKeys(a)
	if err != nil {
		t.Fatal(err)
	}
	underB, err := NewKeys(b, a)
	if err != nil {
		t.Fatal(err)
	}
	onlyB, _ := NewKeys(b)
	if underA.CurrentID() == underB.CurrentID() {
		t.Fatal("two keys, one id")
	}
	sealedA := underA.Seal("13812345678")
	if KeyIDOf(sealedA) == KeyIDOf(underB.Seal("x")) || underB.IsCurrent(sealedA) || !underA.IsCurrent(sealedA) {
		t.Fatalf("key ids: %s", KeyIDOf(sealedA))
	}
	if got, err := underB.Open(sealedA); err != nil || got != "13812345678" {
		t.Fatalf("previous key's value: %q, %v", got, err)
	}
	if _, err := onlyB.Open(sealedA); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("opened without its key: %v", err)
	}
	legacy := legacySeal(t, a, "张三")
	if got, err := underB.Open(legacy); err != nil || got != "张三" || KeyIDOf(legacy) != "v1" {
		t.Fatalf("legacy value: %q, %v", got, err)
	}
	for _, old := range [][]byte{sealedA, legacy} {
		fresh, err := underB.Reseal(old)
		if err != nil || !underB.IsCurrent(fresh) || bytes.Equal(fresh, old) {
			t.Fatalf("reseal: %v", err)
		}
		if got, err := onlyB.Open(fresh); err != nil || got == "" {
			t.Fatalf("resealed value under the new key alone: %q, %v", got, err)
		}
	}
	// A value moved to another key id does not open.
	moved := slices.Clone(sealedA)
	copy(moved[1:5], underB.CurrentPrefix()[1:])
	if _, err := underB.Open(moved); err == nil {
		t.Fatal("a value relabelled with another key id opened")
	}
	// The keyed hashes and the links.
	if !slices.ContainsFunc(underB.PhoneIndexes("138 1234 5678"), func(h []byte) bool {
		return bytes.Equal(h, underA.PhoneIndex("13812345678"))
	}) || !bytes.Equal(underB.PhoneIndexes("13812345678")[0], onlyB.PhoneIndex("13812345678")) {
		t.Fatal("PhoneIndexes: not every key's hash, current first")
	}
	payload := []byte("case 42")
	if !underB.VerifyLinkMAC(payload, underA.LinkMAC(payload)) || onlyB.VerifyLinkMAC(payload, underA.LinkMAC(payload)) {
		t.Fatal("a link of the previous key: verified only while that key is configured")
	}
	if _, err := NewKeys(a, a); err == nil {
		t.Fatal("the same key as current and previous accepted")
	}
}

// TestMaskTextNames: the names of the record's people are masked with the numbers; a
// one-character name is not a name to look for.
func TestMaskTextNames(t *testing.T) {
	got := MaskText("张三来电：一三八一二三四五六七八，欧阳娜娜的身份证370402199001011234；张", "张三", "欧阳娜娜", "张")
	want := "张*来电：138****5678，欧***的身份证370402********1234；张"
	if got != want {
		t.Fatalf("MaskText = %q, want %q", got, want)
	}
	if MaskText(want, "张三", "欧阳娜娜") != want {
		t.Fatal("masking a masked copy changed it")
	}
	if got := HideNumbersInText(want); strings.ContainsAny(got, "0123456789") {
		t.Fatalf("HideNumbersInText left masked numbers: %q", got)
	}
}
