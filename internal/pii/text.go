package pii

import (
	"regexp"
	"strings"
	"unicode"
)

// numberRun is a run of digits — ASCII or full-width, with spaces or dashes inside, an X at the
// end — that may be a phone or ID number a citizen typed into free text ("请回电138…").
var numberRun = regexp.MustCompile(`[0-9０-９][0-9０-９ \-－]*[0-9０-９XxＸｘ]`)

// replaceNumbers replaces the runs of 11 digits or more (a mobile number, a landline with its
// area code, an ID number); shorter ones (a ticket, a date, a count) stay.
func replaceNumbers(s string, f func(digits string) string) string {
	return numberRun.ReplaceAllStringFunc(s, func(run string) string {
		var b strings.Builder
		for _, r := range run {
			switch {
			case r >= '０' && r <= '９':
				b.WriteRune('0' + (r - '０'))
			case unicode.IsDigit(r):
				b.WriteRune(r)
			case r == 'x' || r == 'X' || r == 'ｘ' || r == 'Ｘ':
				b.WriteRune('X')
			}
		}
		digits := b.String()
		if len(strings.TrimSuffix(digits, "X")) < 11 {
			return run
		}
		return f(digits)
	})
}

// MaskNumbersInText masks, in free text shown on screens and in exports, the phone and ID
// numbers people typed into it, as the identities themselves are masked (138****5678).
func MaskNumbersInText(s string) string {
	return replaceNumbers(s, func(d string) string {
		if len(d) == 18 {
			return MaskIDNumber(d)
		}
		return MaskPhone(d)
	})
}

// HideNumbersInText removes them altogether, for text that leaves the system.
func HideNumbersInText(s string) string {
	return replaceNumbers(s, func(string) string { return "[已隐去]" })
}
