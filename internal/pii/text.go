package pii

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// numberRun is a run of digits — ASCII, full-width or Chinese numerals (一三八…, 〇 and 零 for
// 0, 幺 for 1 as phone numbers are read out), with spaces, dashes, dots or underscores inside,
// an X at the end — that may be a phone or ID number someone typed into free text ("请回电138…",
// "138.1234.5678", "一三八一二三四五六七八").
var numberRun = regexp.MustCompile(`[0-9０-９〇零幺一二三四五六七八九][0-9０-９〇零幺一二三四五六七八九 \-－._．＿·]*[0-9０-９〇零幺一二三四五六七八九XxＸｘ]`)

// chineseDigits are the numerals read as digits in a number run.
var chineseDigits = map[rune]rune{'〇': '0', '零': '0', '幺': '1', '一': '1', '二': '2', '三': '3', '四': '4', '五': '5', '六': '6',
	'七': '7', '八': '8', '九': '9'}

// replaceNumbers replaces the runs of 11 digits or more (a mobile number, a landline with its
// area code, an ID number); shorter ones (a ticket, a date, a count) stay, and so does a run
// that follows a Latin letter: the tail of a code such as a work-order number (ZG2026…) or a
// case number (SD370400-…), not a person's number.
func replaceNumbers(s string, f func(digits string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range numberRun.FindAllStringIndex(s, -1) {
		run := s[m[0]:m[1]]
		if prev, _ := utf8.DecodeLastRuneInString(s[:m[0]]); prev < utf8.RuneSelf && unicode.IsLetter(prev) {
			continue
		}
		digits := digitsOf(run)
		if len(strings.TrimSuffix(digits, "X")) < 11 {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(f(digits))
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// digitsOf is a number run's digits in ASCII, with a final X of an ID number.
func digitsOf(run string) string {
	var b strings.Builder
	for _, r := range run {
		switch {
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case chineseDigits[r] != 0:
			b.WriteRune(chineseDigits[r])
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'x' || r == 'X' || r == 'ｘ' || r == 'Ｘ':
			b.WriteRune('X')
		}
	}
	return b.String()
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

// maskedNumber is a number as MaskPhone and MaskIDNumber leave it (138****5678,
// 370402********1234): what a stored masked copy holds where the person's number was.
var maskedNumber = regexp.MustCompile(`[0-9]{3,6}\*{4,}[0-9]{3}[0-9X]`)

// HideNumbersInText removes them altogether, for text that leaves the system — the numbers
// typed in, and those a stored masked copy already shows masked.
func HideNumbersInText(s string) string {
	s = replaceNumbers(s, func(string) string { return "[已隐去]" })
	return maskedNumber.ReplaceAllString(s, "[已隐去]")
}

// MaskText is the masked copy of free text kept for display: the phone and ID numbers typed
// into it masked (MaskNumbersInText), and the names of the people of its record — the
// applicant, the evaluator, as the system knows them — masked as MaskName does (张三 → 张*).
// A one-character name is left alone: it would mask that character in every word.
func MaskText(s string, names ...string) string {
	s = MaskNumbersInText(s)
	longestFirst := slices.Clone(names)
	slices.SortFunc(longestFirst, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	for _, name := range longestFirst {
		name = strings.TrimSpace(name)
		if utf8.RuneCountInString(name) < 2 {
			continue
		}
		s = strings.ReplaceAll(s, name, MaskName(name))
	}
	return s
}
