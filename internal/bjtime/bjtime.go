// Package bjtime holds the business time zone, Asia/Shanghai: days, periods and deadlines
// are counted in Beijing time whatever the server's zone. Instants are stored as timestamptz.
package bjtime

import (
	"time"
	_ "time/tzdata" // the zone must resolve on a machine without a zoneinfo database
)

// Location is Asia/Shanghai.
var Location = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Day returns the Beijing calendar day of t, as midnight UTC of that date (the form a
// PostgreSQL date takes in Go).
func Day(t time.Time) time.Time {
	y, m, d := t.In(Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// StartOfDay returns the instant a Beijing calendar day begins.
func StartOfDay(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Location)
}

// Date builds a Beijing calendar day.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
