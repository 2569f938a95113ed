package gm_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/sm4"

	"haochaping/upward/gm"
)

// TestSM3Vectors: the two examples of GB/T 32905-2016, annex A.
func TestSM3Vectors(t *testing.T) {
	for msg, want := range map[string]string{
		"abc":                      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
		strings.Repeat("abcd", 16): "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
	} {
		if got := hex.EncodeToString(gm.SM3([]byte(msg))); got != want {
			t.Errorf("SM3(%q) = %s, want %s", msg, got, want)
		}
	}
}

// TestSM4Vectors: the examples of GB/T 32907-2016, annex A — one block, and the same block
// encrypted a million times — then CBC with padding round trip, and a tampered body refused.
func TestSM4Vectors(t *testing.T) {
	key, _ := hex.DecodeString("0123456789abcdeffedcba9876543210")
	block, err := sm4.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	buf := append([]byte(nil), key...)
	block.Encrypt(buf, buf)
	if got := hex.EncodeToString(buf); got != "681edf34d206965e86b3e94f536e4246" {
		t.Errorf("one block: %s", got)
	}
	buf = append(buf[:0], key...)
	for i := 0; i < 1_000_000; i++ {
		block.Encrypt(buf, buf)
	}
	if got := hex.EncodeToString(buf); got != "595298c7c6fd271f0402f804c33d3f66" {
		t.Errorf("a million times: %s", got)
	}

	plain := []byte(`{"evaluate":[{"projectNo":"37SD370400-20261126-0001","satisfaction":"5"}]}`)
	sealed, err := gm.SM4Encrypt(key, plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("projectNo")) {
		t.Fatal("the body is in clear")
	}
	if got, err := gm.SM4Decrypt(key, sealed); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %q %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if got, err := gm.SM4Decrypt(key, sealed); err == nil && bytes.Equal(got, plain) {
		t.Fatal("a tampered body decrypted to the original")
	}
}

// TestSM2Vectors: the signature example of GM/T 0003.5-2012 (recommended curve; message
// "message digest", the default uid) verifies with the example's public key; a signature of
// ours verifies and fails for another message or uid; encryption round-trips.
func TestSM2Vectors(t *testing.T) {
	priv, err := gm.PrivateKey("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gm.PublicKey("0409F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020" +
		"CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13")
	if err != nil {
		t.Fatal(err)
	}
	if !priv.PublicKey.Equal(pub) {
		t.Fatal("the example's public key is not its private key's")
	}
	if h := gm.PublicKeyHex(pub); !strings.EqualFold(h, "0409F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13") {
		t.Errorf("PublicKeyHex: %s", h)
	}
	// r and s of the example, as DER.
	sig, _ := hex.DecodeString("3046022100f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3" +
		"022100b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa")
	if !gm.Verify(pub, gm.DefaultUID, []byte("message digest"), sig) {
		t.Fatal("the standard's example signature does not verify")
	}
	if gm.Verify(pub, gm.DefaultUID, []byte("message digesT"), sig) {
		t.Fatal("the example signature verifies another message")
	}

	msg := []byte("projectNo=37SD370400-20261126-0001")
	ours, err := gm.Sign(priv, gm.DefaultUID, msg)
	if err != nil {
		t.Fatal(err)
	}
	if !gm.Verify(pub, gm.DefaultUID, msg, ours) {
		t.Fatal("our signature does not verify")
	}
	if gm.Verify(pub, "another-uid", msg, ours) {
		t.Fatal("our signature verifies under another uid")
	}

	c, err := gm.Encrypt(pub, msg)
	if err != nil {
		t.Fatal(err)
	}
	if c[0] != 4 || len(c) != 1+64+32+len(msg) {
		t.Fatalf("not C1 (uncompressed) ‖ C3 ‖ C2: %d bytes, first %#x", len(c), c[0])
	}
	if got, err := gm.Decrypt(priv, c); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("decrypt: %q %v", got, err)
	}
	if _, err := gm.PrivateKey("not hex"); err == nil {
		t.Error("a bad private key accepted")
	}
}
