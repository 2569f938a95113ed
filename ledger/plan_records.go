package ledger

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PlanEntry is an entry of the plan's ledgers as the seed data states it: a task of the work
// ledger (Annex 1) or a problem of the problem ledger (Annex 2).
type PlanEntry struct {
	Kind                                      Kind // work or problem
	No                                        int
	Focus, Level1, Level2, Level3, Assessment string
	Title, Requirement, Remarks               string
	Units, Leads                              []string // as written: 责任单位 / 责任部门, 牵头部门
	Deadlines                                 []PlanDeadline
}

// PlanDeadline is one deadline phrase of an entry, parsed.
type PlanDeadline struct {
	Text    string
	Due     time.Time
	Ongoing bool
}

// entryRecord is a row of ledger_entries.
type entryRecord struct {
	ID          int64 `gorm:"primaryKey"`
	Kind        string
	No          int
	Focus       string
	Level1      string `gorm:"column:level1"`
	Level2      string `gorm:"column:level2"`
	Level3      string `gorm:"column:level3"`
	Assessment  string
	Title       string
	Requirement string
	UnitNames   textArray
	LeadNames   textArray
	Remarks     string
	Due         *time.Time `gorm:"type:date"`
	Ongoing     bool
}

func (entryRecord) TableName() string { return "ledger_entries" }

type deadlineRecord struct {
	EntryID int64 `gorm:"primaryKey"`
	Seq     int   `gorm:"primaryKey"`
	Text    string
	Due     time.Time `gorm:"type:date"`
	Ongoing bool
}

func (deadlineRecord) TableName() string { return "ledger_deadlines" }

type assignmentRecord struct {
	EntryID      int64 `gorm:"primaryKey"`
	DepartmentID int64 `gorm:"primaryKey"`
	Lead         bool
}

func (assignmentRecord) TableName() string { return "ledger_assignments" }

// SavePlanEntry writes an entry of the plan with its deadlines and the units that report on it
// (units maps each unit name as written to its departments). An entry is matched by kind and
// number and updated in place; its status and the reports made on it are kept, and so are its
// assignments: a unit's reports refer to them.
func SavePlanEntry(tx *gorm.DB, e PlanEntry, units map[string][]int64) error {
	rec := entryRecord{Kind: string(e.Kind), No: e.No, Focus: e.Focus, Level1: e.Level1, Level2: e.Level2, Level3: e.Level3,
		Assessment: e.Assessment, Title: e.Title, Requirement: e.Requirement, UnitNames: e.Units,
		LeadNames: textArray(e.Leads), Remarks: e.Remarks}
	if rec.LeadNames == nil {
		rec.LeadNames = textArray{}
	}
	for _, d := range e.Deadlines {
		if rec.Due == nil || d.Due.After(*rec.Due) {
			due := d.Due
			rec.Due = &due
		}
		rec.Ongoing = rec.Ongoing || d.Ongoing
	}
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "kind"}, {Name: "no"}},
		DoUpdates: clause.AssignmentColumns([]string{"focus", "level1", "level2", "level3", "assessment", "title",
			"requirement", "unit_names", "lead_names", "remarks", "due", "ongoing"})}).Create(&rec).Error; err != nil {
		return fmt.Errorf("ledger entry %s %d: %w", e.Kind, e.No, err)
	}
	if err := tx.Where("entry_id = ?", rec.ID).Delete(&deadlineRecord{}).Error; err != nil {
		return fmt.Errorf("ledger entry %s %d: deadlines: %w", e.Kind, e.No, err)
	}
	if len(e.Deadlines) > 0 {
		ds := make([]deadlineRecord, len(e.Deadlines))
		for i, d := range e.Deadlines {
			ds[i] = deadlineRecord{EntryID: rec.ID, Seq: i + 1, Text: d.Text, Due: d.Due, Ongoing: d.Ongoing}
		}
		if err := tx.Create(&ds).Error; err != nil {
			return fmt.Errorf("ledger entry %s %d: deadlines: %w", e.Kind, e.No, err)
		}
	}
	var as []assignmentRecord
	for _, a := range []struct {
		names []string
		lead  bool
	}{{e.Units, false}, {e.Leads, true}} {
		for _, name := range a.names {
			ids, ok := units[name]
			if !ok {
				return fmt.Errorf("ledger entry %s %d: unit %q has no department", e.Kind, e.No, name)
			}
			for _, dept := range ids {
				as = append(as, assignmentRecord{EntryID: rec.ID, DepartmentID: dept, Lead: a.lead})
			}
		}
	}
	for _, a := range as { // one by one: a unit may be named twice, as a unit and as the lead
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "entry_id"}, {Name: "department_id"}},
			DoUpdates: clause.Assignments(map[string]any{"lead": gorm.Expr("ledger_assignments.lead OR EXCLUDED.lead")})}).
			Create(&a).Error; err != nil {
			return fmt.Errorf("ledger entry %s %d: assignment: %w", e.Kind, e.No, err)
		}
	}
	return nil
}

// textArray passes a Go string slice as a PostgreSQL text[] through gorm, which would
// otherwise expand a slice into a list of values.
type textArray []string

// Value encodes the array literal {"a","b"}.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
