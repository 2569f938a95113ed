package calendar

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// calendarDay is a row of calendar_days, which this package owns: the calendar in a form SQL
// can count with (the working days between two dates are the difference of their seq).
type calendarDay struct {
	Day     time.Time `gorm:"primaryKey;type:date"`
	Workday bool
	Seq     int
}

// SaveDays writes calendar_days for every day of the years from..to, as c judges them; a day
// judged otherwise since is updated.
func SaveDays(tx *gorm.DB, c *Calendar, from, to int) error {
	var rows []calendarDay
	seq := 0
	end := time.Date(to+1, 1, 1, 0, 0, 0, 0, time.UTC)
	for day := time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC); day.Before(end); day = day.AddDate(0, 0, 1) {
		work := c.IsWorkday(day)
		if work {
			seq++
		}
		rows = append(rows, calendarDay{Day: day, Workday: work, Seq: seq})
	}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "day"}},
		DoUpdates: clause.AssignmentColumns([]string{"workday", "seq"})}).CreateInBatches(rows, 500).Error
	if err != nil {
		return fmt.Errorf("calendar days: %w", err)
	}
	return nil
}
