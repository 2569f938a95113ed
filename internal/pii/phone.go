package pii

import "strings"

// NormalPhone is the form a phone number is matched in: digits alone. People read a number
// out or type it as they see it — "138 1234 5678", "138-1234-5678", "0632-3311234",
// "(0632)3311234", "+86 138 1234 5678", full-width digits from a Chinese IME — and every one of
// those is the same number. The country code of China (+86, 0086, or 86 before a mobile
// number) is dropped; after it a fixed line takes back its trunk 0 (+86 632 3311234 is
// 06323311234). A value that is not a phone number once spaces and separators are gone is
// returned trimmed and unchanged, so that it never matches one by accident.
func NormalPhone(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	plus := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９': // full-width digits
			b.WriteRune('0' + (r - '０'))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '\u3000' || r == '-' || r == '－' || r == '—' || r == '.' ||
			r == '(' || r == ')' || r == '（' || r == '）':
		default:
			return s
		}
	}
	d := b.String()
	if d == "" {
		return s
	}
	switch {
	case plus && strings.HasPrefix(d, "86"):
		d = domestic(d[2:])
	case plus:
		return s // another country's number is not one of ours to normalise
	case strings.HasPrefix(d, "0086") && len(d) > 4:
		d = domestic(d[4:])
	case len(d) == 13 && strings.HasPrefix(d, "86") && isMobile(d[2:]):
		d = d[2:]
	}
	return d
}

// domestic is a number after the country code as dialled at home: a mobile as it is, a fixed
// line with its trunk 0.
func domestic(d string) string {
	if isMobile(d) || strings.HasPrefix(d, "0") {
		return d
	}
	return "0" + d
}

// isMobile reports whether d is a mainland mobile number: 11 digits, 13x to 19x.
func isMobile(d string) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
}

// IsPhoneLike reports whether a normalised value has the shape of a mainland phone number as
// people give it — a mobile number, or a fixed line with its area code (0 and 9 to 11 more
// digits) — so that a search treats it as a phone only and never sends it in clear.
func IsPhoneLike(normal string) bool {
	if !allDigits(normal) {
		return false
	}
	return isMobile(normal) || (normal[0] == '0' && len(normal) >= 10 && len(normal) <= 12)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsPhoneDigits reports whether a normalised value is digits of a length a phone number can
// have (7 to 20), and so worth looking up by its keyed hash.
func IsPhoneDigits(normal string) bool {
	return allDigits(normal) && len(normal) >= 7 && len(normal) <= 20
}

// PhoneIndex is the keyed hash of a phone number in its normal form (NormalPhone): the one
// every phone is stored and looked up by, so that the same number written two ways matches.
func (k *Keys) PhoneIndex(phone string) []byte {
	return k.Index("phone", NormalPhone(phone))
}

// PhoneIndexes are the phone's keyed hashes under every configured key (Indexes), current first.
func (k *Keys) PhoneIndexes(phone string) [][]byte {
	return k.Indexes("phone", NormalPhone(phone))
}
