package seeds

import (
	"fmt"

	"gorm.io/gorm"

	"haochaping/ledger"
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
		e := ledger.PlanEntry{Kind: ledger.Work, No: t.No, Focus: t.Focus, Level1: t.Level1, Level2: t.Level2, Level3: t.Level3,
			Assessment: t.Assessment, Title: t.Target, Units: t.Units, Remarks: t.Remarks, Deadlines: deadlines(t.Deadlines)}
		if err := ledger.SavePlanEntry(tx, e, units); err != nil {
			return fmt.Errorf("work ledger task %d: %w", t.No, err)
		}
	}
	for _, p := range l.Problems {
		e := ledger.PlanEntry{Kind: ledger.Problems, No: p.No, Title: p.Problem, Requirement: p.Requirement,
			Units: p.ResponsibleUnits, Leads: p.LeadUnits, Remarks: p.Remarks, Deadlines: deadlines(p.Deadlines)}
		if err := ledger.SavePlanEntry(tx, e, units); err != nil {
			return fmt.Errorf("problem ledger problem %d: %w", p.No, err)
		}
	}
	return nil
}

func deadlines(ds []plan.Deadline) []ledger.PlanDeadline {
	out := make([]ledger.PlanDeadline, len(ds))
	for i, d := range ds {
		out[i] = ledger.PlanDeadline{Text: d.Text, Due: d.Due, Ongoing: d.Ongoing}
	}
	return out
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
