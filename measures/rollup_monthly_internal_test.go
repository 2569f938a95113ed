package measures

import (
	"testing"
	"time"
)

func TestWholeMonthsOfAPeriod(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse("2006-01-02", s); return v }
	for _, c := range []struct{ from, to, first, end string }{
		{"2025-12-03", "2026-12-02", "2026-01-01", "2026-12-01"}, // a year: eleven whole months
		{"2026-10-01", "2026-10-31", "2026-10-01", "2026-11-01"}, // exactly a month
		{"2026-10-02", "2026-11-30", "2026-11-01", "2026-12-01"},
		{"2026-10-02", "2026-10-30", "", ""}, // inside a month: none
		{"2026-02-01", "2026-02-28", "2026-02-01", "2026-03-01"},
		{"2026-12-01", "2026-12-01", "", ""},
	} {
		first, end := wholeMonths(d(c.from), d(c.to))
		if c.first == "" {
			if !first.Equal(end) {
				t.Errorf("%s..%s: [%s, %s), want none", c.from, c.to, first.Format(time.DateOnly), end.Format(time.DateOnly))
			}
			continue
		}
		if !first.Equal(d(c.first)) || !end.Equal(d(c.end)) {
			t.Errorf("%s..%s: [%s, %s), want [%s, %s)", c.from, c.to, first.Format(time.DateOnly), end.Format(time.DateOnly), c.first, c.end)
		}
	}
	if got := monthsOf([]time.Time{d("2026-11-30"), d("2026-10-02"), d("2026-11-01")}); len(got) != 2 ||
		!got[0].Equal(d("2026-10-01")) || !got[1].Equal(d("2026-11-01")) {
		t.Errorf("monthsOf: %v", got)
	}
}
