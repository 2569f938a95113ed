package pii

import (
	"strings"
	"unicode/utf8"
)

// MaskName keeps the first character of a person's name: 张三 → 张*, 欧阳娜娜 → 欧***.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	first, size := utf8.DecodeRuneInString(name)
	return string(first) + strings.Repeat("*", utf8.RuneCountInString(name[size:]))
}

// MaskPhone keeps the first three and last four digits: 13812345678 → 138****5678.
// Shorter numbers keep only their last two.
func MaskPhone(phone string) string {
	r := []rune(strings.TrimSpace(phone))
	switch {
	case len(r) == 0:
		return ""
	case len(r) >= 11:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) > 2:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	default:
		return strings.Repeat("*", len(r))
	}
}

// MaskIDNumber keeps the region prefix and the last four characters of an ID number.
func MaskIDNumber(id string) string {
	r := []rune(strings.TrimSpace(id))
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}
