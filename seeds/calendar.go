package seeds

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"haochaping/calendar"
)

// The years whose working days SQL may need: deadlines and durations of the loop, and the
// demo history.
const calendarFrom, calendarTo = 2018, 2035

// seedCalendar writes calendar_days from the calendar package, so that SQL can count working
// days (the difference of two days' seq). Days the calendar now judges otherwise are updated.
func seedCalendar(tx *gorm.DB, cal *calendar.Calendar) error {
	seq := 0
	day := time.Date(calendarFrom, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(calendarTo+1, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 500
	var values []any
	flush := func() error {
		if len(values) == 0 {
			return nil
		}
		sql := "INSERT INTO calendar_days (day, workday, seq) VALUES "
		for i := 0; i < len(values)/3; i++ {
			if i > 0 {
				sql += ","
			}
			sql += "(?, ?, ?)"
		}
		sql += " ON CONFLICT (day) DO UPDATE SET workday = EXCLUDED.workday, seq = EXCLUDED.seq"
		if err := tx.Exec(sql, values...).Error; err != nil {
			return fmt.Errorf("calendar days: %w", err)
		}
		values = values[:0]
		return nil
	}
	for ; day.Before(end); day = day.AddDate(0, 0, 1) {
		work := cal.IsWorkday(day)
		if work {
			seq++
		}
		values = append(values, day, work, seq)
		if len(values) == 3*batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
