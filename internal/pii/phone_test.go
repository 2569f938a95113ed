package pii

import (
	"bytes"
	"testing"
)

func TestNormalPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812345678":       "13812345678",
		" 138 1234 5678 ":   "13812345678",
		"138-1234-5678":     "13812345678",
		"+86 138 1234 5678": "13812345678",
		"+86-13812345678":   "13812345678",
		"008613812345678":   "13812345678",
		"8613812345678":     "13812345678",
		"１３８１２３４５６７８":       "13812345678",
		"0632-3311234":      "06323311234",
		"(0632)3311234":     "06323311234",
		"（0632）3311234":     "06323311234",
		"+86 632 3311234":   "06323311234",
		"+86 10 12345678":   "01012345678",
		"+1 415 555 0100":   "+1 415 555 0100", // not ours
		"ZG20261201000001":  "ZG20261201000001",
		"A023":              "A023",
		"":                  "",
		"86123":             "86123",
		"861381234567":      "861381234567", // 12 digits: not a mobile with its country code
	} {
		if got := NormalPhone(in); got != want {
			t.Errorf("NormalPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhoneLike(t *testing.T) {
	for in, want := range map[string]bool{
		"13812345678": true, "06323311234": true, "01012345678": true, "0632331123": true,
		"12345678901": false, "3704001234": false, "A023": false, "": false, "063233112345678": false,
	} {
		if got := IsPhoneLike(in); got != want {
			t.Errorf("IsPhoneLike(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestPhoneIndexMatchesEveryWriting(t *testing.T) {
	k := testKeys(t)
	want := k.Index("phone", "13812345678")
	for _, in := range []string{"13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678"} {
		if got := k.PhoneIndex(in); !bytes.Equal(got, want) {
			t.Errorf("PhoneIndex(%q) differs from the digits'", in)
		}
	}
	if k.PhoneIndex("") != nil {
		t.Error("PhoneIndex of no phone is not nil")
	}
	if len(want) != 16 {
		t.Errorf("the index is %d bytes, want 16", len(want))
	}
}
