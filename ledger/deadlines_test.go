package ledger_test

import (
	"strconv"
	"testing"
	"time"

	"haochaping/ledger"
	"haochaping/seeds/plan"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseDeadlinesOnThePlansPhrasings(t *testing.T) {
	cases := []struct {
		text    string
		due     time.Time
		ongoing bool
	}{
		{"（2021年9月30日前完成，持续推进）", date(2021, 9, 30), true},
		{"（2021年8月31日前完成，持续推进）", date(2021, 8, 31), true},
		{"（2021年9月30日前）", date(2021, 9, 30), false},
		{"（9月30日前完成）", date(2021, 9, 30), false},
		{"（9月30前完成）", date(2021, 9, 30), false}, // the plan drops 日 once (problem 4)
		{"（9月底前）", date(2021, 9, 30), false},
		{"（12月底前）", date(2021, 12, 31), false},
		{"（年底前）", date(2021, 12, 31), false},
		{"（2021 年 8 月 31 日前，持续优化）", date(2021, 8, 31), true},
		{"（2022年6月30日前完成）", date(2022, 6, 30), false},
		{"（2021年9月30日，持续推进）", date(2021, 9, 30), true},
		{"。年底前，高频事项基本实现“全省通办”", date(2021, 12, 31), false},
	}
	for _, c := range cases {
		got := ledger.ParseDeadlines("任务内容"+c.text+"其后", 2021)
		if len(got) != 1 || !got[0].Due.Equal(c.due) || got[0].Ongoing != c.ongoing {
			t.Errorf("%s: %+v, want %v ongoing=%v", c.text, got, c.due, c.ongoing)
		}
	}
	if got := ledger.ParseDeadlines("（持续推进）（涵盖18个重点问题）", 2021); len(got) != 0 {
		t.Errorf("remarks without a date read as deadlines: %+v", got)
	}
}

// TestParserAgreesWithTheReviewedSeeds reads every task and problem of the plan and compares
// the parser with the deadlines reviewed by hand in seeds/plan.
func TestParserAgreesWithTheReviewedSeeds(t *testing.T) {
	l, err := plan.Load()
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, text string, want []plan.Deadline) {
		got := ledger.ParseDeadlines(text, 2021)
		if len(got) != len(want) {
			t.Errorf("%s: parsed %d deadlines, the seed has %d\n  text: %s\n  parsed: %+v\n  seed: %+v", what, len(got), len(want), text, got, want)
			return
		}
		for i := range want {
			if !got[i].Due.Equal(want[i].Due) || got[i].Ongoing != want[i].Ongoing {
				t.Errorf("%s deadline %d: parsed %v ongoing=%v from %q, the seed has %v ongoing=%v (%q)", what, i+1,
					got[i].Due.Format("2006-01-02"), got[i].Ongoing, got[i].Text, want[i].Due.Format("2006-01-02"), want[i].Ongoing, want[i].Text)
			}
		}
	}
	for _, task := range l.Tasks {
		check("task "+strconv.Itoa(task.No), task.Target, task.Deadlines)
	}
	for _, p := range l.Problems {
		check("problem "+strconv.Itoa(p.No), p.Requirement, p.Deadlines)
	}
}
