package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"haochaping/calendar"
)

// maxCalendarDays bounds N in `calendar workdays` (about forty years of working days).
const maxCalendarDays = 10000

const calendarUsage = "usage: haochaping calendar workdays FROM N | is-workday DATE (dates YYYY-MM-DD)"

// runCalendar answers questions on the working-day calendar (State Council arrangements with
// 调休). It needs neither the database nor any setting.
//
//	haochaping calendar workdays FROM N   the date N working days after FROM
//	haochaping calendar is-workday DATE   yes or no
func runCalendar(_ context.Context, args []string) error {
	return calendarCommand(calendar.Default(), args, os.Stdout, os.Stderr)
}

// calendarCommand runs the calendar command on cal, answering on stdout; usage errors and
// warnings go to stderr. On bad input it prints one line and returns errUsage.
func calendarCommand(cal *calendar.Calendar, args []string, stdout, stderr io.Writer) error {
	bad := func(format string, a ...any) error {
		fmt.Fprintf(stderr, "haochaping calendar: "+format+"\n", a...)
		return errUsage
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, calendarUsage)
		return errUsage
	}
	switch args[0] {
	case "workdays":
		if len(args) != 3 {
			fmt.Fprintln(stderr, "usage: haochaping calendar workdays FROM N (FROM is YYYY-MM-DD, N a number of working days ≥ 0)")
			return errUsage
		}
		from, err := parseCalendarDate(args[1])
		if err != nil {
			return bad("%q is not a date YYYY-MM-DD", args[1])
		}
		n, err := strconv.Atoi(args[2])
		if err != nil || n < 0 || n > maxCalendarDays {
			return bad("%q is not a number of working days from 0 to %d", args[2], maxCalendarDays)
		}
		to := cal.AddWorkdays(from, n)
		warnUncovered(cal, from.Year(), to.Year(), stderr)
		_, err = fmt.Fprintln(stdout, to.Format(time.DateOnly))
		return err
	case "is-workday":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: haochaping calendar is-workday DATE (YYYY-MM-DD)")
			return errUsage
		}
		d, err := parseCalendarDate(args[1])
		if err != nil {
			return bad("%q is not a date YYYY-MM-DD", args[1])
		}
		warnUncovered(cal, d.Year(), d.Year(), stderr)
		answer := "no"
		if cal.IsWorkday(d) {
			answer = "yes"
		}
		_, err = fmt.Fprintln(stdout, answer)
		return err
	case "-h", "--help", "help":
		fmt.Fprintln(stderr, calendarUsage)
		return errUsage
	}
	return bad("unknown action %q (workdays, is-workday)", args[0])
}

// parseCalendarDate reads YYYY-MM-DD as a day (midnight UTC).
func parseCalendarDate(s string) (time.Time, error) {
	return time.Parse(time.DateOnly, s)
}

// warnUncovered warns on stderr for each year from first to last whose arrangement the
// calendar does not know: the answer then counts weekends only as days off.
func warnUncovered(cal *calendar.Calendar, first, last int, stderr io.Writer) {
	for y := first; y <= last; y++ {
		if !cal.Covers(y) {
			fmt.Fprintf(stderr, "calendar: the State Council arrangement for %d is not known; weekends only are days off "+
				"that year (add it to seeds/holidays/holidays.yaml once published)\n", y)
		}
	}
}
