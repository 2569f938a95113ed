package evaluation

import (
	"context"
	"fmt"
)

// AckedRating is a rating a client was told is stored: the case and stage it rates, and the
// evaluation the answer named (a repeat's answer names the original).
type AckedRating struct {
	CaseNo string
	Stage  Stage
	ID     int64
}

// AckCheck is what CheckAcknowledged found. A rating is a case and stage: however many
// answers named it (a device's retry, a repeat on another channel), it is one rating.
type AckCheck struct {
	Answers      int `json:"answers"`      // acknowledgements read
	Acknowledged int `json:"acknowledged"` // distinct ratings (case and stage) acknowledged
	Stored       int `json:"stored"`       // stored once, under the ID the answers named
	// Lost: acknowledged, but no evaluation in force of its case and stage has the ID answered.
	Lost int `json:"lost"`
	// Duplicated: more than one evaluation in force for the case and stage, or answers naming
	// more than one ID for it (a repeat taken for a new rating).
	Duplicated         int      `json:"duplicated"`
	LostExamples       []string `json:"lost_examples"`
	DuplicatedExamples []string `json:"duplicated_examples"`
}

// ackChunk bounds the ratings of one query.
const ackChunk = 5000

// CheckAcknowledged proves that every acknowledged rating is stored exactly once: for each
// case and stage acknowledged, one evaluation in force (not a superseded default), and it is
// the one every answer named.
func (s *Service) CheckAcknowledged(ctx context.Context, acks []AckedRating) (*AckCheck, error) {
	type rating struct {
		caseNo string
		stage  Stage
	}
	ids := map[rating]map[int64]bool{}
	var order []rating
	for _, a := range acks {
		r := rating{a.CaseNo, a.Stage}
		if ids[r] == nil {
			ids[r] = map[int64]bool{}
			order = append(order, r)
		}
		ids[r][a.ID] = true
	}
	out := &AckCheck{Answers: len(acks), Acknowledged: len(order), LostExamples: []string{}, DuplicatedExamples: []string{}}
	for from := 0; from < len(order); from += ackChunk {
		part := order[from:min(from+ackChunk, len(order))]
		caseNos, stages := make([]string, len(part)), make([]string, len(part))
		for i, r := range part {
			caseNos[i], stages[i] = r.caseNo, string(r.stage)
		}
		rows, err := s.db.Pool.Query(ctx, `
			SELECT a.case_no, a.stage, COALESCE(array_agg(e.id ORDER BY e.id) FILTER (WHERE e.id IS NOT NULL), '{}')
			FROM unnest($1::text[], $2::text[]) AS a(case_no, stage)
			LEFT JOIN cases c ON c.case_no = a.case_no
			LEFT JOIN evaluations e ON e.case_id = c.id AND e.stage = a.stage AND NOT e.superseded
			GROUP BY a.case_no, a.stage`, caseNos, stages)
		if err != nil {
			return nil, fmt.Errorf("check acknowledged ratings: %w", err)
		}
		for rows.Next() {
			var r rating
			var stage string
			var inForce []int64
			if err := rows.Scan(&r.caseNo, &stage, &inForce); err != nil {
				rows.Close()
				return nil, fmt.Errorf("check acknowledged ratings: %w", err)
			}
			r.stage = Stage(stage)
			out.judge(r.caseNo, stage, ids[r], inForce)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("check acknowledged ratings: %w", err)
		}
	}
	return out, nil
}

// judge sorts one rating: answered are the IDs its answers named, inForce the evaluations of
// its case and stage.
func (c *AckCheck) judge(caseNo, stage string, answered map[int64]bool, inForce []int64) {
	stored := false
	for _, id := range inForce {
		stored = stored || answered[id]
	}
	example := func(list *[]string, why string) {
		if len(*list) < 10 {
			*list = append(*list, fmt.Sprintf("%s/%s: %s", caseNo, stage, why))
		}
	}
	switch {
	case !stored:
		c.Lost++
		example(&c.LostExamples, fmt.Sprintf("answered %v, stored %v", keys(answered), inForce))
	case len(inForce) > 1 || len(answered) > 1:
		c.Duplicated++
		example(&c.DuplicatedExamples, fmt.Sprintf("answered %v, stored %v", keys(answered), inForce))
	default:
		c.Stored++
	}
}

func keys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
