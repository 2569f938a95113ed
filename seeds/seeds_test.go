package seeds_test

import (
	"testing"

	"haochaping/app/apptest"
	"haochaping/internal/testenv"
)

func TestSeedIsIdempotentAndComplete(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	first := apptest.Seed(env)
	second := apptest.Seed(env)
	if *first != *second {
		t.Fatalf("a second seed changed the counts: %+v → %+v", first, second)
	}
	if first.Regions != 8 || first.Halls != 8 {
		t.Fatalf("regions %d, halls %d: want the city and its 7 districts, each with a hall", first.Regions, first.Halls)
	}
	// Every 政务服务中心 has the five windows the plan requires (part 二, item 5).
	if n := env.Count(`SELECT count(*) FROM halls h WHERE (SELECT count(DISTINCT kind) FROM windows w
		WHERE w.hall_id = h.id AND kind IN ('comprehensive', 'cross_region', 'assisted', 'complaint', 'fallback')) <> 5`); n != 0 {
		t.Fatalf("%d halls lack one of the five required windows", n)
	}
	for _, name := range []string{"市政府办公室", "市审批服务局", "市大数据中心", "市市场监管局"} {
		if n := env.Count(`SELECT count(*) FROM departments WHERE name = $1`, name); n != 1 {
			t.Errorf("department %s: %d rows", name, n)
		}
	}
	for _, name := range []string{"市中区", "薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市", "枣庄高新区"} {
		if n := env.Count(`SELECT count(*) FROM regions r JOIN regions p ON p.id = r.parent_id WHERE r.name = $1 AND p.name = '枣庄市'`, name); n != 1 {
			t.Errorf("district %s: %d rows", name, n)
		}
	}
	// Every department has a head to fall back on; every window has staff.
	if n := env.Count(`SELECT count(*) FROM departments d WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.department_id = d.id AND s.is_head)`); n != 0 {
		t.Fatalf("%d departments without a head", n)
	}
	if n := env.Count(`SELECT count(*) FROM windows w WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.window_id = w.id)`); n != 0 {
		t.Fatalf("%d windows without staff", n)
	}
	if n := env.Count(`SELECT count(*) FROM reasons WHERE version = 1`); n != 10 {
		t.Fatalf("reasons = %d, want 5 online + 5 offline", n)
	}
	// The plan's ledgers: 113 tasks and 18 problems, each with a unit that reports on it.
	if n := env.Count(`SELECT count(*) FROM ledger_entries WHERE kind = 'work'`); n != 113 {
		t.Errorf("work ledger tasks = %d, want 113", n)
	}
	if n := env.Count(`SELECT count(*) FROM ledger_entries WHERE kind = 'problem'`); n != 18 {
		t.Errorf("problem ledger problems = %d, want 18", n)
	}
	if n := env.Count(`SELECT count(*) FROM ledger_entries e WHERE NOT EXISTS (SELECT 1 FROM ledger_assignments a WHERE a.entry_id = e.id)`); n != 0 {
		t.Errorf("%d ledger entries without a reporting unit", n)
	}
	if n := env.Count(`SELECT count(DISTINCT a.department_id) FROM ledger_assignments a JOIN departments d ON d.id = a.department_id WHERE d.code LIKE '%-ZF'`); n != 7 {
		t.Errorf("各区（市）政府 maps to %d district governments, want 7", n)
	}
	if n := env.Count(`SELECT count(*) FROM ledger_entries e JOIN ledger_assignments a ON a.entry_id = e.id AND a.lead
		JOIN departments d ON d.id = a.department_id WHERE e.kind = 'problem' AND e.no = 1 AND d.code = 'ZZ-ZFB'`); n != 1 {
		t.Errorf("problem 1's lead (省政府办公厅 → 市政府办公室) is missing")
	}
	if n := env.Count(`SELECT count(DISTINCT channel) FROM devices WHERE demo`); n != 5 {
		t.Fatalf("demo devices cover %d channels, want 5", n)
	}
}
