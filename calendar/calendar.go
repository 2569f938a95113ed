package calendar

import (
	"slices"
	"sync"
	"time"

	"haochaping/seeds/holidays"
)

// Calendar answers which days are working days. It is immutable once built and safe for
// concurrent use.
type Calendar struct {
	// overrides and lunar map a date (yyyymmdd) to whether it is worked.
	overrides map[int]bool
	lunar     map[int]bool
	// covered holds the years whose arrangement is known.
	covered map[int]bool
}

var (
	defaultOnce sync.Once
	defaultCal  *Calendar
)

// Default returns the calendar of lunar-go's arrangements with the shipped override file
// (seeds/holidays/holidays.yaml). It is built on first use and shared. It panics if the shipped
// file is invalid, which the tests of this package rule out.
func Default() *Calendar {
	defaultOnce.Do(func() {
		c, err := New(holidays.YAML)
		if err != nil {
			panic("calendar: seeds/holidays/holidays.yaml: " + err.Error())
		}
		defaultCal = c
	})
	return defaultCal
}

// New builds a calendar of lunar-go's arrangements with the given override YAML, in the format
// of seeds/holidays/holidays.yaml (empty input: no overrides).
func New(overrides []byte) (*Calendar, error) {
	ov, err := parseOverrides(overrides)
	if err != nil {
		return nil, err
	}
	lt := lunarTable()
	c := &Calendar{overrides: ov.days, lunar: lt.days, covered: make(map[int]bool)}
	for y := range lt.years {
		c.covered[y] = true
	}
	for y := range ov.years {
		c.covered[y] = true
	}
	return c, nil
}

// IsWorkday reports whether day is a working day: an override decides first, then a lunar-go
// entry (放假 or 调休上班), else Monday to Friday are working days.
func (c *Calendar) IsWorkday(day time.Time) bool {
	k := key(day)
	if work, ok := c.overrides[k]; ok {
		return work
	}
	if work, ok := c.lunar[k]; ok {
		return work
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Covers reports whether the State Council arrangement of year is known, from lunar-go or the
// overrides. For a year not covered, IsWorkday falls back to Monday to Friday (weekends only).
func (c *Calendar) Covers(year int) bool { return c.covered[year] }

// CoveredYears returns the covered years in increasing order.
func (c *Calendar) CoveredYears() []int {
	years := make([]int, 0, len(c.covered))
	for y := range c.covered {
		years = append(years, y)
	}
	slices.Sort(years)
	return years
}
