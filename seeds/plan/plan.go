// Package plan holds the city work plan's two ledgers as reviewed seed data — Annex 1, the
// work ledger (113 tasks), and Annex 2, the problem ledger (18 problems) — and the mapping of
// the plan's unit names to the units that report in this system. NOTES.md records how the
// annexes were read and every ambiguity resolved.
package plan

import (
	_ "embed"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed work_ledger.yaml
var workYAML []byte

//go:embed problem_ledger.yaml
var problemYAML []byte

//go:embed units.yaml
var unitsYAML []byte

// Deadline is one deadline phrase of an entry, as written and as read.
type Deadline struct {
	Text    string    `yaml:"text"`
	Due     time.Time `yaml:"due"`
	Ongoing bool      `yaml:"ongoing"`
}

// Task is a row of the work ledger (Annex 1).
type Task struct {
	No         int        `yaml:"no"`
	Focus      string     `yaml:"focus"`      // 重点工作
	Level1     string     `yaml:"level1"`     // 一级指标
	Level2     string     `yaml:"level2"`     // 二级指标
	Level3     string     `yaml:"level3"`     // 三级指标
	Assessment string     `yaml:"assessment"` // 评估要点
	Target     string     `yaml:"target"`     // 任务目标
	Units      []string   `yaml:"units"`      // 责任单位
	Deadlines  []Deadline `yaml:"deadlines"`
	Remarks    string     `yaml:"remarks"` // 备注
}

// Problem is a row of the problem ledger (Annex 2).
type Problem struct {
	No               int        `yaml:"no"`
	Problem          string     `yaml:"problem"`     // 存在问题
	Requirement      string     `yaml:"requirement"` // 整改要求
	LeadUnits        []string   `yaml:"lead_units"`  // 牵头部门
	ResponsibleUnits []string   `yaml:"responsible_units"`
	Deadlines        []Deadline `yaml:"deadlines"`
	Remarks          string     `yaml:"remarks"`
}

// Ledgers are both annexes and the unit mapping.
type Ledgers struct {
	WorkTitle    string
	WorkColumns  []string
	Tasks        []Task
	ProblemTitle string
	ProblemCols  []string
	Problems     []Problem
	Units        map[string][]string // plan unit name → department codes or a group
}

// Groups a unit name may map to.
const (
	DistrictGovernments = "district_governments"
	CityDepartments     = "city_departments"
)

// Load parses the embedded ledgers.
func Load() (*Ledgers, error) {
	var w struct {
		Title   string   `yaml:"title"`
		Columns []string `yaml:"columns"`
		Tasks   []Task   `yaml:"tasks"`
	}
	if err := yaml.Unmarshal(workYAML, &w); err != nil {
		return nil, fmt.Errorf("seeds/plan/work_ledger.yaml: %w", err)
	}
	var p struct {
		Title    string    `yaml:"title"`
		Columns  []string  `yaml:"columns"`
		Problems []Problem `yaml:"problems"`
	}
	if err := yaml.Unmarshal(problemYAML, &p); err != nil {
		return nil, fmt.Errorf("seeds/plan/problem_ledger.yaml: %w", err)
	}
	var u struct {
		Units map[string][]string `yaml:"units"`
	}
	if err := yaml.Unmarshal(unitsYAML, &u); err != nil {
		return nil, fmt.Errorf("seeds/plan/units.yaml: %w", err)
	}
	return &Ledgers{WorkTitle: w.Title, WorkColumns: w.Columns, Tasks: w.Tasks, ProblemTitle: p.Title,
		ProblemCols: p.Columns, Problems: p.Problems, Units: u.Units}, nil
}
