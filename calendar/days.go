package calendar

import "time"

// key is the date of day, read in day's own location, as yyyymmdd.
func key(day time.Time) int {
	y, m, d := day.Date()
	return y*10000 + int(m)*100 + d
}

// norm returns the date of day, read in day's own location, as midnight UTC.
func norm(day time.Time) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
