package pii

import (
	"bytes"
	"strings"
	"testing"
)

func testKeys(t *testing.T) *Keys {
	t.Helper()
	k, err := NewKeys(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := testKeys(t)
	sealed := k.Seal("13812345678")
	if bytes.Contains(sealed, []byte("13812345678")) {
		t.Fatal("sealed value contains the plaintext")
	}
	if bytes.Equal(sealed, k.Seal("13812345678")) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	got, err := k.Open(sealed)
	if err != nil || got != "13812345678" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := k.Open(sealed); err == nil {
		t.Fatal("a tampered value opened")
	}
	if k.Seal("") != nil {
		t.Fatal("empty value should seal to nil")
	}
	other, _ := NewKeys(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(k.Seal("x")); err == nil {
		t.Fatal("opened with the wrong key")
	}
}

func TestIndex(t *testing.T) {
	k := testKeys(t)
	if !bytes.Equal(k.Index("phone", "138"), k.Index("phone", "138")) {
		t.Fatal("index not deterministic")
	}
	if bytes.Equal(k.Index("phone", "138"), k.Index("id", "138")) {
		t.Fatal("kinds share an index")
	}
}

func TestMask(t *testing.T) {
	cases := []struct{ got, want string }{
		{MaskName("张三"), "张*"},
		{MaskName("欧阳娜娜"), "欧***"},
		{MaskName("张"), "张"},
		{MaskName(""), ""},
		{MaskPhone("13812345678"), "138****5678"},
		{MaskPhone("6321234"), "*****34"},
		{MaskIDNumber("370402199001011234"), "370402********1234"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestNumbersInText(t *testing.T) {
	in := "请回电13812345678或 0632-3312345，身份证370402199001011234，号码１３９１２３４５６７８；排队号A017，2026年11月26日"
	got := MaskNumbersInText(in)
	want := "请回电138****5678或 063****2345，身份证370402********1234，号码139****5678；排队号A017，2026年11月26日"
	if got != want {
		t.Errorf("masked:\n got %s\nwant %s", got, want)
	}
	if got := HideNumbersInText(in); strings.Contains(got, "1381") || strings.Contains(got, "3704021990") || !strings.Contains(got, "2026年11月26日") {
		t.Errorf("hidden: %s", got)
	}
}

// The spellings people use, which the mask once missed (issue 12): dots and underscores as
// separators, and numbers written or read out in Chinese numerals. Ordinary Chinese text and
// short numbers stay.
func TestNumbersInTextInEverySpelling(t *testing.T) {
	for in, want := range map[string]string{
		"电话138.1234.5678":       "电话138****5678",
		"电话138_1234_5678":       "电话138****5678",
		"电话138．1234．5678":       "电话138****5678",
		"电话一三八一二三四五六七八":         "电话138****5678",
		"电话幺三八幺二三四五六七八":         "电话138****5678",
		"电话一三八 一二三四 五六七八":       "电话138****5678",
		"身份证三七〇四〇二一九九〇〇一〇一一二三四": "身份证370402********1234",
		"第一二三号窗口，二〇二六年十二月一日":    "第一二三号窗口，二〇二六年十二月一日",
		"版本1.2.3，共12件":          "版本1.2.3，共12件",
	} {
		if got := MaskNumbersInText(in); got != want {
			t.Errorf("MaskNumbersInText(%q) = %q, want %q", in, got, want)
		}
	}
}
