package plan

import "testing"

func TestLedgersAreComplete(t *testing.T) {
	l, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Tasks) != 113 || len(l.Problems) != 18 {
		t.Fatalf("%d tasks, %d problems; want 113 and 18", len(l.Tasks), len(l.Problems))
	}
	for i, task := range l.Tasks {
		if task.No != i+1 {
			t.Errorf("task %d is numbered %d", i+1, task.No)
		}
		if len(task.Units) == 0 {
			t.Errorf("task %d has no responsible unit", task.No)
		}
		for _, u := range task.Units {
			if len(l.Units[u]) == 0 {
				t.Errorf("task %d: unit %q maps to no reporting unit", task.No, u)
			}
		}
	}
	for i, p := range l.Problems {
		if p.No != i+1 || len(p.ResponsibleUnits) == 0 || len(p.LeadUnits) == 0 {
			t.Errorf("problem %d: %+v", i+1, p)
		}
		for _, u := range append(append([]string{}, p.ResponsibleUnits...), p.LeadUnits...) {
			if len(l.Units[u]) == 0 {
				t.Errorf("problem %d: unit %q maps to no reporting unit", p.No, u)
			}
		}
	}
	want := []string{"重点工作", "一级指标", "二级指标", "三级指标", "评估要点", "任务序号", "任务目标", "责任单位", "进展情况", "需协调问题", "备注"}
	for i, c := range want {
		if l.WorkColumns[i] != c {
			t.Fatalf("work ledger columns %v", l.WorkColumns)
		}
	}
}
