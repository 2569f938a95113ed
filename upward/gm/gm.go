// Package gm is the Chinese commercial cryptography (国密) the provincial platform asks of the
// upward report: SM3 digests, SM4 for the body, SM2 signatures and public-key encryption. It
// wraps github.com/emmansun/gmsm, a maintained implementation checked against the standards'
// vectors; this package only fixes the choices a profile names (the signer's user ID, the
// ciphertext layout, the padding), so that the sender and the simulator make the same ones.
package gm

import (
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/padding"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// DefaultUID is the signer's user ID of GB/T 32918 when the parties agree on none.
const DefaultUID = "1234567812345678"

// SM3 is the digest of data.
func SM3(data []byte) []byte {
	sum := sm3.Sum(data)
	return sum[:]
}

// SM4Encrypt encrypts plain with a 16-byte key in CBC mode with PKCS#7 padding; the random IV
// leads the result.
func SM4Encrypt(key, plain []byte) ([]byte, error) {
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sm4: %w", err)
	}
	padded := padding.NewPKCS7Padding(sm4.BlockSize).Pad(plain)
	out := make([]byte, sm4.BlockSize+len(padded))
	if _, err := rand.Read(out[:sm4.BlockSize]); err != nil {
		return nil, fmt.Errorf("sm4: iv: %w", err)
	}
	cipher.NewCBCEncrypter(block, out[:sm4.BlockSize]).CryptBlocks(out[sm4.BlockSize:], padded)
	return out, nil
}

// SM4Decrypt reverses SM4Encrypt.
func SM4Decrypt(key, sealed []byte) ([]byte, error) {
	block, err := sm4.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sm4: %w", err)
	}
	if len(sealed) < 2*sm4.BlockSize || len(sealed)%sm4.BlockSize != 0 {
		return nil, errors.New("sm4: not an IV and whole blocks")
	}
	plain := make([]byte, len(sealed)-sm4.BlockSize)
	cipher.NewCBCDecrypter(block, sealed[:sm4.BlockSize]).CryptBlocks(plain, sealed[sm4.BlockSize:])
	out, err := padding.NewPKCS7Padding(sm4.BlockSize).Unpad(plain)
	if err != nil {
		return nil, fmt.Errorf("sm4: %w", err)
	}
	return out, nil
}

// PrivateKey parses an SM2 private key written as 64 hex digits.
func PrivateKey(hexKey string) (*sm2.PrivateKey, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if err != nil || len(raw) != 32 {
		return nil, errors.New("sm2: a private key is 64 hex digits")
	}
	k, err := sm2.NewPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("sm2: %w", err)
	}
	return k, nil
}

// PublicKey parses an SM2 public key written as hex of the uncompressed point (04 ‖ x ‖ y).
func PublicKey(hexKey string) (*ecdsa.PublicKey, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if err != nil {
		return nil, errors.New("sm2: a public key is hex")
	}
	k, err := sm2.NewPublicKey(raw)
	if err != nil {
		return nil, fmt.Errorf("sm2: %w", err)
	}
	return k, nil
}

// PublicKeyHex writes a public key as PublicKey reads it.
func PublicKeyHex(k *ecdsa.PublicKey) string {
	b := make([]byte, 65)
	b[0] = 4
	k.X.FillBytes(b[1:33])
	k.Y.FillBytes(b[33:])
	return hex.EncodeToString(b)
}

// Sign signs msg with SM2 (digest SM3 over Z_A ‖ msg, the signer's uid in Z_A), as DER.
func Sign(k *sm2.PrivateKey, uid string, msg []byte) ([]byte, error) {
	sig, err := k.Sign(rand.Reader, msg, sm2.NewSM2SignerOption(true, []byte(uid)))
	if err != nil {
		return nil, fmt.Errorf("sm2: sign: %w", err)
	}
	return sig, nil
}

// Verify reports whether sig (DER) is k's SM2 signature of msg under uid.
func Verify(k *ecdsa.PublicKey, uid string, msg, sig []byte) bool {
	return sm2.VerifyASN1WithSM2(k, []byte(uid), msg, sig)
}

// Encrypt encrypts msg to k with SM2, as C1 ‖ C3 ‖ C2 (the order of GB/T 32918.4 since 2016).
func Encrypt(k *ecdsa.PublicKey, msg []byte) ([]byte, error) {
	out, err := sm2.Encrypt(rand.Reader, k, msg, nil)
	if err != nil {
		return nil, fmt.Errorf("sm2: encrypt: %w", err)
	}
	return out, nil
}

// Decrypt reverses Encrypt.
func Decrypt(k *sm2.PrivateKey, c []byte) ([]byte, error) {
	out, err := sm2.Decrypt(k, c)
	if err != nil {
		return nil, fmt.Errorf("sm2: decrypt: %w", err)
	}
	return out, nil
}
