package seeds

import (
	"gorm.io/gorm"

	"haochaping/calendar"
)

// The years whose working days SQL may need: deadlines and durations of the loop, and the
// demo history.
const calendarFrom, calendarTo = 2018, 2035

// seedCalendar writes calendar_days from the calendar package, so that SQL can count working
// days (the difference of two days' seq). Days the calendar now judges otherwise are updated.
func seedCalendar(tx *gorm.DB, cal *calendar.Calendar) error {
	return calendar.SaveDays(tx, cal, calendarFrom, calendarTo)
}
