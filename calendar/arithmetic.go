package calendar

import (
	"fmt"
	"time"

	"haochaping/internal/bjtime"
)

// AddWorkdays returns the n-th working day after day, day itself not counted: from Friday
// 2026-02-13, 1 working day is Saturday 2026-02-14 (调休上班) and 2 are 2026-02-24 (after 春节).
// With n = 0 it returns day itself, working day or not. The result is midnight UTC.
//
// It panics if n < 0: a negative number of working days is a programming or settings error
// the caller must catch before (the settings are small counts such as 1, 5 and 15).
func (c *Calendar) AddWorkdays(day time.Time, n int) time.Time {
	if n < 0 {
		panic(fmt.Sprintf("calendar: AddWorkdays with n = %d < 0", n))
	}
	d := norm(day)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween returns the number of working days d with from < d <= to, 0 when to is not
// after from; so WorkdaysBetween(d, AddWorkdays(d, n)) == n. It measures durations in working
// days, such as the average time a rectification took (平均整改时长).
func (c *Calendar) WorkdaysBetween(from, to time.Time) int {
	d, end := norm(from), norm(to)
	n := 0
	for d.Before(end) {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// DeadlineAfter returns when a step started at instant t is due, n working days given: the end
// (23:59:59.999999999 Beijing time) of the n-th working day after t's Beijing date. With n = 0
// it is the end of t's own Beijing day. The result is in bjtime.Location. It panics if n < 0,
// like AddWorkdays.
func (c *Calendar) DeadlineAfter(t time.Time, n int) time.Time {
	due := c.AddWorkdays(bjtime.Day(t), n)
	return bjtime.StartOfDay(due.AddDate(0, 0, 1)).Add(-time.Nanosecond)
}
