package ledger

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Deadline is a deadline phrase of the plan as written, and as read.
type Deadline struct {
	Text    string    `json:"text"`
	Due     time.Time `json:"due"`     // the day by which, midnight UTC of the date
	Ongoing bool      `json:"ongoing"` // 持续推进, 持续优化, 长期坚持: the work goes on after the date
}

var (
	// A parenthesised remark of the plan: （…） or (…); or a sentence that opens with its date:
	// "年底前，高频政务服务事项基本实现…" (task 38).
	remark  = regexp.MustCompile(`[（(]([^（）()]*)[）)]`)
	opening = regexp.MustCompile(`(?:^|[。；;
]|\d[.、])\s*((?:\d{4}\s*年\s*)?(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底)|年底)前)[，,]`)
	// A date within it: 2021年9月30日, 9月30日, 9月30 (the plan drops 日 once), 9月底, 12月底, 年底.
	datePhrase   = regexp.MustCompile(`(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日?|(底))|(年底)`)
	ongoingWords = []string{"持续推进", "持续优化", "长期坚持", "持续开展"}
)

// ParseDeadlines reads the deadline phrases of a task's text: each parenthesised remark that
// names a date ("2021年9月30日前完成，持续推进", "9月底前", "年底前"), in order. A date without a
// year is in defaultYear; "月底" is the month's last day, "年底" the year's. A remark with
// only "持续推进" and no date is not a deadline.
func ParseDeadlines(text string, defaultYear int) []Deadline {
	type found struct {
		at     int
		phrase string
	}
	var phrases []found
	for _, m := range remark.FindAllStringSubmatchIndex(text, -1) {
		phrases = append(phrases, found{m[0], text[m[2]:m[3]]})
	}
	for _, m := range opening.FindAllStringSubmatchIndex(text, -1) {
		phrases = append(phrases, found{m[2], text[m[2]:m[3]]})
	}
	sort.Slice(phrases, func(a, b int) bool { return phrases[a].at < phrases[b].at })
	var out []Deadline
	for _, f := range phrases {
		phrase := strings.TrimSpace(f.phrase)
		d := datePhrase.FindStringSubmatch(phrase)
		if d == nil {
			continue
		}
		year := defaultYear
		if d[1] != "" {
			year, _ = strconv.Atoi(d[1])
		}
		var due time.Time
		switch {
		case d[5] != "": // 年底
			due = time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
		default:
			month, _ := strconv.Atoi(d[2])
			if month < 1 || month > 12 {
				continue
			}
			if d[4] != "" { // 月底: the last day of the month
				due = time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC)
			} else {
				day, _ := strconv.Atoi(d[3])
				due = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
				if due.Day() != day { // 2月30日 and the like: not a date
					continue
				}
			}
		}
		ongoing := false
		for _, w := range ongoingWords {
			ongoing = ongoing || strings.Contains(phrase, w)
		}
		out = append(out, Deadline{Text: phrase, Due: due, Ongoing: ongoing})
	}
	return out
}
