package rectify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"haochaping/internal/pii"
)

// Disclosed is a rectified bad review as the public disclosure shows it (评价结果及整改情况公开):
// what service, which unit, what was wrong and what the unit did — and nothing of any person.
type Disclosed struct {
	Item        string
	Department  string
	Region      string
	RatedOn     time.Time // the day of the bad review
	Reasons     []string  // the reasons' codes (evaluation's reason set names them)
	Outcome     string    // 立行立改, 限期整改 or 解释说明
	Measures    string    // what the unit wrote it did (or explained), without personal data
	RectifiedAt time.Time
}

// Disclosures lists the bad reviews put right (or explained) between from and to (Beijing days,
// both included), in the region and its sub-regions (0: all), newest first, at most limit.
// Upheld appeals are left out: the review was found mistaken. The measures are the unit's own
// words with every number of seven digits or more hidden, and the names the order knows — the
// applicant's, the evaluator's, the staff's — replaced, since people write them into the text.
func (s *Service) Disclosures(ctx context.Context, from, to time.Time, regionID int64, limit int) ([]Disclosed, error) {
	rows, err := s.DB.Pool.Query(ctx, `
		SELECT i.name, d.name, g.name, e.service_day, e.reasons, w.decision, w.rectified_at,
		       COALESCE((SELECT COALESCE(v.data->>'measures', v.data->>'explanation', '') FROM work_order_events v
		                 WHERE v.work_order_id = w.id AND v.action IN ('rectify', 'decide_explain') ORDER BY v.id DESC LIMIT 1), ''),
		       e.evaluator_name_enc, c.applicant_name_enc,
		       ARRAY(SELECT s.name FROM staff s WHERE s.id IN (w.handled_by_staff_id, w.assignee_staff_id))
		FROM work_orders w
		JOIN evaluations e ON e.id = w.evaluation_id
		LEFT JOIN cases c ON c.id = e.case_id
		LEFT JOIN service_items i ON i.id = e.item_id
		JOIN departments d ON d.id = w.department_id
		JOIN regions g ON g.id = w.region_id
		WHERE w.rectified_at IS NOT NULL AND w.decision IN ('now', 'deadline', 'explain')
		  AND (w.rectified_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $1 AND $2
		  AND ($3 = 0 OR w.region_id IN (SELECT region_descendants($3)))
		ORDER BY w.rectified_at DESC, w.id DESC
		LIMIT $4`, from, to, regionID, limit)
	if err != nil {
		return nil, fmt.Errorf("disclosures: %w", err)
	}
	defer rows.Close()
	out := []Disclosed{}
	for rows.Next() {
		var x Disclosed
		var item *string
		var staffNames []string
		var decision, measures string
		var evaluatorEnc, applicantEnc []byte
		if err := rows.Scan(&item, &x.Department, &x.Region, &x.RatedOn, &x.Reasons, &decision, &x.RectifiedAt,
			&measures, &evaluatorEnc, &applicantEnc, &staffNames); err != nil {
			return nil, fmt.Errorf("disclosures: %w", err)
		}
		if item != nil {
			x.Item = *item
		} else {
			x.Item = "窗口服务"
		}
		x.Outcome = map[string]string{"now": "立行立改", "deadline": "限期整改", "explain": "解释说明"}[decision]
		names := staffNames
		for _, enc := range [][]byte{evaluatorEnc, applicantEnc} {
			if enc == nil {
				continue
			}
			name, err := s.Keys.Open(enc)
			if err != nil {
				return nil, fmt.Errorf("disclosures: a name unreadable (wrong HAOCHAPING_DATA_KEY?): %w", err)
			}
			names = append(names, name)
		}
		x.Measures = WithoutPersons(measures, names)
		out = append(out, x)
	}
	return out, rows.Err()
}

// WithoutPersons is text fit to publish: the numbers people type (phones, ID numbers) hidden,
// and each of the given names — also its surname followed by a title, as in 张女士 — replaced.
func WithoutPersons(text string, names []string) string {
	text = pii.HideNumbersInText(text)
	for _, n := range names {
		n = strings.TrimSpace(n)
		if len([]rune(n)) < 2 {
			continue
		}
		text = strings.ReplaceAll(text, n, "[姓名已隐去]")
		surname := string([]rune(n)[:1])
		for _, title := range []string{"先生", "女士", "同志", "老师", "师傅"} {
			text = strings.ReplaceAll(text, surname+title, "[姓名已隐去]")
		}
	}
	return text
}
