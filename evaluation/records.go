package evaluation

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The records this package owns besides the ratings — the organisation that is rated (org.go),
// the reason sets and the city-wide settings — are written through gorm models, here. Seeds
// and, later, the office's administration pages call these.

// OrgRecord is a record of the organisation.
type OrgRecord interface {
	Region | Department | Hall | ServiceWindow | Staff | ServiceItem
}

// SaveOrg writes records of the organisation, each matched to the one already there by its
// natural key column (code; staff_no for staff) and updated in place; the rows get their ids.
func SaveOrg[T OrgRecord](tx *gorm.DB, key string, rows []*T) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: key}}, UpdateAll: true}).Create(rows).Error
}

// ReasonSetVersion is one version of the national reason lists (评价指标).
type ReasonSetVersion struct {
	Version       int `gorm:"primaryKey"`
	EffectiveFrom time.Time
	Note          string
}

// reasonRecord is a reason as stored.
type reasonRecord struct {
	Version  int    `gorm:"primaryKey"`
	Kind     string `gorm:"primaryKey"`
	Code     string `gorm:"primaryKey"`
	Name     string
	Position int
}

func (reasonRecord) TableName() string { return "reasons" }

// SaveReasonSet writes a version of the reason lists and its reasons, in their order; a
// version written before is updated.
func SaveReasonSet(tx *gorm.DB, v ReasonSetVersion, reasons []Reason) error {
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "version"}},
		DoUpdates: clause.AssignmentColumns([]string{"effective_from", "note"})}).Create(&v).Error; err != nil {
		return fmt.Errorf("reason set %d: %w", v.Version, err)
	}
	position := map[ReasonKind]int{}
	rows := make([]reasonRecord, len(reasons))
	for i, r := range reasons {
		rows[i] = reasonRecord{Version: v.Version, Kind: string(r.Kind), Code: r.Code, Name: r.Name, Position: position[r.Kind]}
		position[r.Kind]++
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "version"}, {Name: "kind"}, {Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "position"})}).Create(&rows).Error; err != nil {
		return fmt.Errorf("reasons of set %d: %w", v.Version, err)
	}
	return nil
}

// setting is a row of settings: a region's value, or (RegionID nil) the city-wide default.
type setting struct {
	RegionID *int64
	Key      string
	Value    string
}

// SaveDefaultSettings writes the city-wide defaults of the settings; a value already there —
// perhaps changed by an operator — is kept.
func SaveDefaultSettings(tx *gorm.DB, values map[string]string) error {
	if len(values) == 0 {
		return nil
	}
	rows := make([]setting, 0, len(values))
	for k, v := range values {
		rows = append(rows, setting{Key: k, Value: v})
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}
