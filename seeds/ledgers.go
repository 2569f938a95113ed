package seeds

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"haochaping/seeds/plan"
)

// seedLedgers writes the plan's two ledgers (Annexes 1 and 2) as ledger entries, with their
// deadlines and the units that report on them. Entries are matched by kind and number and
// updated in place; their status and the reports made on them are kept.
func seedLedgers(tx *gorm.DB) error {
	l, err := plan.Load()
	if err != nil {
		return err
	}
	units, err := resolveUnits(tx, l.Units)
	if err != nil {
		return err
	}
	for _, t := range l.Tasks {
		e := entry{kind: "work", no: t.No, focus: t.Focus, level1: t.Level1, level2: t.Level2, level3: t.Level3,
			assessment: t.Assessment, title: t.Target, units: t.Units, remarks: t.Remarks, deadlines: t.Deadlines}
		if err := e.write(tx, units); err != nil {
			return fmt.Errorf("work ledger task %d: %w", t.No, err)
		}
	}
	for _, p := range l.Problems {
		e := entry{kind: "problem", no: p.No, title: p.Problem, requirement: p.Requirement, units: p.ResponsibleUnits,
			leads: p.LeadUnits, remarks: p.Remarks, deadlines: p.Deadlines}
		if err := e.write(tx, units); err != nil {
			return fmt.Errorf("problem ledger problem %d: %w", p.No, err)
		}
	}
	return nil
}

type entry struct {
	kind                                      string
	no                                        int
	focus, level1, level2, level3, assessment string
	title, requirement, remarks               string
	units, leads                              []string
	deadlines                                 []plan.Deadline
}

func (e *entry) write(tx *gorm.DB, units map[string][]int64) error {
	var due *time.Time
	ongoing := false
	for _, d := range e.deadlines {
		if due == nil || d.Due.After(*due) {
			dd := d.Due
			due = &dd
		}
		ongoing = ongoing || d.Ongoing
	}
	leads := e.leads
	if leads == nil {
		leads = []string{}
	}
	var id int64
	err := tx.Raw(`
		INSERT INTO ledger_entries (kind, no, focus, level1, level2, level3, assessment, title, requirement,
		                            unit_names, lead_names, remarks, due, ongoing)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, no) DO UPDATE SET focus = EXCLUDED.focus, level1 = EXCLUDED.level1, level2 = EXCLUDED.level2,
		    level3 = EXCLUDED.level3, assessment = EXCLUDED.assessment, title = EXCLUDED.title,
		    requirement = EXCLUDED.requirement, unit_names = EXCLUDED.unit_names, lead_names = EXCLUDED.lead_names,
		    remarks = EXCLUDED.remarks, due = EXCLUDED.due, ongoing = EXCLUDED.ongoing
		RETURNING id`, e.kind, e.no, e.focus, e.level1, e.level2, e.level3, e.assessment, e.title, e.requirement,
		pgTextArray(e.units), pgTextArray(leads), e.remarks, due, ongoing).Scan(&id).Error
	if err != nil {
		return err
	}
	if err := tx.Exec(`DELETE FROM ledger_deadlines WHERE entry_id = ?`, id).Error; err != nil {
		return err
	}
	for i, d := range e.deadlines {
		if err := tx.Exec(`INSERT INTO ledger_deadlines (entry_id, seq, text, due, ongoing) VALUES (?, ?, ?, ?, ?)`,
			id, i+1, d.Text, d.Due, d.Ongoing).Error; err != nil {
			return err
		}
	}
	// Assignments are added, never removed: a unit's reports refer to its assignment.
	assign := func(names []string, lead bool) error {
		for _, name := range names {
			ids, ok := units[name]
			if !ok {
				return fmt.Errorf("unit %q is not in seeds/plan/units.yaml", name)
			}
			for _, dept := range ids {
				if err := tx.Exec(`INSERT INTO ledger_assignments (entry_id, department_id, lead) VALUES (?, ?, ?)
					ON CONFLICT (entry_id, department_id) DO UPDATE SET lead = ledger_assignments.lead OR EXCLUDED.lead`,
					id, dept, lead).Error; err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := assign(e.units, false); err != nil {
		return err
	}
	return assign(e.leads, true)
}

// resolveUnits turns the plan's unit names into department ids.
func resolveUnits(tx *gorm.DB, mapping map[string][]string) (map[string][]int64, error) {
	out := map[string][]int64{}
	for name, targets := range mapping {
		for _, target := range targets {
			var ids []int64
			var err error
			switch target {
			case plan.DistrictGovernments:
				err = tx.Raw(`SELECT d.id FROM departments d JOIN regions r ON r.id = d.region_id
					WHERE r.level = 'district' AND d.code = r.code || '-ZF' ORDER BY d.id`).Scan(&ids).Error
			case plan.CityDepartments:
				err = tx.Raw(`SELECT d.id FROM departments d JOIN regions r ON r.id = d.region_id
					WHERE r.level = 'city' ORDER BY d.id`).Scan(&ids).Error
			default:
				err = tx.Raw(`SELECT id FROM departments WHERE code = ?`, target).Scan(&ids).Error
			}
			if err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				return nil, fmt.Errorf("seeds/plan/units.yaml: %s → %s matches no department", name, target)
			}
			out[name] = append(out[name], ids...)
		}
	}
	return out, nil
}

// pgTextArray passes a Go string slice as a PostgreSQL text[] through gorm, which would
// otherwise expand a slice into a list of values.
type pgTextArray []string

// Value encodes the array literal {"a","b"}.
func (a pgTextArray) Value() (driver.Value, error) {
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
