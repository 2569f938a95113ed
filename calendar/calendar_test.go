package calendar

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"haochaping/internal/bjtime"
)

// day parses YYYY-MM-DD as a day (midnight UTC).
func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDefaultCalendarLoadsShippedOverrides(t *testing.T) {
	t.Parallel()
	c := Default()
	if c == nil || c != Default() {
		t.Fatal("Default must build one shared calendar")
	}
	if !c.Covers(2026) {
		t.Error("Default must cover 2026")
	}
}

func TestIsWorkday2026(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name string
		days []string
		want bool
	}{
		// 元旦: 1/1–1/3 off, Sunday 1/4 worked.
		{"New Year off", []string{"2026-01-01", "2026-01-02", "2026-01-03"}, false},
		{"New Year Sunday worked", []string{"2026-01-04"}, true},
		// 春节: Saturday 2/14 worked, 2/15–2/23 off, Saturday 2/28 worked.
		{"before Spring Festival", []string{"2026-02-12", "2026-02-13"}, true},
		{"Spring Festival Saturday worked (调休上班)", []string{"2026-02-14"}, true},
		{"Spring Festival off (放假)", []string{
			"2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
			"2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
		}, false},
		{"after Spring Festival", []string{"2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27"}, true},
		{"Spring Festival Saturday 2/28 worked (调休上班)", []string{"2026-02-28"}, true},
		{"Sunday after Spring Festival", []string{"2026-03-01"}, false},
		{"Monday 3/2", []string{"2026-03-02"}, true},
		// 中秋 9/25–9/27 and 国庆: Sunday 9/20 worked, 10/1–10/7 off, Saturday 10/10 worked.
		{"Saturday 9/19", []string{"2026-09-19"}, false},
		{"National Day Sunday 9/20 worked (调休上班)", []string{"2026-09-20"}, true},
		{"week of 9/21", []string{"2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24"}, true},
		{"Mid-Autumn off", []string{"2026-09-25", "2026-09-26", "2026-09-27"}, false},
		{"before National Day", []string{"2026-09-28", "2026-09-29", "2026-09-30"}, true},
		{"National Day off (放假)", []string{
			"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
			"2026-10-05", "2026-10-06", "2026-10-07",
		}, false},
		{"after National Day", []string{"2026-10-08", "2026-10-09"}, true},
		{"National Day Saturday 10/10 worked (调休上班)", []string{"2026-10-10"}, true},
		{"Sunday 10/11", []string{"2026-10-11"}, false},
		{"ordinary weekend", []string{"2026-11-28", "2026-11-29"}, false},
		{"ordinary weekdays", []string{"2026-11-23", "2026-11-27"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, s := range tt.days {
				if got := c.IsWorkday(day(t, s)); got != tt.want {
					t.Errorf("IsWorkday(%s) = %v, want %v", s, got, tt.want)
				}
			}
		})
	}
}

func TestIsWorkdayReadsTheDateOfItsLocation(t *testing.T) {
	t.Parallel()
	c := Default()
	// Midnight Beijing time of Saturday 2026-02-14 (worked) is 16:00 UTC on Friday the 13th: the
	// date is read in the value's own location.
	if !c.IsWorkday(time.Date(2026, 2, 15, 0, 0, 0, 0, bjtime.Location).Add(-time.Hour)) {
		t.Error("2026-02-14 23:00 Beijing: want a working day")
	}
	if c.IsWorkday(time.Date(2026, 2, 15, 9, 0, 0, 0, bjtime.Location)) {
		t.Error("2026-02-15 09:00 Beijing: want a day off")
	}
}

func TestAddWorkdays(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-02-13", 0, "2026-02-13"},
		{"2026-02-15", 0, "2026-02-15"}, // n = 0 returns the day even when it is off
		{"2026-02-13", 1, "2026-02-14"}, // Saturday 2/14 is worked
		{"2026-02-14", 1, "2026-02-24"}, // over 春节
		{"2026-02-16", 1, "2026-02-24"}, // from inside the holiday
		{"2026-02-13", 2, "2026-02-24"},
		{"2026-02-13", 5, "2026-02-27"},
		{"2026-02-23", 5, "2026-02-28"}, // Saturday 2/28 is worked
		{"2026-02-12", 15, "2026-03-11"},
		{"2026-09-18", 1, "2026-09-20"}, // Sunday 9/20 is worked
		{"2026-09-24", 1, "2026-09-28"}, // over 中秋
		{"2026-09-30", 1, "2026-10-08"}, // over 国庆
		{"2026-10-09", 1, "2026-10-10"}, // Saturday 10/10 is worked
		{"2026-09-29", 5, "2026-10-12"},
		{"2026-09-18", 15, "2026-10-15"},
		{"2026-12-31", 1, "2027-01-04"}, // 2027 元旦 1/1–1/3
		{"2026-11-27", 1, "2026-11-30"}, // an ordinary weekend
	}
	for _, tt := range tests {
		got := c.AddWorkdays(day(t, tt.from), tt.n)
		if want := day(t, tt.want); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("AddWorkdays(%s, %d) = %v, want %s (midnight UTC)", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestAddWorkdaysNegativePanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("AddWorkdays(d, -1) must panic")
		}
	}()
	Default().AddWorkdays(day(t, "2026-02-13"), -1)
}

func TestWorkdaysBetween(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-02-13", "2026-02-13", 0},
		{"2026-02-24", "2026-02-13", 0}, // to before from
		{"2026-02-13", "2026-02-14", 1},
		{"2026-02-13", "2026-02-24", 2},
		{"2026-02-14", "2026-02-24", 1},
		{"2026-02-14", "2026-02-23", 0}, // the whole holiday
		{"2026-02-12", "2026-03-11", 15},
		{"2026-09-30", "2026-10-08", 1},
		{"2026-09-30", "2026-10-10", 3},
		{"2026-09-18", "2026-10-15", 15},
		{"2026-11-27", "2026-11-30", 1},
	}
	for _, tt := range tests {
		if got := c.WorkdaysBetween(day(t, tt.from), day(t, tt.to)); got != tt.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
	// WorkdaysBetween undoes AddWorkdays, working day or not at the start.
	for d := day(t, "2026-01-01"); d.Year() == 2026; d = d.AddDate(0, 0, 3) {
		for _, n := range []int{0, 1, 5, 15} {
			if got := c.WorkdaysBetween(d, c.AddWorkdays(d, n)); got != n {
				t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%s, %d)) = %d", d.Format(time.DateOnly), d.Format(time.DateOnly), n, got)
			}
		}
	}
}

func TestDeadlineAfter(t *testing.T) {
	t.Parallel()
	c := Default()
	endOf := func(s string) time.Time {
		d := day(t, s)
		return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 999999999, bjtime.Location)
	}
	tests := []struct {
		name string
		at   time.Time
		n    int
		want time.Time
	}{
		// 2026-02-13 23:30 UTC is Saturday 2026-02-14 07:30 in Beijing (a worked day).
		{"23:30 UTC n=0 is the end of the Beijing day", time.Date(2026, 2, 13, 23, 30, 0, 0, time.UTC), 0, endOf("2026-02-14")},
		{"23:30 UTC n=1 crosses 春节", time.Date(2026, 2, 13, 23, 30, 0, 0, time.UTC), 1, endOf("2026-02-24")},
		{"23:30 UTC n=5", time.Date(2026, 2, 13, 23, 30, 0, 0, time.UTC), 5, endOf("2026-02-28")},
		// The same instant counted from the UTC date would give 2026-02-14.
		{"15:59 UTC is still 2/13 in Beijing", time.Date(2026, 2, 13, 15, 59, 0, 0, time.UTC), 1, endOf("2026-02-14")},
		// 2026-09-30 23:30 UTC is 10/1 07:30 in Beijing, inside 国庆.
		{"23:30 UTC inside 国庆", time.Date(2026, 9, 30, 23, 30, 0, 0, time.UTC), 1, endOf("2026-10-08")},
		{"Beijing time input", time.Date(2026, 10, 9, 10, 0, 0, 0, bjtime.Location), 1, endOf("2026-10-10")},
		{"n=0 on a day off", time.Date(2026, 10, 3, 10, 0, 0, 0, bjtime.Location), 0, endOf("2026-10-03")},
		{"15 working days", time.Date(2026, 9, 18, 9, 0, 0, 0, bjtime.Location), 15, endOf("2026-10-15")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := c.DeadlineAfter(tt.at, tt.n)
			if !got.Equal(tt.want) {
				t.Errorf("DeadlineAfter(%v, %d) = %v, want %v", tt.at, tt.n, got, tt.want)
			}
			if got.Add(time.Nanosecond).In(bjtime.Location).Hour() != 0 {
				t.Errorf("DeadlineAfter(%v, %d) = %v is not the last instant of a Beijing day", tt.at, tt.n, got)
			}
		})
	}
}

func TestOverrideFakeYear(t *testing.T) {
	t.Parallel()
	// 2031-01-01 is a Wednesday; 2031-01-04 a Saturday.
	c, err := New([]byte(`
years:
  2031:
    holidays: [2031-01-01, 2031-01-02]
    workdays: [2031-01-04]
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day  string
		want bool
	}{
		{"2030-12-31", true}, // 2030 is not covered: Monday to Friday
		{"2031-01-01", false},
		{"2031-01-02", false},
		{"2031-01-03", true},
		{"2031-01-04", true},
		{"2031-01-05", false},
		{"2031-01-06", true},
		{"2031-01-11", false}, // an ordinary Saturday of a covered year
	}
	for _, tt := range tests {
		if got := c.IsWorkday(day(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	if got := c.AddWorkdays(day(t, "2030-12-31"), 2); !got.Equal(day(t, "2031-01-04")) {
		t.Errorf("AddWorkdays(2030-12-31, 2) = %s, want 2031-01-04", got.Format(time.DateOnly))
	}
	if !c.Covers(2031) || c.Covers(2030) {
		t.Errorf("Covers(2031), Covers(2030) = %v, %v; want true, false", c.Covers(2031), c.Covers(2030))
	}
	if years := c.CoveredYears(); !slices.Contains(years, 2031) || !slices.Contains(years, 2026) {
		t.Errorf("CoveredYears() = %v, want 2031 and 2026 among them", years)
	}
}

func TestOverrideTakesPrecedenceOverLunarGo(t *testing.T) {
	t.Parallel()
	c, err := New([]byte(`
years:
  2026:
    holidays: [2026-02-14]   # lunar-go: worked
    workdays: [2026-02-15]   # lunar-go: off
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-02-14", false},
		{"2026-02-15", true},
		{"2026-02-16", false}, // not overridden: lunar-go decides
		{"2026-02-28", true},  // not overridden: lunar-go decides
	}
	for _, tt := range tests {
		if got := c.IsWorkday(day(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
}

func TestOverrideErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"not a date", "years:\n  2031:\n    holidays: [2031-13-01]\n", "not a date"},
		{"wrong year", "years:\n  2031:\n    workdays: [2030-01-05]\n", "not in 2031"},
		{"in both lists", "years:\n  2031:\n    holidays: [2031-01-01]\n    workdays: [2031-01-01]\n", "both"},
		{"unknown key", "years:\n  2031:\n    holiday: [2031-01-01]\n", "holiday"},
		{"bad YAML", "years: [", "calendar overrides"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%q) error = %v, want one mentioning %q", tt.yaml, err, tt.want)
			}
		})
	}
	for _, empty := range []string{"", "years: {}\n", "# nothing\n"} {
		if _, err := New([]byte(empty)); err != nil {
			t.Errorf("New(%q): %v", empty, err)
		}
	}
}

func TestUncoveredYearFallsBackToWeekends(t *testing.T) {
	t.Parallel()
	c := Default()
	if c.Covers(2029) {
		t.Skip("2029 is covered now: pick a later year")
	}
	tests := []struct {
		day  string
		want bool
	}{
		{"2029-01-01", true}, // New Year's Day, but the arrangement is not known
		{"2029-01-05", true},
		{"2029-01-06", false},
		{"2029-01-07", false},
		{"2029-10-01", true},
	}
	for _, tt := range tests {
		if got := c.IsWorkday(day(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	if got := c.AddWorkdays(day(t, "2029-01-05"), 1); !got.Equal(day(t, "2029-01-08")) {
		t.Errorf("AddWorkdays(2029-01-05, 1) = %s, want 2029-01-08", got.Format(time.DateOnly))
	}
}

func TestCovers(t *testing.T) {
	t.Parallel()
	c := Default()
	for year, want := range map[int]bool{
		1999: false,
		2001: false, // lunar-go has only 2001-12-29/30, worked for the 2002 New Year
		2002: true,
		2020: true,
		2025: true,
		2026: true,
		2027: true,
		2100: false,
	} {
		if got := c.Covers(year); got != want {
			t.Errorf("Covers(%d) = %v, want %v", year, got, want)
		}
	}
	years := c.CoveredYears()
	if !slices.IsSorted(years) || len(years) == 0 || years[0] != 2002 || !slices.Contains(years, 2027) {
		t.Errorf("CoveredYears() = %v, want sorted from 2002 through at least 2027", years)
	}
	years[0] = 0
	if c.CoveredYears()[0] != 2002 {
		t.Error("CoveredYears must return a copy")
	}
}

func TestCalendarConcurrentUse(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := Default()
			for range 100 {
				if got := c.AddWorkdays(time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC), 1); got.Day() != 24 {
					t.Errorf("AddWorkdays = %v", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
