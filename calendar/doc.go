// Package calendar is the working-day calendar (工作日历) the deadlines of the bad-review loop
// are counted on: the State Council holiday arrangements with their 调休 (weekend days worked to
// make up for a longer holiday), in Beijing time.
//
// A day is a time.Time whose year, month and day (in its own location) name a Beijing calendar
// date; by convention it is midnight UTC of that date, as bjtime.Day returns, and every day this
// package returns has that form. To get the day of an instant, use bjtime.Day.
//
// Where the rules come from, in order of precedence:
//  1. the override file (seeds/holidays/holidays.yaml, see package holidays): days off (放假)
//     and worked weekend days (调休上班) for the years listed there;
//  2. the State Council arrangements bundled in github.com/6tail/lunar-go (HolidayUtil),
//     v1.4.7 knowing 2002 to 2027;
//  3. otherwise Monday to Friday are working days and weekends are not.
//
// A year is covered when its arrangement is known (rule 1 or 2). For a year that is not covered
// the calendar falls back to rule 3, weekends only: public holidays are then counted as working
// days, so deadlines in such a year may come too early. Callers that can tell someone (the
// calendar command, a report) should warn when Covers is false.
//
// It owns the table calendar_days: the calendar in a form SQL can count with (store.go).
package calendar
